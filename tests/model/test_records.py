"""sim.model.records: the invariant checker finds a month that breaks the invariants."""

from __future__ import annotations

from sim.model import run_replication
from sim.model.records import invariant_violations
from sim.scenario.schema import Scenario


def test_invariant_checker_catches_a_broken_month(tiny: Scenario) -> None:
    record = run_replication(tiny, 0, 1)
    record.monthly["export_usd"][3, 0] = record.monthly["capacity_usd"][3, 0] * 2
    record.monthly["firms_bankrupt"][5, 1] += 1
    found = invariant_violations(record)
    assert any("capacity" in f for f in found)
    assert any("statuses" in f for f in found)
