"""DESIGN.md's invariants, every month of every replication, over random scenarios (case g)."""

from __future__ import annotations

from typing import Any

from builders import make_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import run_replication
from sim.model.records import invariant_violations
from sim.scenario.schema import Scenario

shares = st.floats(0.0, 1.0)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    uav_share = draw(shares)
    changes: dict[str, Any] = {
        "months": draw(st.integers(1, 30)),
        "sectors.uav.firms": draw(st.integers(1, 40)),
        "sectors.uav.size_sigma": draw(st.floats(0.0, 2.5)),
        "sectors.uav.cash_months": draw(st.floats(0.0, 12.0)),
        "sectors.uav.fixed_cost_share": draw(st.floats(0.0, 0.3)),
        "sectors.artillery.firms": draw(st.integers(1, 10)),
        "procurement.budget_usd": draw(st.floats(0.0, 5e9)),
        "procurement.budget_growth": draw(st.floats(-0.5, 1.0)),
        "procurement.sector_shares": {"uav": uav_share, "artillery": 1.0 - uav_share},
        "procurement.tranche": draw(st.sampled_from(["monthly", "quarterly"])),
        "procurement.allocation": draw(st.sampled_from(["pro_rata", "largest_first", "random"])),
        "procurement.payment_delay_days": draw(st.integers(0, 90)),
        "licensing.commission.meeting_every_days": draw(st.integers(1, 120)),
        "licensing.commission.decisions_per_meeting": draw(st.integers(1, 50)),
        "licensing.approval_rate": {"default": draw(shares)},
        "licensing.export_cap_share": draw(shares),
        "licensing.apply_when_idle_share": draw(shares),
        "licensing.licence_months": draw(st.integers(1, 24)),
        "licensing.preparation_days": draw(st.integers(0, 120)),
        "markets.north.demand_usd": {
            "uav": draw(st.floats(0.0, 5e9)),
            "artillery": draw(st.floats(0.0, 1e9)),
        },
        "markets.north.order_usd": draw(st.floats(1e6, 5e8)),
        "markets.north.delivery_months": draw(st.integers(1, 12)),
        "reinvestment": {"export_levy": draw(shares), "capacity_reinvest": draw(shares)},
        "exits.grace_months": draw(st.integers(1, 6)),
    }
    if draw(st.booleans()):
        changes["joint_production"] = [
            {
                "partner": "p",
                "sector": "uav",
                "start": "2026-03-01",
                "capacity_usd": draw(st.floats(0.0, 1e9)),
                "royalty": draw(shares),
                "serves": "north",
            }
        ]
    if draw(st.booleans()):
        changes["export_centres"] = {
            "count": draw(st.integers(0, 10)),
            "opens": "2026-04-01",
            "demand_uplift": draw(st.floats(0.0, 0.2)),
        }
    return make_scenario(**changes)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), replication=st.integers(0, 3), seed=st.integers(0, 2**32))
def test_invariants_hold_every_month(scenario: Scenario, replication: int, seed: int) -> None:
    record = run_replication(scenario, replication, seed)
    assert invariant_violations(record) == []


