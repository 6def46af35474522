"""The files of a run folder, written from a run's data (README, "The run folder").

``scenario.yaml`` (the scenario as run), ``summary.json`` (estimates) and
``summary.csv`` (the same, a row per metric and sector),
``replications.csv`` (one row of outcomes per replication), ``monthly.csv``
(statistics of the monthly series), ``trace.csv`` (with ``--trace``),
``monthly_replications.csv`` (with ``--keep-monthly``), ``scenario_file.yaml`` (the
scenario file as written, comments and all) and ``manifest.json`` (how
the run was made). Numbers are written as the shortest text that reads back to the
same float, so the files are byte-identical whatever computed them.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import platform
import shutil
import sys
from collections.abc import Mapping
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import numpy as np

from sim.metrics import MARKET_FIELDS, MONTHLY_METRICS
from sim.model.calendar import Calendar
from sim.results.tables import summary_csv_text
from sim.run.reduction import RunData
from sim.run.replication import ReplicationOutput
from sim.scenario.io import scenario_source, scenario_to_yaml

__all__ = [
    "MONTHLY_REPLICATIONS",
    "SCENARIO_FILE",
    "MonthlyReplicationsWriter",
    "manifest_json",
    "monthly_csv",
    "replications_csv",
    "summary_csv",
    "summary_json",
    "trace_csv",
    "write_run_files",
]

PACKAGES = ("numpy", "numba", "llvmlite", "scipy", "simpy", "pydantic", "PyYAML", "matplotlib",
            "click", "rich")
"""Versions recorded in ``manifest.json``."""
MONTHLY_REPLICATIONS = "monthly_replications.csv"
SCENARIO_FILE = "scenario_file.yaml"
"""The scenario file as the user wrote it, comments (sources, assumptions) and all."""


def write_run_files(
    folder: Path,
    run: RunData,
    info: Mapping[str, Any],
    monthly_replications: Path | None = None,
) -> None:
    """Every data file of a run folder into ``folder`` (plots and report are ``sim.report``'s).

    ``info`` is added to the manifest (command, times, workers); ``monthly_replications``
    is a file written by ``MonthlyReplicationsWriter`` during the run, copied in.
    """
    (folder / "scenario.yaml").write_text(scenario_to_yaml(run.scenario), encoding="utf-8")
    source = scenario_source(run.scenario)
    if source is not None:
        (folder / SCENARIO_FILE).write_text(source, encoding="utf-8")
    (folder / "summary.json").write_text(summary_json(run), encoding="utf-8")
    (folder / "summary.csv").write_text(summary_csv(run), encoding="utf-8")
    (folder / "replications.csv").write_text(replications_csv(run), encoding="utf-8")
    (folder / "monthly.csv").write_text(monthly_csv(run), encoding="utf-8")
    if run.trace is not None:
        (folder / "trace.csv").write_text(trace_csv(run), encoding="utf-8")
    if monthly_replications is not None:
        shutil.copyfile(monthly_replications, folder / MONTHLY_REPLICATIONS)
    (folder / "manifest.json").write_text(manifest_json(run, info), encoding="utf-8")


def summary_json(run: RunData) -> str:
    """``summary.json``: estimates of every outcome, industry and per sector."""
    calendar = Calendar(run.scenario.start, run.scenario.months)
    document = {
        "scenario": run.scenario.name,
        "seed": run.seed,
        "replications": run.replications,
        "months": run.scenario.months,
        "metrics": {name: est.as_dict() for name, est in run.summary.items()},
        "sectors": {
            sector: {name: est.as_dict() for name, est in values.items()}
            for sector, values in run.sectors.items()
        },
        "commission_meetings": [
            (run.scenario.start + dt.timedelta(days=int(d))).isoformat()
            for d in run.meeting_days
        ],
        "horizon_end": calendar.month_date(run.scenario.months).isoformat(),
    }
    return json.dumps(document, indent=2, allow_nan=False) + "\n"


def summary_csv(run: RunData) -> str:
    """``summary.csv``: ``summary.json``'s estimates, a row per metric and sector."""
    return summary_csv_text(json.loads(summary_json(run)))


def replications_csv(run: RunData) -> str:
    """``replications.csv``: one row per replication, one column per outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["replication", *run.columns])
    for k, row in enumerate(run.rows):
        writer.writerow([k, *(number(v) for v in row)])
    return out.getvalue()


def monthly_csv(run: RunData) -> str:
    """``monthly.csv``: mean and percentiles of every series, per month and group."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", "sector", "metric", "mean", "p05", "p50", "p95"])
    m = run.monthly
    for g, group in enumerate(run.groups):
        names = MARKET_FIELDS if group.startswith("market:") else MONTHLY_METRICS
        for k, metric in enumerate(names):
            for t, label in enumerate(run.month_labels):
                values = (m.mean[t, g, k], m.p05[t, g, k], m.p50[t, g, k], m.p95[t, g, k])
                writer.writerow([label, group, metric, *(number(v) for v in values)])
    return out.getvalue()


def trace_csv(run: RunData) -> str:
    """``trace.csv``: every event of replication 0, dated."""
    assert run.trace is not None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "day", "kind", "sector", "firm", "market", "amount_usd", "state"])
    for e in run.trace:
        date = run.scenario.start + dt.timedelta(days=math.floor(e.day))
        firm = "" if e.firm < 0 else e.firm
        writer.writerow([date.isoformat(), number(e.day), e.kind, e.sector,
                         firm, e.market, number(e.amount_usd), e.state])
    return out.getvalue()


def manifest_json(run: RunData, info: Mapping[str, Any]) -> str:
    """``manifest.json``: versions, seed, stop rule, the scenario's hash, then ``info``."""
    scenario_text = scenario_to_yaml(run.scenario)
    document = {
        "defsim_version": _version("defsim"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in PACKAGES},
        "seed": run.seed,
        "replications": run.replications,
        "stop": asdict(run.stop),
        "scenario_sha256": hashlib.sha256(scenario_text.encode("utf-8")).hexdigest(),
        "events_per_replication": run.events_per_replication,
        **info,
    }
    return json.dumps(document, indent=2, default=str) + "\n"


class MonthlyReplicationsWriter:
    """``monthly_replications.csv``: every replication's monthly series, appended as it arrives.

    One row per replication, month and group (indices into the run's months and
    groups), one column per series of ``monthly.csv``.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file: IO[str] = path.open("w", encoding="utf-8")
        self.header_written = False

    def write(self, output: ReplicationOutput) -> None:
        """Append one replication's rows (after the header, for the first)."""
        cube = output.cube
        if not self.header_written:
            header = ",".join(["replication", "month_index", "group_index", *MONTHLY_METRICS])
            self.file.write(header + "\n")
            self.header_written = True
        for t in range(cube.shape[0]):
            for g in range(cube.shape[1]):
                values = ",".join(repr(float(v)) for v in cube[t, g])
                self.file.write(f"{output.index},{t},{g},{values}\n")

    def close(self) -> None:
        """Close the file; the rows written stay."""
        self.file.close()


def number(value: float) -> str:
    """Shortest exact text of a float; empty for undefined values."""
    value = float(value)
    if not np.isfinite(value):
        return ""
    return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"
