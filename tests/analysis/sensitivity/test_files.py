"""sim.analysis.sensitivity.files: the folder ``defsim sensitivity`` writes."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from builders import TINY_SENSITIVITY, morris_result, write_scenario
from helpers import defsim

from sim.analysis.sensitivity import parse_factor, write_sensitivity
from sim.scenario.io import load_scenario


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


def test_sensitivity_folder_has_a_self_contained_report(tmp_path: Path) -> None:
    scenario = load_scenario(write_scenario(tmp_path, **TINY_SENSITIVITY))
    factors = [parse_factor("procurement.budget_usd=0.3e9:1.5e9"),
               parse_factor("licensing.approval_rate.uav=0.2:0.9")]
    out = tmp_path / "out"
    out.mkdir()
    write_sensitivity(out, morris_result(), factors, scenario, {"replications": 2})
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") == len(list((out / "plots").glob("*.png"))) == 1
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "procurement › budget" in page and "most influential first" in page
    assert "2 replications each" in page and "Scenario as run" in page
