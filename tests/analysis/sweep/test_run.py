"""sim.analysis.sweep.run: direction of change under common random numbers, validation before
running, and the same numbers from a pool."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from builders import TINY_SWEEP, make_scenario

from sim.analysis.sweep import Lever, parse_vary, run_sweep, sweep_csv
from sim.errors import InputError
from sim.scenario.schema import Scenario


@pytest.fixture
def tiny_sweep() -> Scenario:
    return make_scenario(**TINY_SWEEP)


def test_more_budget_never_raises_surplus(tiny_sweep: Scenario) -> None:
    """Direction of change under common random numbers (same seed at every point)."""
    lever = parse_vary("procurement.budget_usd=0.2e9:2.0e9:5")
    sweep = run_sweep(tiny_sweep, [lever], replications=3, seed=9, workers=1)
    surplus = sweep.column("surplus_usd")
    assert np.all(np.diff(surplus) <= 1e-6 * surplus.max())
    assert surplus[-1] < surplus[0]
    domestic = sweep.column("domestic_usd")
    assert np.all(np.diff(domestic) >= 0)
    assert sweep.column("firms_bankrupt").max() == 0


def test_non_numeric_values(tiny_sweep: Scenario) -> None:
    lever = parse_vary("procurement.allocation=pro_rata,largest_first")
    sweep = run_sweep(tiny_sweep, [lever], replications=2, seed=3, workers=1)
    assert [p.settings["procurement.allocation"] for p in sweep.points] == [
        "pro_rata",
        "largest_first",
    ]
    rows = list(csv.DictReader(sweep_csv(sweep).splitlines()))
    assert [r["procurement.allocation"] for r in rows] == ["pro_rata", "largest_first"]
    assert all(
        float(r["absorption_share_ci_low"]) <= float(r["absorption_share_mean"]) for r in rows
    )


def test_invalid_point_rejected_before_running(tiny_sweep: Scenario) -> None:
    lever = Lever("licensing.export_cap_share", (0.5, 1.5))
    with pytest.raises(InputError, match="export_cap_share"):
        run_sweep(tiny_sweep, [lever], replications=2, workers=1)


@pytest.mark.slow
def test_parallel_sweep_equals_sequential(tiny_sweep: Scenario) -> None:
    """The shared worker pool really runs (2 workers) and gives the in-process numbers."""
    lever = parse_vary("licensing.approval_rate.uav=0.3,0.9")
    one = run_sweep(tiny_sweep, [lever], replications=4, seed=2, workers=1)
    two = run_sweep(tiny_sweep, [lever], replications=4, seed=2, workers=2)
    assert sweep_csv(one) == sweep_csv(two)
