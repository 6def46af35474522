"""Reading a run folder back: the tables that plots, reports and comparisons see.

A run folder (README, "The run folder") holds ``summary.json``,
``replications.csv``, ``monthly.csv``, ``scenario.yaml`` and ``manifest.json``.
Analysis code reads only these files, never the engine, so a report can be
redrawn and runs compared long after they were simulated.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from sim.errors import InputError
from sim.results.frames import TABLES, frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Monthly", "Replications", "RunFolder", "month_start", "read_run"]

REQUIRED = ("summary.json", "replications.csv", "monthly.csv", "scenario.yaml")
MONTHLY_KEYS = ("month", "sector", "metric")
SCENARIO_FILE = "scenario_file.yaml"


@dataclass(frozen=True)
class Replications:
    """``replications.csv``: one row per replication, one column per outcome."""

    columns: tuple[str, ...]
    values: np.ndarray
    """Shape (replications, columns); empty cells (undefined outcomes) are NaN."""

    def column(self, name: str) -> np.ndarray:
        """One outcome in every replication; ValueError when the file has no such column."""
        if name not in self.columns:
            raise ValueError(f"replications.csv has no column {name!r}")
        return np.asarray(self.values[:, self.columns.index(name)])


@dataclass(frozen=True)
class Monthly:
    """``monthly.csv``: per month, group (``all``, a sector, ``market:NAME``) and metric."""

    months: tuple[str, ...]
    """Month labels ``YYYY-MM`` in calendar order."""
    stats: tuple[str, ...]
    """Statistic columns, e.g. ``mean, p05, p50, p95``."""
    values: dict[tuple[str, str], np.ndarray]
    """(group, metric) -> array (months, stats)."""

    @property
    def groups(self) -> list[str]:
        """The groups in file order: ``all``, the sectors, ``market:NAME``."""
        return list(dict.fromkeys(group for group, _ in self.values))

    def has(self, group: str, metric: str) -> bool:
        """Whether the file holds series ``metric`` for ``group``."""
        return (group, metric) in self.values

    def series(self, group: str, metric: str, stat: str = "mean") -> np.ndarray:
        """One statistic of one series over the months; ValueError when absent."""
        if (group, metric) not in self.values:
            raise ValueError(f"monthly.csv has no series {metric!r} for {group!r}")
        if stat not in self.stats:
            raise ValueError(f"monthly.csv has no column {stat!r} (has {', '.join(self.stats)})")
        return np.asarray(self.values[group, metric][:, self.stats.index(stat)])

    @property
    def dates(self) -> list[dt.date]:
        """First day of each month."""
        return [month_start(m) for m in self.months]


@dataclass(frozen=True)
class RunFolder:
    """Everything a saved run holds, read from its files."""

    path: Path
    summary: dict[str, Any]
    replications: Replications
    monthly: Monthly
    scenario_text: str
    scenario: dict[str, Any]
    manifest: dict[str, Any]
    scenario_file: str = ""
    """The scenario file as the user wrote it (``scenario_file.yaml``); empty if not kept."""

    def __repr__(self) -> str:
        months = self.monthly.months
        return (f"<RunFolder {self.name!r}: {self.replication_count} replications, seed "
                f"{self.seed}, {months[0]}..{months[-1]}, {str(self.path)!r}>")

    def _repr_html_(self) -> str:
        from sim.results.show import summary_html  # only when a notebook displays it

        title = f"{self.name}: {self.replication_count} replications, seed {self.seed}"
        return summary_html(title, self.summary.get("metrics", {}), str(self.path))

    def to_pandas(self, table: str = "summary") -> pd.DataFrame:
        """``summary``, ``replications`` or ``monthly`` as a DataFrame (needs pandas)."""
        if table not in TABLES:
            return frame(table, "")
        path = self.path / f"{table}.csv"
        if table == "summary" and not path.is_file():
            from sim.results.tables import summary_csv_text  # folders written before summary.csv

            return frame(table, summary_csv_text(self.summary))
        return frame(table, path)

    @property
    def name(self) -> str:
        """The scenario's name (else the summary's, else the folder's)."""
        return str(self.scenario.get("name") or self.summary.get("scenario") or self.path.name)

    @property
    def description(self) -> str:
        """The scenario's description; empty if it has none."""
        return str(self.scenario.get("description") or "")

    @property
    def seed(self) -> int | None:
        """The run's root seed; None if the summary lacks it."""
        seed = self.summary.get("seed")
        return int(seed) if seed is not None else None

    @property
    def replication_count(self) -> int:
        """Replications in the run (rows of ``replications.csv``)."""
        return int(self.replications.values.shape[0])

    @property
    def sectors(self) -> list[str]:
        """The sectors, in file order."""
        return [g for g in self.monthly.groups if g != "all" and not g.startswith("market:")]

    @property
    def markets(self) -> list[str]:
        """The markets, in file order, without the ``market:`` prefix."""
        return [g.removeprefix("market:") for g in self.monthly.groups if g.startswith("market:")]

    @property
    def meetings(self) -> list[dt.date]:
        """Dates of the commission's meetings inside the horizon."""
        return [dt.date.fromisoformat(d) for d in self.summary.get("commission_meetings", [])]

    @property
    def horizon_end(self) -> dt.date:
        """First day after the last month (the summary's, else computed from the months)."""
        end = self.summary.get("horizon_end")
        if end:
            return dt.date.fromisoformat(end)
        last = month_start(self.monthly.months[-1])
        return (last + dt.timedelta(days=32)).replace(day=1)

    @property
    def pauses(self) -> list[tuple[dt.date, dt.date]]:
        """Commission pause windows from the scenario as run (may lie outside the horizon)."""
        licensing = self.scenario.get("licensing") or {}
        pauses = (licensing.get("commission") or {}).get("pauses") or []
        return [(_date(p["start"]), _date(p["end"])) for p in pauses]

    @property
    def licensing_opens(self) -> dt.date | None:
        """The day licensing opens; None without a licensing section."""
        licensing = self.scenario.get("licensing") or {}
        return _date(licensing["opens"]) if licensing.get("opens") else None


