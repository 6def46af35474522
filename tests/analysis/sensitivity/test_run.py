"""sim.analysis.sensitivity.run: the simulation as a function of the factors."""

from __future__ import annotations

import numpy as np
import pytest
from builders import TINY_SENSITIVITY, make_scenario

from sim.analysis.sensitivity import ScenarioModel, parse_factor, run_sensitivity


def test_integer_fields_are_rounded() -> None:
    base = make_scenario(**TINY_SENSITIVITY)
    factors = [
        parse_factor("licensing.commission.meeting_every_days=14:90"),
        parse_factor("licensing.export_cap_share=0.2:0.8"),
    ]
    model = ScenarioModel(base, factors, replications=1, seed=1)
    scenario = model.scenario(np.array([20.6, 0.45]))
    assert scenario.licensing is not None
    assert scenario.licensing.commission.meeting_every_days == 21
    assert scenario.licensing.export_cap_share == pytest.approx(0.45)


def test_no_export_demand_means_no_sensitivity_to_approval() -> None:
    base = make_scenario(**TINY_SENSITIVITY, **{"markets.north.demand_usd.uav": 0.0})
    factors = [
        parse_factor("licensing.approval_rate.uav=0.1:0.9"),
        parse_factor("procurement.budget_usd=0.3e9:1.5e9"),
    ]
    result = run_sensitivity(base, factors, "morris", samples=3, replications=2, workers=1)
    assert np.all(result.outputs["export_usd"] == 0.0)
    approval = next(
        r for r in result.indices["export_usd"] if r["parameter"] == "licensing.approval_rate.uav"
    )
    assert approval["mu_star"] == pytest.approx(0.0, abs=1e-9)
    budget = next(
        r for r in result.indices["domestic_usd"] if r["parameter"] == "procurement.budget_usd"
    )
    assert budget["mu_star"] > 0
