"""``report.html`` and ``plots/`` of an experiment folder: the answer with its assumption spread.

The page is self-contained (``sim.report.html``): the uncertainties and their
sources, each key outcome's spread across futures and how much of its variance
the assumptions explain, the policies against the base, and the charts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from sim.analysis.explore.plots import plot_futures, plot_policy_wins, plot_variance_shares
from sim.analysis.explore.run import Exploration
from sim.analysis.explore.summary import (
    COMPARISON_HEADERS,
    POLICY_OUTCOMES,
    SPREAD_HEADERS,
    comparison_rows,
    spread_rows,
    verdicts,
)
from sim.report.charts import Rendered, figure_of, render
from sim.report.html import escape, html_page, html_table, plots_section, write_plots

__all__ = ["write_report"]


def write_report(folder: Path, exp: Exploration, document: Mapping[str, Any]) -> None:
    """``plots/*.png`` and ``report.html`` of an exploration into ``folder``."""
    rendered = _charts(exp, document)
    write_plots(folder / "plots", rendered)
    (folder / "report.html").write_text(_page(exp, document, rendered), encoding="utf-8")


def _charts(exp: Exploration, document: Mapping[str, Any]) -> list[Rendered]:
    base = exp.policies[0].name
    shares = {o: s["variance_share"] for o, s in document["outcomes"][base].items()}
    charts = [
        render(f"futures_{o}", f"{o} across futures", _futures_chart(exp, o), "png")
        for o in POLICY_OUTCOMES
    ]
    charts.append(render("variance_shares", "variance: assumptions against noise",
                         lambda: figure_of(plot_variance_shares(shares)), "png"))
    if document["comparison"]:
        charts.append(render("policies", "policies: share of futures better than the base",
                             lambda: figure_of(plot_policy_wins(document["comparison"])), "png"))
    return charts


def _futures_chart(exp: Exploration, outcome: str) -> Callable[[], Figure]:
    return lambda: figure_of(plot_futures(exp, outcome))


def _page(exp: Exploration, document: Mapping[str, Any], rendered: list[Rendered]) -> str:
    title = f"{exp.scenario.name}: {len(exp.futures)} futures"
    uncertainties = [
        [d.path, d.uncertainty.kind,
         ", ".join(str(v) for v in (d.uncertainty.uniform or d.uncertainty.loguniform
                                    or d.uncertainty.triangular or d.uncertainty.choice or ())),
         d.uncertainty.source]
        for d in exp.dimensions
    ]
    body = [
        f"<h1>{escape(title)}</h1>",
        f'<p class="meta">{len(exp.futures)} futures (Latin hypercube) x '
        f"{exp.replications} replications x {len(exp.policies)} policies, seed {exp.seed}, "
        "common random numbers. The base case is the scenario's own values; the spread is "
        "across the plausible ranges below.</p>",
        "<h2>Uncertainties</h2>",
        html_table(("field", "distribution", "values", "source"), uncertainties),
    ]
    for policy in exp.policies:
        body += [f"<h2>Spread across futures: {escape(policy.name)}</h2>",
                 html_table(SPREAD_HEADERS, spread_rows(document, policy.name))]
    if document["comparison"]:
        body += ["<h2>Policies against the base</h2>",
                 "".join(f"<p>{escape(line)}</p>" for line in verdicts(document)),
                 html_table(COMPARISON_HEADERS, comparison_rows(document))]
    body += ["<h2>Charts</h2>", plots_section(rendered)]
    return html_page(title, body)
