"""The page of a sweep folder: ``report.html``, what changed at each point and what it did.

Like a run's report (``sim.report``): self-contained, the answer first, metrics by
their labels, each point's key outcomes with their 95% intervals, the charts of
``plots/``, and the base scenario as run beside its file's comments.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sim.analysis.sweep.run import Sweep, iter_rows
from sim.metrics import TABLE_METRICS, field_label, format_value, label_of
from sim.report.folder_pages import folder_plots_section
from sim.report.html import escape, estimate_html, html_page
from sim.report.scenario_text import scenario_html
from sim.scenario.io import scenario_source

__all__ = ["sweep_report_html", "write_sweep_report"]


def write_sweep_report(folder: Path, sweep: Sweep, info: dict[str, Any] | None = None) -> Path:
    """Write ``folder/report.html`` (after ``plots/``, whose images it embeds)."""
    target = folder / "report.html"
    target.write_text(sweep_report_html(folder, sweep, info or {}), encoding="utf-8")
    return target


def sweep_report_html(folder: Path, sweep: Sweep, info: dict[str, Any]) -> str:
    """The sweep as a complete HTML document."""
    levers = sweep.levers
    varied = "; ".join(
        f"{field_label(lv.path)} ({lv.path}): "
        + ", ".join(_value(lv.path, v) for v in lv.values) for lv in levers)
    facts = [f"{len(sweep.points)} points", f"{sweep.replications} replications per point",
             f"seed {sweep.seed}, the same at every point (common random numbers)"]
    if info.get("command"):
        facts.append(f"command: {info['command']}")
    headers = [*(field_label(lv.path) for lv in levers), *(label_of(m) for m in TABLE_METRICS)]
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    rows = "".join(
        "<tr>" + "".join(f"<td>{escape(_value(lv.path, v))}</td>"
                         for lv, v in zip(levers, values, strict=True))
        + "".join(f"<td>{estimate_html(m, point.summary[m].as_dict())}</td>"
                  for m in TABLE_METRICS) + "</tr>"
        for point, values in iter_rows(sweep))
    table = (f'<div class="wide"><table class="grid"><thead><tr>{head}</tr></thead>'
             f"<tbody>{rows}</tbody></table></div>")
    body = [
        f"<h1>{escape(sweep.scenario.name)}: sweep</h1>",
        f'<p class="headline">{escape(f"Varied: {varied}.")} Each point runs the same '
        "replications with the same random numbers, so differences between points come from "
        "the settings, not from sampling noise.</p>",
        f'<p class="meta">{escape("; ".join(facts))}</p>',
        "<h2>Key outcomes at each point</h2>",
        "<p>Mean, with its 95% CI beneath, across the point's replications; every outcome of "
        "every point is in sweep.csv, each point's run folder under points/.</p>",
        table,
        "<h2>Charts</h2>",
        folder_plots_section(folder / "plots", {m: label_of(m) for m in TABLE_METRICS}),
        scenario_html(sweep.scenario.model_dump(mode="json"),
                      scenario_source(sweep.scenario) or ""),
    ]
    return html_page(f"defsim sweep: {sweep.scenario.name}", body)


def _value(path: str, value: Any) -> str:
    return format_value(path, value) if isinstance(value, float) else str(value)