def read_run(path: str | Path) -> RunFolder:
    """Read a run folder; InputError (one line) when it is missing or damaged."""
    folder = Path(path)
    if not folder.is_dir():
        raise InputError(f"{folder}: no such run folder")
    missing = [name for name in REQUIRED if not (folder / name).is_file()]
    if missing:
        raise InputError(f"{folder}: not a defsim run folder (missing {', '.join(missing)})")
    scenario_text = _text(folder / "scenario.yaml")
    try:
        scenario = yaml.safe_load(scenario_text) or {}
    except yaml.YAMLError as err:
        where = folder / "scenario.yaml"
        raise InputError(f"{where}: not valid YAML ({_first_line(err)})") from None
    if not isinstance(scenario, dict):
        raise InputError(f"{folder / 'scenario.yaml'}: not a scenario mapping")
    manifest = _json(folder / "manifest.json") if (folder / "manifest.json").is_file() else {}
    return RunFolder(
        path=folder,
        summary=_json(folder / "summary.json"),
        replications=_replications(folder / "replications.csv"),
        monthly=_monthly(folder / "monthly.csv"),
        scenario_text=scenario_text,
        scenario=scenario,
        manifest=manifest,
        scenario_file=_text(folder / SCENARIO_FILE) if (folder / SCENARIO_FILE).is_file() else "",
    )


def month_start(label: str) -> dt.date:
    """First day of the month ``YYYY-MM``."""
    return dt.date.fromisoformat(f"{label}-01")


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read ({_first_line(err)})") from None


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(_text(path))
    except json.JSONDecodeError as err:
        raise InputError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None
    if not isinstance(document, dict):
        raise InputError(f"{path}: expected a JSON object")
    return document


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(_text(path).splitlines()))
    if not rows:
        raise InputError(f"{path}: empty file")
    return rows[0], rows[1:]


def _floats(path: Path, line: int, cells: list[str]) -> list[float]:
    try:
        return [float(c) if c != "" else np.nan for c in cells]
    except ValueError:
        raise InputError(f"{path}:{line}: expected numbers, got {cells!r}") from None


def _replications(path: Path) -> Replications:
    header, rows = _rows(path)
    if not header or header[0] != "replication":
        raise InputError(f"{path}: first column must be 'replication'")
    if not rows:
        raise InputError(f"{path}: no replications")
    values = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InputError(f"{path}:{line}: {len(row)} cells, header has {len(header)}")
        values.append(_floats(path, line, row[1:]))
    return Replications(tuple(header[1:]), np.array(values, dtype=float))


def _monthly(path: Path) -> Monthly:
    header, rows = _rows(path)
    if tuple(header[:3]) != MONTHLY_KEYS or len(header) < 4:
        raise InputError(f"{path}: expected columns month,sector,metric,mean,...")
    months: dict[str, None] = {}
    series: dict[tuple[str, str], dict[str, list[float]]] = {}
    for line, row in enumerate(rows, start=2):
        if len(row) != len(header):
            raise InputError(f"{path}:{line}: {len(row)} cells, header has {len(header)}")
        month, group, metric = row[:3]
        months.setdefault(month, None)
        series.setdefault((group, metric), {})[month] = _floats(path, line, row[3:])
    if not series:
        raise InputError(f"{path}: no rows")
    labels = tuple(sorted(months))
    for label in labels:
        try:
            month_start(label)
        except ValueError:
            raise InputError(f"{path}: month {label!r} is not YYYY-MM") from None
    nan_row = [np.nan] * (len(header) - 3)
    values = {key: np.array([by_month.get(m, nan_row) for m in labels])
              for key, by_month in series.items()}
    return Monthly(labels, tuple(header[3:]), values)
