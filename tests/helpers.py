"""Running defsim inside the test process: the one CLI runner, a saved run of the API, and
where the repository is (``REPO``), for tests that read its scenarios, docs or data; and
for the guides' tests, their ``bash`` commands, a shrunken 2026 scenario to run them on,
and a runner of shell commands.

Tests that need a real process (signals, a dying worker, the console script's exit
status end to end, peak memory) start ``defsim`` with ``subprocess`` themselves.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from sim import load_scenario, simulate
from sim.cli import main

REPO = Path(__file__).resolve().parent.parent
"""The repository's root, wherever in ``tests/`` the module that asks for it sits."""
SCENARIO_2026 = "scenarios/ukraine-2026-controlled-export.yaml"


class Exit(NamedTuple):
    """What ``defsim ARGS`` left behind: its exit code and what it printed."""

    code: int
    out: str
    err: str


def defsim(*args: str | Path) -> Exit:
    """``defsim ARGS`` in this process, through the console script's entry point.

    stdout and stderr are captured here rather than by ``capsys``, so module-scoped
    fixtures can use it too.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return Exit(code, out.getvalue(), err.getvalue())


def save_run(scenario_file: Path, out: Path, replications: int = 4, seed: int = 11,
             overrides: dict[str, Any] | None = None, plots: bool = False) -> Path:
    """Simulate in this process with the API and write the run folder (charts if asked)."""
    sc = load_scenario(scenario_file, overrides=overrides)
    return simulate(sc, replications=replications, seed=seed, workers=1).save(out, plots=plots)


def bash_commands(markdown: str) -> list[str]:
    """Commands of the ```bash blocks: comments dropped, backslash continuations joined."""
    commands: list[str] = []
    for block in re.findall(r"```bash\n(.*?)```", markdown, flags=re.S):
        joined = block.replace("\\\n", " ")
        commands += [
            line.strip()
            for line in joined.splitlines()
            if line.strip() and not line.startswith("#")
        ]
    return commands


def write_shrunken_2026(folder: Path) -> Path:
    """The 2026 scenario at ``folder/scenarios/...``, shrunk to seconds: 1/40 of the firms,
    12 months, the same sectors, markets, dotted paths and uncertainties."""
    data = load_scenario(REPO / SCENARIO_2026).model_dump(mode="json")
    data["months"] = 12
    for sector in data["sectors"].values():
        sector["firms"] = max(2, sector["firms"] // 40)
    (folder / "scenarios").mkdir(parents=True, exist_ok=True)
    path = folder / SCENARIO_2026
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run_commands(commands: list[str], cwd: Path) -> None:
    """Run each shell command in ``cwd`` with this environment's ``defsim``; each must exit 0."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    for command in commands:
        done = subprocess.run(
            command,
            shell=True,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


def as_if_at_a_terminal() -> None:
    """SIGINT as a command typed at a terminal has it, wherever the suite was started
    (``preexec_fn`` of the ``defsim`` processes the Ctrl-C tests start).

    Started from a background job (``pytest &``, a CI step), the suite inherits SIGINT
    ignored and so would every ``defsim`` it starts: defsim rightly keeps an ignored
    SIGINT ignored, and the Ctrl-C tests would see a run that never stops.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)
