"""The comparison report: tables, ``plots/`` and ``report.html`` of runs compared with the first.

It takes plain data: the run folders, their labels, the differences of each run
to the first (``sim.stats.Difference``), warnings, and how each run was compared
(``sim.analysis.compare`` computes them). Each key metric appears per run as the
mean with its 95% CI, and as each run's difference to the first with its CI.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Sequence
from pathlib import Path

from sim.metrics import format_change, format_value, label_of, plural
from sim.report.charts import Rendered
from sim.report.compare_plots import render_compare_plots
from sim.report.html import estimate_cell, html_page, html_table, plots_section, write_plots
from sim.results.folder import default_out_dir
from sim.results.read import RunFolder
from sim.stats import Difference, Estimate, estimate

__all__ = [
    "comparison_html",
    "comparison_lines",
    "comparison_table",
    "default_compare_dir",
    "run_key",
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
    differs: Sequence[Sequence[str]] = (),
) -> list[Rendered]:
    """Write ``plots/`` and ``report.html`` of a comparison into ``folder``.

    ``compared_by`` says, per run (the base first), how it was compared with the base;
    ``differs`` what it changes against the base (``dotted.path: base → run``).
    """
    rendered = render_compare_plots(runs, labels, differences, fmt)
    write_plots(folder / "plots", rendered)
    text = comparison_html(runs, labels, differences, warnings, compared_by, rendered, differs)
    (folder / "report.html").write_text(text, encoding="utf-8")
    return rendered


def comparison_html(
    runs: Sequence[RunFolder],
    labels: Sequence[str],
    differences: Sequence[Difference],
    warnings: Sequence[str],
    compared_by: Sequence[str],
    rendered: Sequence[Rendered],
    differs: Sequence[Sequence[str]] = (),
) -> str:
    """The comparison as a complete HTML document."""
    how = [*compared_by, *([""] * (len(runs) - len(compared_by)))]
    changed = ["; ".join(differs[k]) if k < len(differs) else "" for k in range(len(runs))]
    table = html_table(
        ["run", "scenario", "folder", "seed", "replications", "months",
         "differs from the first run", "compared by"],
        [[label, r.name, str(r.path), str(r.seed), str(r.replication_count),
          f"{r.monthly.months[0]}..{r.monthly.months[-1]}",
          changed[k] or ("(base)" if k == 0 else "nothing"), how[k]]
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


RUN_KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""Short names of the runs in the terminal table (the legend above it gives each in full)."""


def run_key(k: int) -> str:
    """``A``, ``B``, ... ``Z``, then ``R27``, ``R28`` ..."""
    return RUN_KEYS[k] if k < len(RUN_KEYS) else f"R{k + 1}"


def comparison_lines(
    runs: Sequence[RunFolder],
    labels: Sequence[str],
    differences: Sequence[Difference],
    compared_by: Sequence[str] = (),
    differs: Sequence[Sequence[str]] = (),
    width: int = 100,
) -> list[str]:
    """The comparison for a terminal of ``width`` columns, as plain lines that never exceed it.

    A legend names each run by a letter (folder, scenario, seed, replications, months,
    what differs from the first run and how it was compared); then, per key metric, its
    name on a line of its own and one line per run: mean, 95% CI, difference to the
    first run and its 95% CI. Metric names and folder labels, the widest texts, never
    share a line with the numbers, so 80 columns hold four numbers per run.
    """
    lines = [f"Runs (the changes below are each run minus run A, {labels[0]}):"]
    for k, (label, run) in enumerate(zip(labels, runs, strict=True)):
        months = f"{run.monthly.months[0]}..{run.monthly.months[-1]}"
        about = (f"{run.name}, seed {run.seed}, {plural(run.replication_count, 'replication')}"
                 f", {plural(len(run.monthly.months), 'month')} ({months})")
        lines += _wrapped(f"{run_key(k)}  {label}: {about}", width, "  ", "     ")
        if k == 0:
            continue
        changes = list(differs[k]) if k < len(differs) else []
        what = f"differs from A in {'; '.join(changes)}" if changes else (
            "same scenario, seed and replications as A")
        lines += _wrapped(what, width, "     ", "       ")
        if k < len(compared_by) and compared_by[k]:
            lines += _wrapped(f"compared by {compared_by[k]}", width, "     ", "       ")
    lines += _wrapped(_totals_note(runs), width, "", "")
    lines.append("")
    return lines + _number_lines(runs, labels, differences, width)


def _totals_note(runs: Sequence[RunFolder]) -> str:
    counts = sorted({len(r.monthly.months) for r in runs})
    over = (f"over the {plural(counts[0], 'month')} of the horizon" if len(counts) == 1
            else "over each run's own horizon (" + ", ".join(map(str, counts)) + " months)")
    return f"USD figures are totals {over}, not yearly figures."


def _number_lines(runs: Sequence[RunFolder], labels: Sequence[str],
                  differences: Sequence[Difference], width: int) -> list[str]:
    by_key = {(d.metric, d.run_index): d for d in differences}
    blocks: list[tuple[str, list[list[str]]]] = []
    for metric in _metrics(differences):
        rows = []
        for k, run in enumerate(runs):
            e = estimate(run.replications.column(metric))
            diff, diff_ci = ("", "") if k == 0 else _change_cells(metric, by_key[metric, k])
            rows.append([format_value(metric, e.mean), _interval(metric, e), diff, diff_ci])
        blocks.append((metric, rows))
    headers = ["mean", "95% CI", "change vs A", "95% CI"]
    cells = [headers, *(row for _, rows in blocks for row in rows)]
    widths = [max(len(row[c]) for row in cells) for c in range(len(headers))]
    numbers = sum(widths) + 2 * len(widths)
    names = [f"{run_key(k)} {label}" for k, label in enumerate(labels)]
    key_width = max(len(n) for n in names) + 2
    if key_width + numbers > width:  # long folder names: the legend alone names the runs
        names = [run_key(k) for k in range(len(runs))]
        key_width = max(len(n) for n in names) + 2

    def line(first: str, row: Sequence[str]) -> str:
        text = first.ljust(key_width) + "".join(
            "  " + cell.rjust(w) for cell, w in zip(row, widths, strict=True))
        return text.rstrip()

    out = [line("", headers)]
    for metric, rows in blocks:
        out.append(_shorten(f"{metric}: {label_of(metric)}", width))
        out += [line(f"  {names[k]}", row) for k, row in enumerate(rows)]
    return out


def _change_cells(metric: str, d: Difference) -> tuple[str, str]:
    return format_change(metric, d.estimate.mean), _interval(metric, d.estimate, signed=True)


def _wrapped(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` wrapped to ``width``; its first line indented by ``first``, the others ``rest``."""
    return textwrap.wrap(text, width, initial_indent=first, subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=True)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


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
    low, high = (format_change(d.metric, v) for v in (e.ci_low, e.ci_high))
    return f"{text} ({low} .. {high})"


def _interval(metric: str, e: Estimate, signed: bool = False) -> str:
    if e.ci_low is None or e.ci_high is None:
        return "n/a"
    show = format_change if signed else format_value
    return f"{show(metric, e.ci_low)}..{show(metric, e.ci_high)}"
