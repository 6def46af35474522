"""Every shipped scenario validates and runs, and its numbers make sense."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import REPO

from sim import load_scenario
from sim.model import run_replication
from sim.model.records import invariant_violations
from sim.run.outcomes import outcome_columns, outcome_row

SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))


def test_there_are_scenarios() -> None:
    assert len(SCENARIOS) >= 2


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_runs_and_keeps_invariants(path: Path) -> None:
    sc = load_scenario(path)
    record = run_replication(sc, 0)
    assert invariant_violations(record) == []
    row = dict(zip(outcome_columns(sc.sector_names), outcome_row(record), strict=True))
    assert row["capacity_usd"] > 0
    assert 0.0 <= row["absorption_share"] <= 1.0 + 1e-12
    assert row["firms_start"] == sum(s.firms for s in sc.sectors.values())
    assert row["surplus_usd"] >= 0
