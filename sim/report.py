"""The run report: ``plots/`` and a self-contained ``report.html`` built from a run folder.

Everything is read back from the folder's files (``sim.run_folder``), so
``defsim plot RUN_DIR`` redraws a report years later without re-running. The
HTML embeds its images as base64 data and loads nothing from the network: it
opens from disk, by e-mail, offline.
"""

from __future__ import annotations

import base64
import html
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.metrics import KEY_METRICS
from sim.plots import FORMATS, Rendered, render_run_plots
from sim.run_folder import RunFolder, format_value, read_run

__all__ = [
    "estimate_cell",
    "html_page",
    "html_table",
    "plots_section",
    "write_plots",
    "write_report",
]

SECTOR_COLUMNS = ("absorption_share", "capacity_usd", "domestic_usd", "export_usd", "surplus_usd",
                  "unmet_export_demand_usd", "firms_start", "firms_active_end")

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { border-bottom: 2px solid #888; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9rem; }
pre { background: #f6f6f6; padding: 1rem; overflow-x: auto; font-size: 0.85rem; }
.meta { color: #555; }
.note { color: #8a4b00; }
"""


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
    _write_text_atomic(target, run_report_html(run, rendered))
    return target


def write_plots(directory: Path, rendered: Iterable[Rendered]) -> None:
    """Replace ``directory`` with the rendered charts (built beside it, then swapped in)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        for chart in rendered:
            if chart.data is not None:
                (tmp / f"{chart.stem}.{chart.fmt}").write_bytes(chart.data)
        if directory.exists():
            shutil.rmtree(directory)
        tmp.replace(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def run_report_html(run: RunFolder, rendered: Sequence[Rendered]) -> str:
    """The report of one run as a complete HTML document."""
    body = [
        f"<h1>{_e(run.name)}</h1>",
        f"<p>{_e(run.description)}</p>" if run.description else "",
        f'<p class="meta">{_e(_run_facts(run))}</p>',
        "<h2>Key metrics</h2>",
        "<p>Means across replications with 95% confidence intervals (Student t). "
        "USD are totals over the horizon at domestic prices; firm counts at the end.</p>",
        html_table(["metric", "mean", "95% CI", "n"], _key_rows(run.summary.get("metrics", {}))),
        _sector_section(run.summary.get("sectors", {})),
        "<h2>Charts</h2>",
        plots_section(rendered),
        "<h2>Scenario as run</h2>",
        f"<pre>{_e(run.scenario_text)}</pre>",
    ]
    return html_page(f"defsim report: {run.name}", body)


def _run_facts(run: RunFolder) -> str:
    m = run.manifest
    months = run.monthly.months
    facts = [
        f"seed {run.seed}",
        f"{run.replication_count} replications",
        f"{len(months)} months ({months[0]} to {months[-1]})",
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
        rows.append([name, mean, _ci(name, est), str(est.get("n", ""))])
    return rows


def _ci(name: str, est: dict[str, Any]) -> str:
    if est.get("ci_low") is None or est.get("ci_high") is None:
        return "n/a"
    return f"{format_value(name, est['ci_low'])} .. {format_value(name, est['ci_high'])}"


def estimate_cell(name: str, est: dict[str, Any] | None) -> str:
    """``mean (low .. high)`` of a summary.json estimate, formatted for its unit."""
    if est is None:
        return "n/a"
    mean = format_value(name, est.get("mean"))
    return mean if est.get("ci_low") is None else f"{mean} ({_ci(name, est)})"


def _sector_section(sectors: dict[str, dict[str, Any]]) -> str:
    if not sectors:
        return ""
    rows = [[name, *(estimate_cell(c, values.get(c)) for c in SECTOR_COLUMNS)]
            for name, values in sectors.items()]
    return ("<h2>By sector</h2><p>Mean (95% CI).</p>"
            + html_table(["sector", *SECTOR_COLUMNS], rows))


# --- HTML building blocks, shared with the comparison report ----------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain HTML table; every cell is escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def plots_section(rendered: Iterable[Rendered]) -> str:
    """Each chart as an embedded PNG, or a note saying why it was not drawn."""
    parts = []
    for chart in rendered:
        if chart.png is None:
            parts.append(f'<p class="note">{_e(chart.title)}: not drawn ({_e(chart.error)})</p>')
            continue
        data = base64.b64encode(chart.png).decode("ascii")
        parts.append(f'<figure id="{_e(chart.stem)}"><img alt="{_e(chart.title)}" '
                     f'src="data:image/png;base64,{data}"><figcaption>{_e(chart.title)} '
                     f"(plots/{_e(chart.stem)}.{_e(chart.fmt)})</figcaption></figure>")
    return "\n".join(parts)


def html_page(title: str, body: Iterable[str]) -> str:
    """A complete, self-contained HTML document (inline style, no external resources)."""
    content = "\n".join(part for part in body if part)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{content}\n</body>\n</html>\n")


def _write_text_atomic(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
