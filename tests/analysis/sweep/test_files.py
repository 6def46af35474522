"""sim.analysis.sweep.files: the folder ``defsim sweep`` writes, and nothing for a bad design."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from builders import TINY_SWEEP, write_scenario
from helpers import defsim

from sim.metrics import label_of


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    return write_scenario(tmp_path, **TINY_SWEEP)


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


def test_sweep_folder_has_a_self_contained_report(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "line"
    ran = defsim("sweep", tiny_file, "--vary", "procurement.budget_usd=0.5e9:1.5e9:3", "-n", "2",
                 "--workers", "1", "--quiet", "--out", out)
    assert ran.code == 0, ran.err
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("<img") == len(list((out / "plots").glob("*.png"))) > 0
    assert "http://" not in page and "https://" not in page and "<script" not in page
    assert "procurement › budget" in page and "2 replications per point" in page
    for value in ("$500M", "$1.00B", "$1.50B"):
        assert f"<td>{value}</td>" in page, value
    assert label_of("absorption_share") in page and "Scenario as run" in page
