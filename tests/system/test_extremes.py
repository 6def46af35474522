"""Extreme but valid scenarios: each runs and keeps every invariant, with no NaN or negative.

One replication each, short horizons unless the horizon is the point.
``mean_days_to_licence`` and ``mean_days_to_decision`` are undefined (NaN, written as an
empty cell) when no licence is granted (no application decided); every other outcome
must be a finite non-negative number.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import defsim

from sim.model import run_replication
from sim.model.records import invariant_violations
from sim.run.outcomes import outcome_columns, outcome_row
from sim.scenario.schema import Scenario

SECTORS = ("uav", "ew", "art")

BASE: dict[str, Any] = {
    "name": "extreme",
    "start": "2026-01-01",
    "months": 12,
    "replications": 1,
    "seed": 9,
    "sectors": {
        "uav": {"firms": 20, "capacity_usd": 1.0e9, "margin": 0.15},
        "ew": {"firms": 5, "capacity_usd": 0.5e9, "margin": 0.1},
        "art": {"firms": 5, "capacity_usd": 0.5e9, "margin": 0.1, "exportable": False},
    },
    "procurement": {"budget_usd": 1.0e9, "sector_shares": {"uav": 0.5, "ew": 0.2, "art": 0.3}},
    "licensing": {
        "opens": "2025-10-01",
        "commission": {
            "meeting_every_days": 30,
            "decisions_per_meeting": 50,
            "pauses": [{"start": "2026-03-01", "end": "2026-04-15"}],
        },
        "approval_rate": {"uav": 0.7, "default": 0.3},
    },
    "markets": {
        "eu": {"demand_usd": {"uav": 1.0e9, "ew": 0.3e9}, "order_usd": 10e6},
        "asia": {"opens": "2026-06-01", "demand_usd": {"uav": 0.5e9}, "order_usd": 20e6,
                 "delivery_months": 3, "price_premium": 0.3},
    },
    "export_centres": {"count": 5, "opens": "2026-05-01", "demand_uplift": 0.05},
    "reinvestment": {"export_levy": 0.1, "capacity_reinvest": 0.3},
    "joint_production": [{"partner": "de", "sector": "uav", "start": "2026-02-01",
                          "capacity_usd": 1e8, "royalty": 0.05, "serves": "eu"}],
}

Change = Callable[[dict[str, Any]], None]


def put(path: str, value: Any) -> Change:
    def change(data: dict[str, Any]) -> None:
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value

    return change


def every_sector(field: str, value: Any) -> list[Change]:
    return [put(f"sectors.{s}.{field}", value) for s in SECTORS]


def broke() -> list[Change]:
    """No cash, fixed costs equal to capacity, one month of grace: everyone exits in month 1."""
    return [*every_sector("cash_months", 0.0), *every_sector("fixed_cost_share", 1.0),
            *every_sector("margin", 0.0), put("exits", {"grace_months": 1})]


CASES: dict[str, list[Change]] = {
    "one_firm": [
        put("sectors", {"uav": {"firms": 1, "capacity_usd": 1e9, "margin": 0.15}}),
        put("procurement.sector_shares", {"uav": 1.0}),
        put("markets.eu.demand_usd", {"uav": 1e9}),
    ],
    "firms_100k": [put("months", 3), put("sectors.uav.firms", 100_000),
                   put("sectors.uav.capacity_usd", 20e9)],
    "horizon_20_years": [put("months", 240)],
    "zero_budget": [put("procurement.budget_usd", 0.0)],
    "budget_100x_capacity": [put("procurement.budget_usd", 200e9)],
    "every_firm_exits_in_month_1": broke(),
    "every_firm_acquired_in_month_1": [
        *broke(),
        put("exits", {"grace_months": 1,
                      "outcomes": {"bankrupt": 0.0, "migrated": 0.0, "acquired": 1.0}}),
    ],
    "export_demand_1000x_capacity": [put("markets.eu.demand_usd", {"uav": 1e12, "ew": 5e11}),
                                     put("markets.eu.order_usd", 1e9)],
    "approval_rate_0": [put("licensing.approval_rate", {"default": 0.0})],
    "approval_rate_1": [put("licensing.approval_rate", {"default": 1.0})],
    "capacities_1e15": [
        *every_sector("capacity_usd", 1e15),
        put("procurement.budget_usd", 1e15),
        put("markets.eu.demand_usd", {"uav": 1e15}),
        put("markets.eu.order_usd", 1e13),
        put("joint_production.0.capacity_usd", 1e15),
    ],
    "capacity_of_a_billionth_usd": [put("sectors.uav.capacity_usd", 1e-9)],
    "closed_export_channel": [
        lambda d: d.pop("licensing"), lambda d: d.pop("export_centres"),
        put("markets", {}), put("joint_production", []),
    ],
    "licensing_opens_after_the_horizon": [put("licensing.opens", "2030-01-01")],
    "a_sector_without_firms": [put("sectors.art", {"firms": 0, "capacity_usd": 0, "margin": 0.1})],
    "firm_sizes_sigma_5": [put("sectors.uav.size_sigma", 5.0)],
    "quarterly_random_no_delay": [put("procurement.tranche", "quarterly"),
                                  put("procurement.allocation", "random"),
                                  put("procurement.payment_delay_days", 0)],
    "budget_growth_1000_percent": [put("months", 60), put("procurement.budget_growth", 10.0)],
    "levy_and_reinvestment_at_maximum": [
        put("months", 60),
        put("reinvestment", {"export_levy": 1.0, "capacity_reinvest": 1.0,
                             "capacity_per_usd": 100.0}),
    ],
    "commission_meets_daily_one_decision": [
        put("licensing.commission", {"meeting_every_days": 1, "decisions_per_meeting": 1}),
    ],
}


def build(changes: list[Change]) -> Scenario:
    data = copy.deepcopy(BASE)
    for change in changes:
        change(data)
    return Scenario.model_validate(data)


def outcomes(scenario: Scenario) -> tuple[dict[str, float], list[str]]:
    record = run_replication(scenario, 0, scenario.seed)
    row = outcome_row(record)
    values = dict(zip(outcome_columns(scenario.sector_names), (float(v) for v in row), strict=True))
    return values, invariant_violations(record)


def assert_sound(values: dict[str, float], violations: list[str]) -> None:
    assert violations == []
    undefined = {"mean_days_to_licence": "licences_granted", "mean_days_to_decision": "decisions"}
    for name, value in values.items():
        if name in undefined and values[undefined[name]] == 0:
            assert np.isnan(value)
            continue
        assert np.isfinite(value), name
        assert value >= 0, name


@pytest.mark.parametrize("case", list(CASES))
def test_extreme_scenario_keeps_the_invariants(case: str) -> None:
    values, violations = outcomes(build(CASES[case]))
    assert_sound(values, violations)


def test_what_the_extremes_mean() -> None:
    broke_run, _ = outcomes(build(CASES["every_firm_exits_in_month_1"]))
    assert broke_run["firms_active_end"] == 0
    exits = sum(broke_run[f"firms_{s}"] for s in ("bankrupt", "migrated", "acquired"))
    assert exits == broke_run["firms_start"] == 30

    no_budget, _ = outcomes(build(CASES["zero_budget"]))
    assert no_budget["domestic_usd"] <= no_budget["levy_usd"] * (1 + 1e-9), "only the levy buys"

    rich, _ = outcomes(build(CASES["budget_100x_capacity"]))
    assert rich["unspent_budget_usd"] > 0.9 * 200e9
    assert rich["domestic_usd"] <= rich["capacity_usd"]

    flooded, _ = outcomes(build(CASES["export_demand_1000x_capacity"]))
    assert flooded["unmet_export_demand_usd"] > 0.9 * flooded["export_demand_usd"]

    refused, _ = outcomes(build(CASES["approval_rate_0"]))
    assert refused["licences_granted"] == 0 and refused["export_usd"] == 0

    approved, _ = outcomes(build(CASES["approval_rate_1"]))
    assert approved["licences_granted"] == approved["applications"] > 0

    one, _ = outcomes(build(CASES["one_firm"]))
    assert one["firms_start"] == 1


def test_1e15_capacities_survive_the_whole_cli(tmp_path: Path) -> None:
    scenario = build(CASES["capacities_1e15"])
    path = tmp_path / "huge.yaml"
    path.write_text(json.dumps(scenario.model_dump(mode="json")), encoding="utf-8")
    out = tmp_path / "run"
    ran = defsim("run", path, "--out", out, "-n", "2", "--workers", "1", "--quiet")
    assert ran.code == 0, ran.err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    capacity = summary["metrics"]["capacity_usd"]["mean"]
    assert np.isfinite(capacity) and capacity >= 3e15 * 0.9
