"""The README's Python snippet, saved as a script and run as one, works.

Worker processes start from a fresh interpreter that imports the script again
(forkserver), so a snippet without ``if __name__ == "__main__":`` fails there; this
runs the snippet exactly as a user would paste it into a file, with two substitutions
that keep it to seconds: a shrunken copy of the 2026 scenario (as in
``test_student_guide``) and 200 replications replaced by 4. The two worker processes
stay: they are what the guard is for.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO

from sim.scenario.io import load_scenario

SCENARIO = "scenarios/ukraine-2026-controlled-export.yaml"


def readme_python() -> str:
    """The first ```python block of README's "Python API" section."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Python API\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    assert section, "README.md lost its Python API section"
    block = re.search(r"```python\n(.*?)```", section.group(1), flags=re.S)
    assert block, "README's Python API section has no ```python block"
    return block.group(1)


def test_the_snippet_guards_its_work() -> None:
    assert 'if __name__ == "__main__":' in readme_python()


@pytest.mark.slow
def test_the_readme_snippet_runs_as_a_script(tmp_path: Path) -> None:
    data = load_scenario(REPO / SCENARIO).model_dump(mode="json")
    data["months"] = 6
    for sector in data["sectors"].values():
        sector["firms"] = max(2, sector["firms"] // 40)
    (tmp_path / "scenarios").mkdir()
    (tmp_path / SCENARIO).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    code = readme_python().replace("replications=200", "replications=4")
    assert "replications=4" in code and "workers=2" in code
    (tmp_path / "budget.py").write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([sys.executable, "budget.py"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert float(done.stdout.strip().splitlines()[-1]) >= 0.0
    assert (tmp_path / "results" / "budget-12b" / "summary.json").is_file()
    assert "Traceback" not in done.stderr
