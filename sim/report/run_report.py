"""The run report: ``plots/`` and a self-contained ``report.html`` built from a run folder.

Everything is read back from the folder's files (``sim.results.read``), so
``defsim plot RUN_DIR`` redraws a report years later without re-running.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.metrics import KEY_METRICS, format_value, outcome, plural
from sim.report.charts import FORMATS, Rendered
from sim.report.html import (
    ci_text,
    escape,
    estimate_cell,
    html_page,
    html_table,
    plots_section,
    write_plots,
    write_text_atomic,
)
from sim.report.plots import render_run_plots
from sim.results.read import RunFolder, read_run

__all__ = ["SECTOR_COLUMNS", "run_report_html", "write_report"]

SECTOR_COLUMNS = tuple(name for name in KEY_METRICS if outcome(name).sectors)
"""The key metrics that are reported per sector, in the by-sector table."""


def write_report(folder: str | Path, fmt: str = "png") -> Path:
    """Redraw ``folder/plots/*.FMT`` and ``folder/report.html`` from the folder's files.

    Nothing else in the folder is touched. Returns the path of ``report.html``.
    """
    if fmt not in FORMATS:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}")
    run = read_run(folder)
    rendered = render_run_plots(run, fmt)
    write_plots(run.path / "plots", rendered)
    target = run.path / "report.html"
    write_text_atomic(target, run_report_html(run, rendered))
    return target


def run_report_html(run: RunFolder, rendered: Sequence[Rendered]) -> str:
    """The report of one run as a complete HTML document."""
    body = [
        f"<h1>{escape(run.name)}</h1>",
        f"<p>{escape(run.description)}</p>" if run.description else "",
        f'<p class="meta">{escape(_run_facts(run))}</p>',
        "<h2>Key metrics</h2>",
        "<p>Means across replications with 95% confidence intervals (Student t). "
        "USD are totals over the horizon at domestic prices; firm counts at the end.</p>",
        html_table(["metric", "mean", "95% CI", "n"], _key_rows(run.summary.get("metrics", {}))),
        _sector_section(run.summary.get("sectors", {})),
        "<h2>Charts</h2>",
        plots_section(rendered),
        "<h2>Scenario as run</h2>",
        f"<pre>{escape(run.scenario_text)}</pre>",
    ]
    return html_page(f"defsim report: {run.name}", body)


def _run_facts(run: RunFolder) -> str:
    m = run.manifest
    months = run.monthly.months
    facts = [
        f"seed {run.seed}",
        plural(run.replication_count, "replication"),
        f"{plural(len(months), 'month')} ({months[0]} to {months[-1]})",
    ]
    if m.get("stop", {}).get("reason"):
        facts.append(f"stopped: {m['stop']['reason']}")
    if m.get("defsim_version"):
        facts.append(f"defsim {m['defsim_version']}")
    if m.get("command"):
        facts.append(f"command: {m['command']}")
    return "; ".join(facts)


def _key_rows(metrics: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name in KEY_METRICS:
        est = metrics.get(name)
        if est is None:
            continue
        mean = format_value(name, est.get("mean"))
        rows.append([name, mean, ci_text(name, est), str(est.get("n", ""))])
    return rows


def _sector_section(sectors: dict[str, dict[str, Any]]) -> str:
    if not sectors:
        return ""
    rows = [[name, *(estimate_cell(c, values.get(c)) for c in SECTOR_COLUMNS)]
            for name, values in sectors.items()]
    return ('<h2>By sector</h2><p>Mean (95% CI).</p><div class="wide">'
            + html_table(["sector", *SECTOR_COLUMNS], rows) + "</div>")
