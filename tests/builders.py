"""Small scenarios for tests, built from a plain dict so each test states what it changes."""

from __future__ import annotations

import copy
from typing import Any

from sim.scenario.schema import Scenario

BASE: dict[str, Any] = {
    "name": "tiny",
    "start": "2026-01-01",
    "months": 12,
    "replications": 4,
    "seed": 11,
    "sectors": {
        "uav": {
            "firms": 30,
            "capacity_usd": 1.2e9,
            "margin": 0.15,
            "fixed_cost_share": 0.05,
            "cash_months": 6,
        },
        "artillery": {"firms": 10, "capacity_usd": 0.6e9, "margin": 0.12, "exportable": False},
    },
    "procurement": {
        "budget_usd": 0.9e9,
        "sector_shares": {"uav": 0.5, "artillery": 0.5},
    },
    "licensing": {
        "opens": "2026-01-01",
        "commission": {"meeting_every_days": 30, "decisions_per_meeting": 20},
        "approval_rate": {"uav": 0.7, "default": 0.3},
        "preparation_days": 20,
    },
    "markets": {
        "north": {
            "demand_usd": {"uav": 0.4e9},
            "order_usd": 10e6,
            "delivery_months": 3,
            "price_premium": 0.2,
        },
    },
    "reinvestment": {"export_levy": 0.1, "capacity_reinvest": 0.2},
}


def scenario_dict(**changes: Any) -> dict[str, Any]:
    """BASE with dotted-path changes applied, e.g. ``**{"procurement.budget_usd": 1e9}``."""
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if value is DELETE:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def make_scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(scenario_dict(**changes))


class _Delete:
    pass


DELETE = _Delete()
