"""The comparison report: tables, ``plots/`` and ``report.html`` of runs compared with the first.

It takes plain data: the run folders, their labels, the differences of each run
to the first (``sim.stats.Difference``), warnings, and how each run was compared
(``sim.analysis.compare`` computes them). Each key metric appears per run as the
mean with its 95% CI, and as each run's difference to the first with its CI.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from sim.metrics import format_change, format_value, label_of
from sim.report.charts import Rendered
from sim.report.compare_plots import render_compare_plots
from sim.report.html import estimate_cell, html_page, html_table, plots_section, write_plots
from sim.results.folder import default_out_dir
from sim.results.read import RunFolder
from sim.stats import Difference, Estimate, estimate

__all__ = [
    "comparison_html",
    "comparison_rows",
    "comparison_table",
    "default_compare_dir",
    "write_comparison",
]


def default_compare_dir(root: Path = Path("results")) -> Path:
    """``results/compare/<UTC time>``."""
    return default_out_dir("compare", root)


def write_comparison(
    folder: Path,
    runs: Sequence[RunFolder],
    labels: Sequence[str],
    differences: Sequence[Difference],
    warnings: Sequence[str] = (),
    compared_by: Sequence[str] = (),
    fmt: str = "png",
) -> list[Rendered]:
    """Write ``plots/`` and ``report.html`` of a comparison into ``folder``.

    ``compared_by`` says, per run (the base first), how it was compared with the base.
    """
    rendered = render_compare_plots(runs, labels, differences, fmt)
    write_plots(folder / "plots", rendered)
    text = comparison_html(runs, labels, differences, warnings, compared_by, rendered)
    (folder / "report.html").write_text(text, encoding="utf-8")
    return rendered


def comparison_html(
    runs: Sequence[RunFolder],
    labels: Sequence[str],
    differences: Sequence[Difference],
    warnings: Sequence[str],
    compared_by: Sequence[str],
    rendered: Sequence[Rendered],
) -> str:
    """The comparison as a complete HTML document."""
    how = [*compared_by, *([""] * (len(runs) - len(compared_by)))]
    table = html_table(
        ["run", "scenario", "folder", "seed", "replications", "months", "compared by"],
        [[label, r.name, str(r.path), str(r.seed), str(r.replication_count),
          f"{r.monthly.months[0]}..{r.monthly.months[-1]}", how[k]]
         for k, (label, r) in enumerate(zip(labels, runs, strict=True))],
    )
    headers, rows = comparison_table(runs, labels, differences)
    body = [
        f"<h1>Comparison of {len(runs)} runs</h1>",
        *(f'<p class="note">Warning: {html.escape(w)}</p>' for w in warnings),
        "<h2>Runs</h2>", table,
        "<h2>Key metrics</h2>",
        "<p>Each run: mean (95% CI) across replications. Differences: run minus the first "
        "run, mean (95% CI), by the method named in the runs table.</p>",
        html_table(headers, rows),
        "<h2>Charts</h2>", plots_section(rendered),
    ]
    return html_page(f"defsim comparison: {', '.join(labels)}", body)


def comparison_table(
    runs: Sequence[RunFolder], labels: Sequence[str], differences: Sequence[Difference]
) -> tuple[list[str], list[list[str]]]:
    """Headers and rows: each key metric per run (mean, 95% CI) and differences to the base."""
    headers = ["metric", *labels, *(f"{label} − {labels[0]}" for label in labels[1:])]
    by_key = {(d.metric, d.run_index): d for d in differences}
    rows = []
    for metric in _metrics(differences):
        means = [estimate_cell(metric, _summary_estimate(r, metric)) for r in runs]
        diffs = [_difference_cell(by_key[metric, k]) for k in range(1, len(runs))]
        rows.append([label_of(metric), *means, *diffs])
    return headers, rows


def comparison_rows(
    runs: Sequence[RunFolder], labels: Sequence[str], differences: Sequence[Difference]
) -> tuple[list[str], list[list[str]]]:
    """The numbers of ``comparison_table``, one row per metric and run (narrow, for terminals)."""
    by_key = {(d.metric, d.run_index): d for d in differences}
    rows = []
    for metric in _metrics(differences):
        for k, (label, run) in enumerate(zip(labels, runs, strict=True)):
            e = estimate(run.replications.column(metric))
            if k == 0:
                diff, diff_ci = "base", ""
            else:
                d = by_key[metric, k].estimate
                diff = format_change(metric, d.mean)
                diff_ci = _interval(metric, d, signed=True)
            rows.append([metric if k == 0 else "", label, format_value(metric, e.mean),
                         _interval(metric, e), diff, diff_ci])
    headers = ["metric", "run", "mean", "95% CI", f"difference to {labels[0]}", "95% CI"]
    return headers, rows


def _metrics(differences: Sequence[Difference]) -> list[str]:
    return list(dict.fromkeys(d.metric for d in differences))


def _summary_estimate(run: RunFolder, metric: str) -> dict[str, float | None]:
    e = estimate(run.replications.column(metric))
    return {"mean": e.mean, "ci_low": e.ci_low, "ci_high": e.ci_high}


def _difference_cell(d: Difference) -> str:
    e = d.estimate
    if e.mean is None:
        return "n/a"
    text = format_change(d.metric, e.mean)
    if e.ci_low is None or e.ci_high is None:
        return text
    low, high = (format_change(d.metric, v, e.mean) for v in (e.ci_low, e.ci_high))
    return f"{text} ({low} .. {high})"


def _interval(metric: str, e: Estimate, signed: bool = False) -> str:
    if e.ci_low is None or e.ci_high is None:
        return "n/a"
    show = format_change if signed else format_value
    return f"{show(metric, e.ci_low, e.mean)}..{show(metric, e.ci_high, e.mean)}"
