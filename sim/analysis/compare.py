"""Comparing saved runs: each key outcome of each run minus the first run, with its interval.

The first run is the base. When a run shares the base's seed and replication
count, replication k of both drew the same random numbers (common random
numbers, docs/model.md section 7), so differences are paired replication by replication,
which removes the noise the runs share; otherwise runs are independent samples
and differences use Welch's interval. Outcomes are totals over each run's own
horizon, so runs over different horizons (even horizons that share no month,
2024 against 2026) compare as totals, with a warning; monthly charts overlay
them on the calendar. Runs over different sectors are compared on what they
share, with a warning. What differs between the runs (scenario fields, seed,
replications) is listed, so a reader can tell which row is which policy. The
comparison's tables, charts and files are the report's (``sim.report.compare_report``).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import InputError
from sim.metrics import KEY_METRICS, Unit, label_of, plural, unit_of
from sim.results.frames import require_pandas
from sim.results.read import RunFolder, read_run
from sim.stats import (
    PAIRED,
    WELCH,
    Difference,
    estimate,
    paired_difference,
    welch_difference,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PAIRED", "WELCH", "Comparison", "compare_runs", "differences_from", "method_text"]


@dataclass(frozen=True)
class Comparison:
    """Runs, their labels, how each was compared with the base, and what to warn about."""

    runs: list[RunFolder]
    labels: list[str]
    methods: list[str]
    """Per run; the base's entry is ``base``."""
    metrics: list[str]
    differences: list[Difference]
    warnings: list[str]

    def __repr__(self) -> str:
        how = ", ".join(self.methods[1:])
        return (f"<Comparison of {len(self.runs)} runs with {self.labels[0]!r} "
                f"({', '.join(map(repr, self.labels[1:]))}; {how}), {len(self.metrics)} metrics>")

    def _repr_html_(self) -> str:
        from sim.report.compare_report import comparison_table  # only when a notebook shows it
        from sim.report.html import html_table

        headers, rows = comparison_table(self.runs, self.labels, self.differences)
        how = "".join(f"<li>{html.escape(self.labels[k])}: {html.escape(self.method_text(k))}"
                      "</li>" for k in range(1, len(self.runs)))
        return (f"<div><strong>{len(self.runs)} runs compared with "
                f"{html.escape(self.labels[0])}</strong>{html_table(headers, rows)}<ul>{how}</ul>"
                "<p style='color:#555'>as a table: <code>.to_pandas()</code></p></div>")

    def to_pandas(self) -> pd.DataFrame:
        """One row per run and metric: difference to the base with its 95% CI (needs pandas)."""
        pd = require_pandas()
        rows = [{"run": d.run_label, "metric": d.metric, "label": label_of(d.metric),
                 "unit": unit_of(d.metric).value, "base_mean": d.base_mean,
                 "difference": d.estimate.mean, "ci_low": d.estimate.ci_low,
                 "ci_high": d.estimate.ci_high, "n": d.estimate.n, "method": d.method}
                for d in self.differences]
        return pd.DataFrame(rows).set_index(["run", "metric"])

    def method_text(self, k: int) -> str:
        """How run ``k`` was compared with the base, in words (``base`` for the base)."""
        return method_text(self.methods[k], self.runs[0], self.runs[k])

    def differs(self, k: int) -> list[str]:
        """What run ``k`` changes against the base: ``path: base → run`` per field."""
        return differences_from(self.runs[0], self.runs[k]) if k else []


_MISSING = object()
_NOT_SCENARIO = ("seed", "replications")
"""Scenario fields left out of the field differences: a run's summary states what it used."""


def differences_from(base: RunFolder, run: RunFolder) -> list[str]:
    """Scenario fields, seed and replications in which ``run`` differs from ``base``.

    Each as ``dotted.path: base value → run value`` (``(none)`` where one lacks it), in
    the order of the scenario file; the seed and replication count come from the
    summaries, since they may have been set on the command line.
    """
    ours, theirs = _flat(base.scenario), _flat(run.scenario)
    changed = [
        f"{path}: {_shown(ours.get(path))} → {_shown(theirs.get(path))}"
        for path in dict.fromkeys([*ours, *theirs])
        if path not in _NOT_SCENARIO and ours.get(path, _MISSING) != theirs.get(path, _MISSING)
    ]
    if base.seed != run.seed:
        changed.append(f"seed: {base.seed} → {run.seed}")
    if base.replication_count != run.replication_count:
        changed.append(f"replications: {base.replication_count} → {run.replication_count}")
    return changed


