"""Comparing saved runs: key outcomes side by side and differences to the first run.

The first run is the base. When a run shares the base's seed and replication
count, replication k of both drew the same random numbers (common random
numbers, DESIGN.md), so differences are paired replication by replication,
which removes the noise the runs share; otherwise runs are independent samples
and differences use Welch's interval. Runs over different horizons or sectors
are compared on what they share, with a warning.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sim.compare_plots import render_compare_plots
from sim.errors import InputError
from sim.metrics import KEY_METRICS
from sim.plots import Rendered
from sim.report import estimate_cell, html_page, html_table, plots_section, write_plots
from sim.run_folder import RunFolder, format_value, read_run
from sim.stats import Estimate, estimate, paired_difference, welch_difference

__all__ = [
    "Comparison",
    "Difference",
    "compare_runs",
    "comparison_rows",
    "comparison_table",
    "default_compare_dir",
    "write_comparison",
]

PAIRED = "paired"
WELCH = "welch"


@dataclass(frozen=True)
class Difference:
    """One run minus the base run, for one outcome, with its 95% CI."""

    metric: str
    run_index: int
    run_label: str
    method: str
    """``paired`` (common random numbers) or ``welch`` (independent runs)."""
    estimate: Estimate
    base_mean: float | None

    def relative(self) -> tuple[float, float, float] | None:
        """Mean, low and high of the difference in % of the base mean (None if undefined)."""
        e = self.estimate
        if e.mean is None or e.ci_low is None or e.ci_high is None or self.base_mean is None:
            return None
        if abs(self.base_mean) < (1.0 if self.metric.endswith("_usd") else 1e-12):
            return None
        scale = 100.0 / abs(self.base_mean)
        return e.mean * scale, e.ci_low * scale, e.ci_high * scale


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

    def method_text(self, k: int) -> str:
        base, run = self.runs[0], self.runs[k]
        if self.methods[k] == PAIRED:
            return (f"paired differences (common random numbers: seed {run.seed}, "
                    f"{run.replication_count} replications in both runs)")
        return (f"Welch's unpaired interval (seed {run.seed} vs {base.seed}, "
                f"{run.replication_count} vs {base.replication_count} replications)")


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
    return Difference(metric, k, label, method, est, estimate(b).mean)


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
    if not shared_months or not shared_sectors:
        what = "months" if not shared_months else "sectors"
        raise InputError(f"compare: the runs share no {what}; nothing to compare")
    warnings = []
    if any(m != months[0] for m in months):
        spans = ", ".join(f"{min(r.monthly.months)}..{max(r.monthly.months)}" for r in runs)
        warnings.append(f"horizons differ ({spans}): totals cover each run's own horizon; "
                        f"{len(shared_months)} months are shared")
    if any(s != sectors[0] for s in sectors):
        only = sorted(set.union(*sectors) - shared_sectors)
        warnings.append(f"sectors differ: compared on {', '.join(sorted(shared_sectors))}; "
                        f"not in every run: {', '.join(only)}")
    return warnings


def comparison_table(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: each key metric per run (mean, 95% CI) and differences to the base."""
    c = comparison
    headers = ["metric", *c.labels, *(f"{label} − {c.labels[0]}" for label in c.labels[1:])]
    by_key = {(d.metric, d.run_index): d for d in c.differences}
    rows = []
    for metric in c.metrics:
        means = [estimate_cell(metric, _summary_estimate(r, metric)) for r in c.runs]
        diffs = [_difference_cell(by_key[metric, k]) for k in range(1, len(c.runs))]
        rows.append([metric, *means, *diffs])
    return headers, rows


def _summary_estimate(run: RunFolder, metric: str) -> dict[str, float | None]:
    e = estimate(run.replications.column(metric))
    return {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _difference_cell(d: Difference) -> str:
    e = d.estimate
    if e.mean is None:
        return "n/a"
    text = _signed(d.metric, e.mean)
    if e.ci_low is None or e.ci_high is None:
        return text
    return f"{text} ({_signed(d.metric, e.ci_low)} .. {_signed(d.metric, e.ci_high)})"


def _signed(metric: str, value: float) -> str:
    if metric.endswith("_share"):
        return f"{value * 100:+.1f} pp"
    text = format_value(metric, abs(value))
    if value == 0:
        return text
    return f"+{text}" if value > 0 else f"-{text}"


def comparison_rows(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """The numbers of ``comparison_table``, one row per metric and run (narrow, for terminals)."""
    c = comparison
    by_key = {(d.metric, d.run_index): d for d in c.differences}
    rows = []
    for metric in c.metrics:
        for k, (label, run) in enumerate(zip(c.labels, c.runs, strict=True)):
            e = estimate(run.replications.column(metric))
            if k == 0:
                diff, diff_ci = "base", ""
            else:
                d = by_key[metric, k].estimate
                diff = "n/a" if d.mean is None else _signed(metric, d.mean)
                diff_ci = _interval(metric, d.ci_low, d.ci_high, signed=True)
            rows.append([metric if k == 0 else "", label, format_value(metric, e.mean),
                         _interval(metric, e.ci_low, e.ci_high), diff, diff_ci])
    headers = ["metric", "run", "mean", "95% CI", f"difference to {c.labels[0]}", "95% CI"]
    return headers, rows


def _interval(metric: str, low: float | None, high: float | None, signed: bool = False) -> str:
    if low is None or high is None:
        return "n/a"
    if signed:
        return f"{_signed(metric, low)}..{_signed(metric, high)}"
    return f"{format_value(metric, low)}..{format_value(metric, high)}"


def default_compare_dir(root: Path = Path("results")) -> Path:
    """``results/compare/<UTC time>``."""
    return root / "compare" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")


def write_comparison(comparison: Comparison, folder: Path, fmt: str = "png") -> list[Rendered]:
    """Write ``plots/`` and ``report.html`` of a comparison into ``folder``."""
    rendered = render_compare_plots(comparison.runs, comparison.labels, comparison.differences, fmt)
    write_plots(folder / "plots", rendered)
    (folder / "report.html").write_text(comparison_html(comparison, rendered), encoding="utf-8")
    return rendered


def comparison_html(comparison: Comparison, rendered: Sequence[Rendered]) -> str:
    c = comparison
    runs = html_table(
        ["run", "scenario", "folder", "seed", "replications", "months", "compared by"],
        [[label, r.name, str(r.path), str(r.seed), str(r.replication_count),
          f"{r.monthly.months[0]}..{r.monthly.months[-1]}",
          "base" if k == 0 else c.method_text(k)]
         for k, (label, r) in enumerate(zip(c.labels, c.runs, strict=True))],
    )
    headers, rows = comparison_table(c)
    body = [
        f"<h1>Comparison of {len(c.runs)} runs</h1>",
        *(f'<p class="note">Warning: {html.escape(w)}</p>' for w in c.warnings),
        "<h2>Runs</h2>", runs,
        "<h2>Key metrics</h2>",
        "<p>Each run: mean (95% CI) across replications. Differences: run minus the first "
        "run, mean (95% CI), by the method named in the runs table.</p>",
        html_table(headers, rows),
        "<h2>Charts</h2>", plots_section(rendered),
    ]
    return html_page(f"defsim comparison: {', '.join(c.labels)}", body)
