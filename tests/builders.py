"""The tiny scenario of the tests, built from a plain dict so each test states what it changes.

One base (``BASE``) and one way to change it: dotted paths, e.g.
``make_scenario(**{"procurement.budget_usd": 1e9})``; ``DELETE`` removes a field.
``scenario_dict`` gives the dict (also for invalid scenarios), ``make_scenario`` the
validated ``Scenario`` and ``write_scenario`` a YAML file. Named sets of changes
(``EVERY_CHART``, ``TINY_SWEEP``, ``TINY_SENSITIVITY``) are spread in like any other:
``write_scenario(folder, **EVERY_CHART)``. ``morris_result`` is a sensitivity result
made without running anything, for the charts and pages that show one.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.analysis.sensitivity.indices import SensitivityResult
from sim.scenario.schema import Scenario


class _Delete:
    pass


DELETE = _Delete()
"""As the value of a change, removes the field."""

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


DESCRIPTION = "Tiny <b>test</b> scenario & friends"
"""Contains HTML metacharacters, to check the report escapes them."""

EVERY_CHART: dict[str, Any] = {
    "description": DESCRIPTION,
    "months": 15,
    "sectors.electronic_warfare": {"firms": 12, "capacity_usd": 0.5e9, "margin": 0.15},
    "procurement.sector_shares": {"uav": 0.4, "artillery": 0.4, "electronic_warfare": 0.2},
    "licensing.commission.pauses": [{"start": "2026-04-01", "end": "2026-06-15"}],
    "markets.west": {
        "opens": "2026-03-01",
        "order_usd": 8e6,
        "delivery_months": 4,
        "demand_usd": {"uav": 0.2e9, "electronic_warfare": 0.2e9},
    },
}
"""A third sector, a commission pause and a second market: every chart of a run has data."""

TINY_SWEEP: dict[str, Any] = {
    "name": "tiny-sweep",
    "replications": 3,
    "seed": 5,
    "sectors.uav": {"firms": 20, "capacity_usd": 1.2e9, "margin": 0.15, "cash_months": 600},
    "sectors.artillery.firms": 8,
    "sectors.artillery.cash_months": 600,
    "reinvestment": DELETE,
}
"""For sweeps: firms hold 50 years of cash, so none exits and capacity does not depend on the
budget."""

TINY_SENSITIVITY: dict[str, Any] = {
    "name": "tiny-sensitivity",
    "replications": 2,
    "seed": 8,
    "sectors.uav": {"firms": 20, "capacity_usd": 1.2e9, "margin": 0.15},
    "sectors.artillery.firms": 8,
    "reinvestment": DELETE,
}
"""For sensitivity analyses: fewer firms and replications, no reinvestment."""


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
            node[last] = copy.deepcopy(value)
    return data


def make_scenario(**changes: Any) -> Scenario:
    """The tiny scenario with ``changes``, validated."""
    return Scenario.model_validate(scenario_dict(**changes))


def write_scenario(folder: Path, filename: str = "tiny.yaml", /, **changes: Any) -> Path:
    """The tiny scenario with ``changes`` as the YAML file ``folder/filename``.

    Both are positional only, so ``name=`` changes the scenario's name, not the file's.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(yaml.safe_dump(scenario_dict(**changes), sort_keys=False), encoding="utf-8")
    return path



def morris_result() -> SensitivityResult:
    """Morris indices of ``absorption_share`` for two parameters, as if computed (no runs)."""
    rows = [{"parameter": p, "mu_star": m, "mu_star_conf": m / 10, "sigma": m, "mu": m}
            for p, m in (("procurement.budget_usd", 0.2), ("licensing.approval_rate.uav", 0.05))]
    return SensitivityResult("morris", [r["parameter"] for r in rows], [(0, 1), (0, 1)],
                             np.zeros((4, 2)), {"absorption_share": np.zeros(4)},
                             {"absorption_share": rows})
