"""The audit trace of replication 0 (``defsim run --trace``) agrees with the run's outcomes."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest
from builders import EVERY_CHART, write_scenario
from helpers import defsim

KINDS = {"application_submitted", "licence_granted", "licence_refused", "export_order",
         "order_lost", "export_delivery", "tranche"}


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("trace")
    out = folder / "run"
    scenario = write_scenario(folder, **EVERY_CHART)
    ran = defsim("run", scenario, "-n", "4", "--workers", "1", "--quiet", "--out", out, "--trace")
    assert ran.code == 0, ran.err
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_trace_has_its_columns_and_event_kinds(traced: Path) -> None:
    rows = _rows(traced / "trace.csv")
    columns = ["date", "day", "kind", "sector", "firm", "market", "amount_usd", "state"]
    assert list(rows[0]) == columns
    assert {r["kind"] for r in rows} >= KINDS


def test_export_deliveries_sum_to_replication_0_exports(traced: Path) -> None:
    delivered = math.fsum(float(r["amount_usd"]) for r in _rows(traced / "trace.csv")
                          if r["kind"] == "export_delivery")
    first = _rows(traced / "replications.csv")[0]
    assert first["replication"] == "0"
    assert delivered > 0
    assert delivered == pytest.approx(float(first["export_usd"]), rel=1e-9)
