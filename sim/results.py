"""Run results and run folders: written atomically, read back for plots and comparison.

A run folder is written into a hidden temporary sibling and renamed into place
only when every file is complete, so an interrupted run never leaves a folder
that looks finished. Existing non-empty folders are never written into.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import json
import platform
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError
from sim.metrics import MONTHLY_METRICS, OUTCOMES, SECTOR_OUTCOMES
from sim.model.calendar import Calendar
from sim.model.records import MARKET_FIELDS, TraceEvent
from sim.scenario.io import scenario_to_yaml
from sim.scenario.schema import Scenario
from sim.stats import Estimate, estimate

__all__ = ["MonthlySummary", "RunResult", "StopRule", "atomic_folder", "default_out_dir"]

PACKAGES = ("numpy", "scipy", "simpy", "pydantic", "PyYAML", "matplotlib", "click", "rich")


@dataclass(frozen=True)
class StopRule:
    """How many replications ran and why no more."""

    reason: str
    """``fixed``, ``target_reached`` or ``max_replications``."""
    replications: int
    metric: str | None = None
    target: float | None = None
    halfwidth: float | None = None


@dataclass(frozen=True)
class MonthlySummary:
    """Across-replication statistics, each array (months, groups, metrics)."""

    mean: np.ndarray
    p05: np.ndarray
    p50: np.ndarray
    p95: np.ndarray


@dataclass
class RunResult:
    """Everything a run produced: the API's return value and what a run folder holds."""

    scenario: Scenario
    seed: int
    columns: list[str]
    rows: np.ndarray
    """One row per replication, ``columns`` wide."""
    monthly: MonthlySummary
    meeting_days: list[float]
    events_per_replication: float
    stop: StopRule
    trace: list[TraceEvent] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    """Manifest extras: command line, times, wall seconds."""

    @property
    def replications(self) -> int:
        return int(self.rows.shape[0])

    def column(self, name: str) -> np.ndarray:
        return np.asarray(self.rows[:, self.columns.index(name)])

    @cached_property
    def summary(self) -> dict[str, Estimate]:
        """Industry outcomes: mean, std and 95% CI across replications."""
        return {name: estimate(self.column(name)) for name in OUTCOMES}

    @cached_property
    def sectors(self) -> dict[str, dict[str, Estimate]]:
        return {
            sector: {name: estimate(self.column(f"{sector}.{name}")) for name in SECTOR_OUTCOMES}
            for sector in self.scenario.sector_names
        }

    @property
    def groups(self) -> list[str]:
        """Groups of the monthly series: ``all``, sectors, ``market:NAME``."""
        markets = [f"market:{m}" for m in self.scenario.market_names]
        return ["all", *self.scenario.sector_names, *markets]

    @property
    def month_labels(self) -> list[str]:
        return Calendar(self.scenario.start, self.scenario.months).month_labels()

    def save(self, path: str | Path, plots: bool = True) -> Path:
        """Write the complete run folder at ``path`` (refused if it exists and is not empty)."""
        with atomic_folder(Path(path)) as tmp:
            self.write_files(tmp)
            if plots:
                from sim.report import write_report

                write_report(tmp)
        return Path(path)

    # --- files ---------------------------------------------------------------------

    def write_files(self, folder: Path) -> None:
        (folder / "scenario.yaml").write_text(scenario_to_yaml(self.scenario), encoding="utf-8")
        (folder / "summary.json").write_text(self.summary_json(), encoding="utf-8")
        (folder / "replications.csv").write_text(self.replications_csv(), encoding="utf-8")
        (folder / "monthly.csv").write_text(self.monthly_csv(), encoding="utf-8")
        if self.trace is not None:
            (folder / "trace.csv").write_text(self.trace_csv(), encoding="utf-8")
        (folder / "manifest.json").write_text(self.manifest_json(), encoding="utf-8")

    def summary_json(self) -> str:
        calendar = Calendar(self.scenario.start, self.scenario.months)
        document = {
            "scenario": self.scenario.name,
            "seed": self.seed,
            "replications": self.replications,
            "months": self.scenario.months,
            "metrics": {name: est.as_dict() for name, est in self.summary.items()},
            "sectors": {
                sector: {name: est.as_dict() for name, est in values.items()}
                for sector, values in self.sectors.items()
            },
            "commission_meetings": [
                (self.scenario.start + dt.timedelta(days=int(d))).isoformat()
                for d in self.meeting_days
            ],
            "horizon_end": calendar.month_date(self.scenario.months).isoformat(),
        }
        return json.dumps(document, indent=2, allow_nan=False) + "\n"

    def replications_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["replication", *self.columns])
        for k, row in enumerate(self.rows):
            writer.writerow([k, *(_number(v) for v in row)])
        return out.getvalue()

    def monthly_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["month", "sector", "metric", "mean", "p05", "p50", "p95"])
        m = self.monthly
        for g, group in enumerate(self.groups):
            names = MARKET_FIELDS if group.startswith("market:") else MONTHLY_METRICS
            for k, metric in enumerate(names):
                for t, label in enumerate(self.month_labels):
                    values = (m.mean[t, g, k], m.p05[t, g, k], m.p50[t, g, k], m.p95[t, g, k])
                    writer.writerow([label, group, metric, *(_number(v) for v in values)])
        return out.getvalue()

    def trace_csv(self) -> str:
        assert self.trace is not None
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["date", "day", "kind", "sector", "firm", "market", "amount_usd", "state"])
        for e in self.trace:
            date = self.scenario.start + dt.timedelta(days=int(e.day))
            firm = "" if e.firm < 0 else e.firm
            writer.writerow([date.isoformat(), _number(e.day), e.kind, e.sector,
                             firm, e.market, _number(e.amount_usd), e.state])
        return out.getvalue()

    def manifest_json(self) -> str:
        scenario_text = scenario_to_yaml(self.scenario)
        document = {
            "defsim_version": _version("defsim"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "packages": {name: _version(name) for name in PACKAGES},
            "seed": self.seed,
            "replications": self.replications,
            "stop": asdict(self.stop),
            "scenario_sha256": hashlib.sha256(scenario_text.encode("utf-8")).hexdigest(),
            "events_per_replication": self.events_per_replication,
            **self.info,
        }
        return json.dumps(document, indent=2, default=str) + "\n"


def _number(value: float) -> str:
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


def default_out_dir(scenario: Scenario, root: Path = Path("results")) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return root / scenario.name / stamp


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    """A temporary folder beside ``target``, renamed to it once the block succeeds.

    Refuses a ``target`` that exists and is not empty; on any failure (Ctrl-C
    included) the temporary folder is removed and ``target`` is untouched.
    """
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError(f"{target}: exists and is not empty; choose another --out")
    parent = target.parent
    created = [p for p in (parent, *parent.parents) if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=parent))
    except OSError as err:
        _remove_empty(created)
        raise InputError(f"{parent}: cannot write here ({err.strerror})") from None
    try:
        yield tmp
        if target.exists():
            target.rmdir()
        tmp.replace(target)
    except BaseException as err:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(created)
        if isinstance(err, OSError) and err.errno in _CANNOT_WRITE:
            raise InputError(f"{target}: cannot write the run folder ({err.strerror})") from None
        raise


_CANNOT_WRITE = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS}
"""Errors of the disk, not of the program: reported as bad input (a path), exit 2."""


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders a failed run created (deepest first) while they are empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return
