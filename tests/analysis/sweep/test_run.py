"""Sweeps: design parsing, direction of change under common random numbers, output folders."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from builders import DELETE, make_scenario, write_scenario
from helpers import defsim

from sim.analysis.sweep import Lever, full_factorial, parse_vary, run_sweep, sweep_csv
from sim.errors import InputError
from sim.scenario.schema import Scenario

TINY_SWEEP = {
    "name": "tiny-sweep",
    "replications": 3,
    "seed": 5,
    "sectors.uav": {"firms": 20, "capacity_usd": 1.2e9, "margin": 0.15, "cash_months": 600},
    "sectors.artillery.firms": 8,
    "sectors.artillery.cash_months": 600,
    "reinvestment": DELETE,
}
"""Firms hold 50 years of cash, so none exits and capacity does not depend on the budget."""


@pytest.fixture
def tiny_sweep() -> Scenario:
    return make_scenario(**TINY_SWEEP)


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    return write_scenario(tmp_path, **TINY_SWEEP)


def test_range_includes_both_ends() -> None:
    lever = parse_vary("procurement.budget_usd=10e9:55e9:10")
    assert lever.path == "procurement.budget_usd"
    assert lever.values[0] == 10e9 and lever.values[-1] == 55e9 and len(lever.values) == 10
    assert lever.numeric and lever.kind == "lever"


def test_range_over_integer_field_is_rounded() -> None:
    lever = parse_vary("licensing.commission.meeting_every_days=14:30:4")
    assert lever.values == (14, 19, 25, 30)
    assert all(isinstance(v, int) for v in lever.values)


def test_listed_values_are_read_as_yaml() -> None:
    assert parse_vary("procurement.allocation=pro_rata,largest_first").values == (
        "pro_rata",
        "largest_first",
    )
    assert parse_vary("licensing.export_cap_share=0.3, 0.5").values == (0.3, 0.5)
    assert parse_vary("markets.north.demand_usd.uav=1e9:2e9:2").kind == "uncertainty"


@pytest.mark.parametrize(
    "text",
    [
        "budget",
        "procurement.budget_usd=",
        "procurement.budget_usd=1:2",
        "procurement.budget_usd=1:2:0",
        "procurement.budget_usd=a:b:3",
    ],
)
def test_bad_vary_is_rejected(text: str) -> None:
    with pytest.raises(InputError):
        parse_vary(text)


def test_full_factorial_last_lever_fastest() -> None:
    design = full_factorial([Lever("a", (1, 2)), Lever("b", ("x", "y", "z"))])
    assert [tuple(p.values()) for p in design] == [
        (1, "x"),
        (1, "y"),
        (1, "z"),
        (2, "x"),
        (2, "y"),
        (2, "z"),
    ]


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


def test_cli_sweep_writes_folder(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "line"
    ran = defsim(
        "sweep",
        tiny_file,
        "--vary",
        "procurement.budget_usd=0.5e9:1.5e9:3",
        "-n",
        "2",
        "--workers",
        "1",
        "--out",
        out,
    )
    assert ran.code == 0, ran.err
    printed = ran.out
    assert "tiny-sweep sweep" in printed and str(out) in printed
    rows = list(csv.DictReader((out / "sweep.csv").read_text().splitlines()))
    assert len(rows) == 3 and "surplus_usd_ci_high" in rows[0]
    assert sorted(p.name for p in (out / "points").iterdir()) == ["000", "001", "002"]
    summary = json.loads((out / "points" / "001" / "summary.json").read_text())
    assert summary["replications"] == 2
    assert (out / "plots" / "absorption_share.png").stat().st_size > 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["levers"] == {"procurement.budget_usd": [0.5e9, 1.0e9, 1.5e9]}


def test_cli_grid_summary_only(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "grid"
    ran = defsim(
        "sweep",
        tiny_file,
        "--vary",
        "procurement.budget_usd=0.5e9:1.5e9:2",
        "--vary",
        "procurement.allocation=pro_rata,largest_first",
        "-n",
        "2",
        "--workers",
        "1",
        "--summary-only",
        "--quiet",
        "--out",
        out,
    )
    assert ran.code == 0, ran.err
    assert not (out / "points").exists()
    assert len((out / "sweep.csv").read_text().splitlines()) == 1 + 4
    assert (out / "plots" / "firms_exited.png").exists()


def test_cli_bad_input_exits_2(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "bad"
    ran = defsim("sweep", tiny_file, "--vary", "procurement.budget_usd=-1e9:1e9:3", "--out", out)
    assert ran.code == 2
    assert not out.exists()


@pytest.mark.slow
def test_parallel_sweep_equals_sequential(tiny_sweep: Scenario) -> None:
    """The shared worker pool really runs (2 workers) and gives the in-process numbers."""
    lever = parse_vary("licensing.approval_rate.uav=0.3,0.9")
    one = run_sweep(tiny_sweep, [lever], replications=4, seed=2, workers=1)
    two = run_sweep(tiny_sweep, [lever], replications=4, seed=2, workers=2)
    assert sweep_csv(one) == sweep_csv(two)
