"""A run's key metrics in a few lines: what a notebook shows for a result or a run folder.

A result holds thousands of numbers; a notebook cell showing it should answer the
question at a glance (the key metrics with their intervals) and say where the rest
is (``to_pandas``, the folder), never print everything.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from sim.metrics import KEY_METRICS, format_value, label_of

__all__ = ["SHOWN_METRICS", "summary_html"]

SHOWN_METRICS = KEY_METRICS[:6]
"""The key metrics a notebook cell shows; ``to_pandas('summary')`` has them all."""


def summary_html(title: str, metrics: Mapping[str, Any], where: str = "") -> str:
    """A small HTML table of the key metrics (mean, 95% CI) under ``title``."""
    rows = []
    for name in SHOWN_METRICS:
        est = metrics.get(name)
        if est is None:
            continue
        est = est if isinstance(est, Mapping) else est.as_dict()
        mean = format_value(name, est.get("mean"))
        ci = "n/a"
        if est.get("ci_low") is not None and est.get("ci_high") is not None:
            low, high = (format_value(name, est[k]) for k in ("ci_low", "ci_high"))
            ci = f"{low} – {high}"
        rows.append(f"<tr><td style='text-align:left'>{html.escape(label_of(name))}</td>"
                    f"<td>{html.escape(mean)}</td><td>{html.escape(ci)}</td></tr>")
    note = (f"<p style='color:#555'>{html.escape(where)}; all metrics: "
            "<code>.to_pandas('summary')</code></p>")
    return (f"<div><strong>{html.escape(title)}</strong><table><thead><tr><th>metric</th>"
            f"<th>mean</th><th>95% CI</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
            f"{note}</div>")
