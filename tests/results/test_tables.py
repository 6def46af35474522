"""``summary.csv``: every estimate of ``summary.json``, a row per metric and sector, labelled."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from builders import write_scenario
from helpers import save_run

from sim.metrics import OUTCOMES, SECTOR_OUTCOMES, label_of, unit_of
from sim.results.tables import SUMMARY_COLUMNS


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("tables")
    return save_run(write_scenario(where), where / "run", replications=3)


def test_every_run_folder_has_summary_csv_matching_summary_json(folder: Path) -> None:
    rows = list(csv.DictReader((folder / "summary.csv").open(encoding="utf-8")))
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    sectors = list(summary["sectors"])
    assert len(rows) == len(OUTCOMES) + len(sectors) * len(SECTOR_OUTCOMES)
    for row in rows:
        est = (summary["metrics"] if row["sector"] == "all"
               else summary["sectors"][row["sector"]])[row["metric"]]
        assert row["label"] == label_of(row["metric"])
        assert row["unit"] == unit_of(row["metric"]).value
        assert int(row["n"]) == est["n"]
        for key in ("mean", "ci_low", "ci_high", "std"):
            assert (float(row[key]) if row[key] else None) == est[key], (row["metric"], key)
