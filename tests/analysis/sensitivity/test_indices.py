"""Sensitivity analysis: SALib's known answers through our entry point, and model-based checks."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from builders import DELETE, make_scenario, write_scenario
from helpers import defsim
from numpy.testing import assert_allclose
from SALib.test_functions import Ishigami

from sim.analysis.sensitivity import (
    Factor,
    ScenarioModel,
    analyse,
    parse_factor,
    ranking_lines,
    run_sensitivity,
)
from sim.errors import InputError

TINY_SENSITIVITY = {
    "name": "tiny-sensitivity",
    "replications": 2,
    "seed": 8,
    "sectors.uav": {"firms": 20, "capacity_usd": 1.2e9, "margin": 0.15},
    "sectors.artillery.firms": 8,
    "reinvestment": DELETE,
}

PI_BOUNDS = [(-np.pi, np.pi)] * 3


def ishigami(x: np.ndarray) -> dict[str, float]:
    return {"y": float(Ishigami.evaluate(x[np.newaxis, :])[0])}


def test_sobol_reproduces_ishigami_indices() -> None:
    """Known indices; the tolerance is SALib's own regression test's (atol 0.05, rtol 0.1)."""
    result = analyse(
        ishigami, ["x1", "x2", "x3"], PI_BOUNDS, method="sobol", samples=1024, seed=101
    )
    rows = result.indices["y"]
    assert_allclose([r["S1"] for r in rows], [0.314, 0.442, 0.0], atol=5e-2, rtol=1e-1)
    assert_allclose([r["ST"] for r in rows], [0.558, 0.442, 0.244], atol=5e-2, rtol=1e-1)
    assert len(result.samples) == 1024 * (3 + 2)


def test_morris_on_a_linear_function() -> None:
    """y = 3 a: the elementary effect of a is its slope over the unit range; b does nothing."""
    result = analyse(
        lambda x: {"y": 3.0 * x[0]}, ["a", "b"], [(0.0, 1.0), (0.0, 1.0)], "morris", 6, seed=4
    )
    a, b = result.indices["y"]
    assert a["mu_star"] == pytest.approx(3.0) and a["sigma"] == pytest.approx(0.0, abs=1e-12)
    assert b["mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert [r["parameter"] for r in result.ranking("y")] == ["a", "b"]


def test_constant_and_undefined_outcomes() -> None:
    def model(x: np.ndarray) -> dict[str, float]:
        return {"flat": 2.0, "gaps": float("nan") if x[0] > 0.5 else x[0]}

    result = analyse(model, ["a", "b"], [(0.0, 1.0)] * 2, "sobol", 8, seed=1)
    assert all(r["S1"] == 0.0 and r["ST"] == 0.0 for r in result.indices["flat"])
    assert "gaps" in result.skipped and "gaps" not in result.indices
    assert "no parameter moves it" in ranking_lines(result, "flat")[0]


def test_parse_factor() -> None:
    factor = parse_factor("licensing.commission.meeting_every_days=14:90")
    assert factor == Factor("licensing.commission.meeting_every_days", 14.0, 90.0, integer=True)
    assert parse_factor("procurement.budget_usd=10e9:40e9").integer is False
    for bad in (
        "procurement.budget_usd=5",
        "procurement.budget_usd=2:1",
        "procurement.budget_usd=a:b",
    ):
        with pytest.raises(InputError):
            parse_factor(bad)


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


def test_cli_sensitivity_writes_indices(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, **TINY_SENSITIVITY)
    out = tmp_path / "morris"
    ran = defsim(
        "sensitivity",
        scenario,
        "--vary",
        "procurement.budget_usd=0.3e9:1.5e9",
        "--vary",
        "licensing.approval_rate.uav=0.2:0.9",
        "--vary",
        "licensing.commission.meeting_every_days=14:90",
        "--method",
        "morris",
        "--samples",
        "2",
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        out,
    )
    assert ran.code == 0, ran.err
    assert "absorption_share, most influential first:" in ran.out
    rows = list(csv.DictReader((out / "indices.csv").read_text().splitlines()))
    assert {"outcome", "parameter", "mu_star", "mu_star_conf", "sigma"} <= set(rows[0])
    assert {r["parameter"] for r in rows if r["outcome"] == "absorption_share"} == {
        "procurement.budget_usd",
        "licensing.approval_rate.uav",
        "licensing.commission.meeting_every_days",
    }
    assert (out / "plots" / "indices_absorption_share.png").exists()
    assert (out / "plots" / "indices_firms_exited.png").exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["evaluations"] == 2 * 4
    assert manifest["integer_factors"] == ["licensing.commission.meeting_every_days"]


def test_cli_sobol_needs_power_of_two(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, **TINY_SENSITIVITY)
    ran = defsim(
        "sensitivity",
        scenario,
        "--vary",
        "procurement.budget_usd=0.3e9:1.5e9",
        "--method",
        "sobol",
        "--samples",
        "6",
        "--out",
        tmp_path / "x",
    )
    assert ran.code == 2
