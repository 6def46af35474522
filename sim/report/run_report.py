"""The run report: ``plots/`` and a self-contained ``report.html`` built from a run folder.

Everything is read back from the folder's files (``sim.results.read``), so
``defsim plot RUN_DIR`` redraws a report years later without re-running. The page
opens with the answer (``headline``), names metrics by their labels (the registry
in ``sim.metrics``), and fits a laptop screen: the by-sector tables have a column
per sector (at most four side by side) and a row per metric, each interval on one
line under its mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.metrics import KEY_METRICS, format_value, label_of, outcome, plural
from sim.report.charts import FORMATS, Rendered
from sim.report.headline import headline
from sim.report.html import (
    ci_text,
    escape,
    estimate_html,
    html_page,
    html_table,
    plots_section,
    write_plots,
    write_text_atomic,
)
from sim.report.plots import render_run_plots
from sim.report.scenario_text import scenario_html
from sim.results.read import RunFolder, read_run

__all__ = ["SECTOR_COLUMNS", "run_report_html", "write_report"]

SECTOR_COLUMNS = tuple(name for name in KEY_METRICS if outcome(name).sectors)
"""The key metrics that are reported per sector: the rows of the by-sector table."""
SECTORS_PER_TABLE = 4
"""Sectors side by side in one table: four columns of intervals fit a 1024 px page."""


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
    metrics = run.summary.get("metrics", {})
    body = [
        f"<h1>{escape(run.name)}</h1>",
        f"<p>{escape(run.description)}</p>" if run.description else "",
        f'<p class="headline">{escape(_headline(run))}</p>',
        f'<p class="meta">{escape(_run_facts(run))}</p>',
        "<h2>Key metrics</h2>",
        "<p>Means across replications with 95% confidence intervals (Student t). "
        "USD are totals over the horizon at domestic prices; firm counts at the end. "
        "A value without an interval is the same in every replication, to the digits shown. "
        "<em>Name</em> is the column in summary.csv and replications.csv.</p>",
        html_table(["metric", "mean", "95% CI", "n", "name"], _key_rows(metrics)),
        _sector_section(run.summary.get("sectors", {})),
        "<h2>Charts</h2>",
        plots_section(rendered),
        _scenario_section(run),
    ]
    return html_page(f"defsim report: {run.name}", body)


def _headline(run: RunFolder) -> str:
    return headline(run.summary.get("metrics", {}), run.monthly.months, run.replication_count)


def _run_facts(run: RunFolder) -> str:
    m = run.manifest
    facts = [f"seed {run.seed}", plural(run.replication_count, "replication")]
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
        rows.append([label_of(name), mean, ci_text(name, est), str(est.get("n", "")), name])
    return rows


def _sector_section(sectors: dict[str, dict[str, Any]]) -> str:
    if not sectors:
        return ""
    names = list(sectors)
    tables = [_sector_table(sectors, names[k:k + SECTORS_PER_TABLE])
              for k in range(0, len(names), SECTORS_PER_TABLE)]
    return ("<h2>By sector</h2><p>Mean, with its 95% CI beneath (none: the same in every "
            "replication, to the digits shown).</p>" + "".join(tables))


def _sector_table(sectors: dict[str, dict[str, Any]], names: list[str]) -> str:
    head = "".join(f"<th>{escape(s.replace('_', ' '))}</th>" for s in names)
    rows = "".join(
        f"<tr><td>{escape(label_of(metric))}</td>"
        + "".join(f"<td>{estimate_html(metric, sectors[s].get(metric))}</td>" for s in names)
        + "</tr>"
        for metric in SECTOR_COLUMNS
    )
    return (f'<div class="wide"><table class="sectors"><thead><tr><th>metric</th>{head}</tr>'
            f"</thead><tbody>{rows}</tbody></table></div>")


def _scenario_section(run: RunFolder) -> str:
    return scenario_html(run.scenario, run.scenario_file)
