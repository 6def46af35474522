"""Running defsim inside the test process: the one CLI runner, a saved run of the API, and
where the repository is (``REPO``), for tests that read its scenarios, docs or data.

Tests that need a real process (signals, a dying worker, the console script's exit
status end to end, peak memory) start ``defsim`` with ``subprocess`` themselves.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any, NamedTuple

from sim import load_scenario, simulate
from sim.cli import main

REPO = Path(__file__).resolve().parent.parent
"""The repository's root, wherever in ``tests/`` the module that asks for it sits."""


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