def _flat(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested scenario as ``{dotted.path: value}``; lists stay whole values."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _shown(value: Any) -> str:
    """A field value for people: ``30e9`` as ``30,000,000,000``; absent as ``(none)``."""
    if value is None:
        return "(none)"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e4:
        return f"{value:,.0f}"
    return str(value)


def method_text(method: str, base: RunFolder, run: RunFolder) -> str:
    """``paired differences (common random numbers: ...)`` or ``Welch's unpaired interval``."""
    if method == PAIRED:
        return (f"paired differences (common random numbers: seed {run.seed}, "
                f"{plural(run.replication_count, 'replication')} in both runs)")
    if method == WELCH:
        return (f"Welch's unpaired interval (seed {run.seed} vs {base.seed}, "
                f"{run.replication_count:,} vs {plural(base.replication_count, 'replication')})")
    return method


def compare_runs(paths: Sequence[str | Path]) -> Comparison:
    """Read the run folders and compare each with the first; InputError if nothing is shared."""
    if len(paths) < 2:
        raise InputError("compare: give at least two run folders")
    runs = [read_run(p) for p in paths]
    warnings = _shared_warnings(runs)
    metrics = [m for m in KEY_METRICS if all(m in r.replications.columns for r in runs)]
    if not metrics:
        raise InputError("compare: the runs share no outcome columns in replications.csv")
    labels = _labels(runs)
    methods = ["base", *(_method(runs[0], r) for r in runs[1:])]
    differences = [
        _difference(metric, k, labels[k], methods[k], runs[0], runs[k])
        for k in range(1, len(runs)) for metric in metrics
    ]
    return Comparison(runs, labels, methods, metrics, differences, warnings)


def _method(base: RunFolder, run: RunFolder) -> str:
    same = base.seed == run.seed and base.replication_count == run.replication_count
    return PAIRED if same else WELCH


def _difference(metric: str, k: int, label: str, method: str, base: RunFolder,
                run: RunFolder) -> Difference:
    a, b = run.replications.column(metric), base.replications.column(metric)
    est = paired_difference(a, b) if method == PAIRED else welch_difference(a, b)
    floor = 1.0 if unit_of(metric) is Unit.USD else 1e-12
    return Difference(metric, k, label, method, est, estimate(b).mean, floor)


def _labels(runs: Sequence[RunFolder]) -> list[str]:
    """Folder names, made unique (``name``, ``name #2``...)."""
    labels: list[str] = []
    for run in runs:
        name = run.path.resolve().name or str(run.path)
        label, k = name, 2
        while label in labels:
            label, k = f"{name} #{k}", k + 1
        labels.append(label)
    return labels


def _shared_warnings(runs: Sequence[RunFolder]) -> list[str]:
    months = [set(r.monthly.months) for r in runs]
    sectors = [set(r.sectors) for r in runs]
    shared_months, shared_sectors = set.intersection(*months), set.intersection(*sectors)
    if not shared_sectors:
        raise InputError("compare: the runs share no sectors; nothing to compare")
    warnings = []
    if any(m != months[0] for m in months):
        spans = ", ".join(f"{min(r.monthly.months)}..{max(r.monthly.months)}" for r in runs)
        shared = f"{len(shared_months)} months are shared" if shared_months else (
            "no month is shared")
        warnings.append(f"horizons differ ({spans}): USD figures are totals over "
                        f"each run's own horizon; {shared}")
    if any(s != sectors[0] for s in sectors):
        only = sorted(set.union(*sectors) - shared_sectors)
        warnings.append(f"sectors differ: compared on {', '.join(sorted(shared_sectors))}; "
                        f"not in every run: {', '.join(only)}")
    return warnings
