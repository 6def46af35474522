"""Every command of docs/student-guide.md really runs (README's sweep commands are among them).

The commands run as written, in a scratch folder, with two substitutions that
keep the test to seconds: the 2026 scenario is replaced by a shrunken copy (same
sectors, markets and dotted paths; 1/40 of the firms, 12 months), and
replication and sample counts are set to 2. Local runs use one worker process.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from helpers import REPO, bash_commands, run_commands, write_shrunken_2026

COUNTS = re.compile(r"(-n|--replications|--samples) \d+")


def readme_sweep_section() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Sweeps and sensitivity\n(.*?)(?=^## |\Z)", text, flags=re.S | re.M)
    return match.group(1) if match else ""


def shrink(command: str) -> str:
    command = COUNTS.sub(lambda m: f"{m.group(1)} 2", command)
    words = shlex.split(command)
    if words[:2] in (["defsim", "run"], ["defsim", "sweep"], ["defsim", "sensitivity"]):
        command += " --workers 1"
    return command


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    write_shrunken_2026(tmp_path)
    return tmp_path


def run_all(commands: list[str], cwd: Path) -> None:
    run_commands([shrink(c) for c in commands], cwd)


def test_guide_has_the_promised_commands() -> None:
    commands = bash_commands((REPO / "docs" / "student-guide.md").read_text(encoding="utf-8"))
    text = " ".join(commands)
    assert "--set procurement.budget_usd=" in text
    assert "defsim sweep" in text and "defsim sensitivity" in text
    for path in (
        "procurement.budget_usd",
        "licensing.approval_rate.uav",
        "licensing.commission.meeting_every_days",
        "licensing.export_cap_share",
        "demand_usd",
    ):
        assert f"--vary {path}" in text or path in text
    assert bash_commands(readme_sweep_section())


@pytest.mark.slow
def test_student_guide_commands_run(workspace: Path) -> None:
    commands = bash_commands((REPO / "docs" / "student-guide.md").read_text(encoding="utf-8"))
    run_all(commands, workspace)
    assert (workspace / "results" / "guide" / "budget-sweep" / "sweep.csv").exists()
    assert (workspace / "results" / "guide" / "morris" / "indices.csv").exists()


def test_readme_sweep_commands_are_run_by_the_guide() -> None:
    """README's commands are the guide's without ``--out``, so the guide's run covers them."""
    guide = bash_commands((REPO / "docs" / "student-guide.md").read_text(encoding="utf-8"))
    without_out = {" ".join(re.sub(r" --out \S+", "", c).split()) for c in guide}
    for command in bash_commands(readme_sweep_section()):
        assert " ".join(command.split()) in without_out, command
