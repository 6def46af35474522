"""Shared fixtures, and where the tests are. No global seeding: every test passes its seeds.

The tests of ``sim/x/y.py`` are in ``tests/x/test_y.py`` (of ``sim/y.py``, in
``tests/test_y.py``): the allocation rules of ``sim/model/procurement.py`` in
``tests/model/test_procurement.py``, the CLI in ``tests/test_cli.py``. A module of
``sim`` with no such file has no unit tests of its own; the system suites run it.

``tests/system/`` holds the named suites that test the whole model or cut across
modules: closed-form scenarios (``test_model_analytic``), the export channel's rules
over whole runs (``test_export_channel``), invariants over random, fuzzed and extreme
scenarios (``test_invariants``, ``test_fuzz``, ``test_extremes``), reproducibility and
common random numbers, faults, bad inputs, the engine reference, the shipped scenarios
and their calibration, the trace, the docs and the student guide, and the import layers.

Two test modules may share a name (``analysis/sweep/test_run.py`` and
``analysis/sensitivity/test_run.py``): pytest imports each by its path
(``--import-mode=importlib``), and ``pythonpath = ["tests"]`` (both in pyproject.toml)
lets a module in any folder import the helpers here by name:

- ``builders``: the tiny scenario (``make_scenario``, ``write_scenario``, the named sets
  of changes such as ``EVERY_CHART``);
- ``helpers``: ``defsim`` runs the CLI in this process, ``save_run`` saves a run through
  the API, ``REPO`` is the repository's root for tests that read ``scenarios/``,
  ``docs/`` or ``tests/data/``;
- ``make_engine_reference``: writes ``tests/data/engine_reference.json`` (by hand only).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import make_scenario

from sim.scenario.schema import Scenario


@pytest.fixture
def tiny() -> Scenario:
    return make_scenario()


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current folder, so the default ``results/`` of a run would appear here."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder
