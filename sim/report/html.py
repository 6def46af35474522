"""HTML building blocks of the reports: a self-contained page, tables, embedded charts.

Pages embed their images as base64 data and load nothing from the network: they
open from disk, by e-mail, offline. Every cell and title is escaped.
"""

from __future__ import annotations

import base64
import html
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.metrics import format_value, shown_alike
from sim.report.charts import Rendered
from sim.results.folder import permissions_of_mkdir

__all__ = [
    "ci_text",
    "constant",
    "escape",
    "estimate_cell",
    "estimate_html",
    "html_page",
    "html_table",
    "plots_section",
    "write_plots",
    "write_text_atomic",
]

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
.wide { overflow-x: auto; }
.headline { font-size: 1.1rem; border-left: 4px solid #e6ab02; padding: 0.4rem 0.8rem;
            background: #fbf7e9; }
table.sectors { font-size: 0.85rem; width: 100%; table-layout: fixed; }
table.sectors td, table.sectors th { padding: 0.25rem 0.45rem; white-space: nowrap; }
table.sectors td:first-child, table.sectors th:first-child { white-space: normal; width: 28%; }
table.grid { font-size: 0.85rem; }
table.grid td { white-space: nowrap; padding: 0.25rem 0.45rem; }
table.grid th { vertical-align: bottom; padding: 0.25rem 0.45rem; }
.ci { display: block; color: #666; font-size: 0.72rem; }
table.scenario { font-size: 0.82rem; width: 100%; }
table.scenario td { text-align: left; vertical-align: top; color: #555; }
table.scenario td.code { font-family: ui-monospace, monospace; white-space: pre-wrap;
                         color: #222; width: 50%; }
"""


def escape(text: object) -> str:
    """``text`` as HTML, quotes included."""
    return html.escape(str(text), quote=True)


def ci_text(name: str, est: dict[str, Any]) -> str:
    """``low – high`` of a summary.json estimate, each end in its own unit.

    Empty when the value is the same in every replication, to the digits shown (an
    interval whose ends print alike says nothing); ``n/a`` when there is none (one replication).
    """
    if est.get("ci_low") is None or est.get("ci_high") is None:
        return "n/a"
    if constant(name, est):
        return ""
    low, high = (format_value(name, est[end]) for end in ("ci_low", "ci_high"))
    return f"{low} – {high}"


def constant(name: str, est: dict[str, Any]) -> bool:
    """Whether an estimate's interval ends print alike: the same in every replication."""
    low, high = est.get("ci_low"), est.get("ci_high")
    return low is not None and high is not None and shown_alike(name, low, high)


def estimate_html(name: str, est: dict[str, Any] | None) -> str:
    """The mean of an estimate with its interval on one line beneath it, as HTML."""
    if est is None:
        return "n/a"
    mean = escape(format_value(name, est.get("mean")))
    ci = ci_text(name, est)
    return f'{mean}<span class="ci">{escape(ci)}</span>' if ci and ci != "n/a" else mean


def estimate_cell(name: str, est: dict[str, Any] | None) -> str:
    """``mean (low .. high)`` of a summary.json estimate, formatted for its unit."""
    if est is None:
        return "n/a"
    mean = format_value(name, est.get("mean"))
    ci = ci_text(name, est)
    return mean if ci in ("", "n/a") else f"{mean} ({ci})"


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A plain HTML table; every cell is escaped."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def plots_section(rendered: Iterable[Rendered]) -> str:
    """Each chart as an embedded PNG, or a note saying why it was not drawn."""
    parts = []
    for chart in rendered:
        if chart.png is None:
            parts.append(
                f'<p class="note">{escape(chart.title)}: not drawn ({escape(chart.error)})</p>'
            )
            continue
        data = base64.b64encode(chart.png).decode("ascii")
        parts.append(f'<figure id="{escape(chart.stem)}"><img alt="{escape(chart.title)}" '
                     f'src="data:image/png;base64,{data}"><figcaption>{escape(chart.title)} '
                     f"(plots/{escape(chart.stem)}.{escape(chart.fmt)})</figcaption></figure>")
    return "\n".join(parts)


def html_page(title: str, body: Iterable[str]) -> str:
    """A complete, self-contained HTML document (inline style, no external resources)."""
    content = "\n".join(part for part in body if part)
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{content}\n</body>\n</html>\n")


def write_plots(directory: Path, rendered: Iterable[Rendered]) -> None:
    """Replace ``directory`` with the rendered charts (built beside it, then swapped in)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{directory.name}.partial-", dir=directory.parent))
    try:
        for chart in rendered:
            if chart.data is not None:
                (tmp / f"{chart.stem}.{chart.fmt}").write_bytes(chart.data)
        permissions_of_mkdir(tmp)
        if directory.exists():
            shutil.rmtree(directory)
        tmp.replace(directory)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_text_atomic(target: Path, text: str) -> None:
    """Replace ``target`` with ``text`` in one step (written beside it, then renamed)."""
    tmp = target.with_name(f".{target.name}.partial")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
