"""Degenerate scenarios whose answers are known in closed form (issue 2, cases a-f, h).

Stochastic cases run a fixed seed; their tolerance is four standard errors of the
mean across the replications run (a false alarm about once in 16,000 seeds).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from builders import DELETE, make_scenario

from sim.model import run_replication
from sim.model.firms import Status
from sim.run.outcomes import outcome_columns, outcome_row
from sim.scenario.schema import Scenario

ACTIVE = Status.ACTIVE

NO_EXITS = {"exits.grace_months": 1200, "reinvestment": {}}
ONE_SECTOR = {"sectors.artillery": DELETE, "procurement.sector_shares": {"uav": 1.0}}
INSTANT = {
    "licensing.opens": "2026-01-01",
    "licensing.commission.meeting_every_days": 1,
    "licensing.commission.decisions_per_meeting": 10_000,
    "licensing.approval_rate": {"default": 1.0},
    "licensing.export_cap_share": 1.0,
    "licensing.preparation_days": 0,
    "licensing.apply_when_idle_share": 0.0,
    "licensing.licence_months": 1200,
    "licensing.reapply_after_days": 36500,
}
STANDARD_ERRORS = 4.0


def outcomes(scenario: Scenario, replications: int, seed: int = 5) -> dict[str, np.ndarray]:
    columns = outcome_columns(scenario.sector_names)
    rows = np.array([outcome_row(run_replication(scenario, k, seed)) for k in range(replications)])
    return {name: rows[:, i] for i, name in enumerate(columns)}


def tolerance(values: np.ndarray) -> float:
    return STANDARD_ERRORS * float(values.std(ddof=1)) / math.sqrt(values.size)


def test_a_exports_closed_leaves_surplus_of_one_minus_budget_share() -> None:
    sc = make_scenario(**NO_EXITS, **{"licensing.opens": "2030-01-01", "months": 24})
    out = outcomes(sc, 3)
    capacity_per_year = 1.8e9
    assert (out["export_usd"] == 0).all()
    np.testing.assert_allclose(
        out["surplus_usd"] / out["capacity_usd"], 1 - 0.9e9 / capacity_per_year, rtol=1e-9
    )
    np.testing.assert_allclose(out["capacity_usd"], 2 * capacity_per_year, rtol=1e-9)
    assert (out["unspent_budget_usd"] < 1e-3).all()


def test_b_budget_above_capacity_leaves_no_surplus_and_reports_unspent() -> None:
    sc = make_scenario(**NO_EXITS, **{"procurement.budget_usd": 3.0e9})
    out = outcomes(sc, 2)
    np.testing.assert_allclose(out["surplus_usd"], 0.0, atol=1e-3)
    assert (out["absorption_share"] == 0).all()
    assert (out["export_usd"] == 0).all()
    np.testing.assert_allclose(out["unspent_budget_usd"], 3.0e9 - 1.8e9, rtol=1e-9)
    np.testing.assert_allclose(out["budget_paid_usd"], 3.0e9, rtol=1e-12)


def test_c_instant_licensing_with_ample_demand_absorbs_the_surplus() -> None:
    sc = make_scenario(
        **NO_EXITS,
        **ONE_SECTOR,
        **INSTANT,
        **{
            "markets.north.demand_usd": {"uav": 50e9},
            "markets.north.order_usd": 0.5e9,
            "markets.north.delivery_months": 1,
        },
    )
    out = outcomes(sc, 5)
    assert (out["absorption_share"] > 0.95).all()
    assert (out["absorption_share"] <= 1 + 1e-12).all()


def test_d_demand_limited_exports_absorb_the_demand_share() -> None:
    surplus_per_year = 1.2e9 - 0.45e9
    sc = make_scenario(
        **NO_EXITS,
        **ONE_SECTOR,
        **INSTANT,
        **{
            "procurement.budget_usd": 0.45e9,
            "months": 24,
            "markets.north.demand_usd": {"uav": 0.25 * surplus_per_year},
            "markets.north.order_usd": 2e6,
            "markets.north.delivery_months": 1,
        },
    )
    out = outcomes(sc, 40)
    horizon_days = 730
    # Orders arriving before the first meeting (day 1) find no licensed firm.
    expected = 0.25 * (horizon_days - 1) / (365.25 * 2)
    share = out["absorption_share"]
    assert abs(share.mean() - expected) <= tolerance(share)
    assert out["unmet_export_demand_usd"].mean() < 0.01 * out["export_demand_usd"].mean()


def test_e_approval_rate_sets_the_licensed_share_of_capacity_that_exports() -> None:
    """Demand far above capacity; the budget (37.5% of capacity) fits in the unlicensed
    firms' capacity, so licensed firms export all of theirs: exports / capacity is the
    approval rate (in expectation over which firms are approved), from the month after
    the first contracts."""
    sc = make_scenario(
        **NO_EXITS,
        **ONE_SECTOR,
        **{
            **INSTANT,
            "licensing.approval_rate": {"uav": 0.4},
            "procurement.budget_usd": 0.45e9,
            "markets.north.demand_usd": {"uav": 50e9},
            "markets.north.order_usd": 0.5e9,
            "markets.north.delivery_months": 1,
            "markets.north.max_suppliers": 1000,
        },
    )
    out = outcomes(sc, 40)
    share = out["export_usd"] / out["capacity_usd"]
    months = sc.months
    assert abs(share.mean() - 0.4 * (months - 1) / months) <= tolerance(share)
    assert out["applications"].max() == 30  # one round: nobody reapplies


def _pause_case(paused: bool) -> Scenario:
    pauses = [{"start": "2026-01-01", "end": "2026-08-31"}] if paused else []
    return make_scenario(
        **NO_EXITS,
        **ONE_SECTOR,
        **{
            "months": 24,
            "licensing.preparation_days": 0,
            "licensing.commission": {
                "meeting_every_days": 30,
                "decisions_per_meeting": 1000,
                "pauses": pauses,
            },
            "licensing.approval_rate": {"default": 1.0},
            "licensing.licence_months": 1200,
            "licensing.apply_when_idle_share": 0.0,
        },
    )


def test_f_commission_pause_delays_every_licence_by_about_its_length() -> None:
    first_after_pause = 243  # 2026-09-01
    paused = run_replication(_pause_case(True), 0, 3)
    granted = paused.monthly["licences_granted"].sum(axis=1)
    assert granted[:8].sum() == 0
    assert granted[8] > 0
    assert min(paused.meeting_days) == first_after_pause + 0.0

    with_pause = outcomes(_pause_case(True), 3)["mean_days_to_licence"]
    without = outcomes(_pause_case(False), 3)["mean_days_to_licence"]
    pause_days = first_after_pause
    growth = with_pause - without
    assert (growth >= pause_days - 30).all() and (growth <= pause_days).all()


@pytest.mark.parametrize("allocation", ["pro_rata", "largest_first", "random"])
def test_h_more_budget_never_raises_surplus(allocation: str) -> None:
    budgets = [0.0, 0.3e9, 0.9e9, 1.5e9, 2.5e9]
    surplus = [
        outcomes(
            make_scenario(
                **NO_EXITS, **{"procurement.budget_usd": b, "procurement.allocation": allocation}
            ),
            2,
        )["surplus_usd"]
        for b in budgets
    ]
    for lower, higher in itertools.pairwise(surplus):
        assert (higher <= lower * (1 + 1e-12)).all()


def test_h_higher_approval_rate_never_lowers_exports() -> None:
    exports = []
    for rate in (0.0, 0.2, 0.5, 0.8, 1.0):
        sc = make_scenario(
            **NO_EXITS,
            **ONE_SECTOR,
            **{
                "licensing.approval_rate": {"uav": rate},
                "licensing.reapply_after_days": 36500,
                "licensing.licence_months": 1200,
                "licensing.commission.decisions_per_meeting": 1000,
            },
        )
        exports.append(outcomes(sc, 3)["export_usd"])
    assert (exports[0] == 0).all()
    for lower, higher in itertools.pairwise(exports):
        assert (higher >= lower * (1 - 1e-12)).all()
    assert (exports[-1] > exports[1]).all()


