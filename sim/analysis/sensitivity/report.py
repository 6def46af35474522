"""The page of a sensitivity folder: ``report.html``, which levers and uncertainties matter most.

Like a run's report (``sim.report``): self-contained, the answer first (the
ranking in words), the factors and their ranges, the indices with their 95%
intervals, the tornado charts of ``plots/``, and the base scenario as run beside
its file's comments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sim.analysis.sensitivity.design import Factor
from sim.analysis.sensitivity.indices import (
    COLUMNS,
    PLOTTED_OUTCOMES,
    SensitivityResult,
    ranking_lines,
)
from sim.metrics import field_label, format_value, label_of
from sim.report.folder_pages import folder_plots_section
from sim.report.html import escape, html_page, html_table
from sim.report.scenario_text import scenario_html
from sim.scenario.io import scenario_source
from sim.scenario.schema import Scenario

__all__ = ["sensitivity_report_html", "write_sensitivity_report"]


def write_sensitivity_report(folder: Path, result: SensitivityResult, factors: Sequence[Factor],
                             scenario: Scenario, info: Mapping[str, Any]) -> Path:
    """Write ``folder/report.html`` (after ``plots/``, whose images it embeds)."""
    target = folder / "report.html"
    target.write_text(sensitivity_report_html(folder, result, factors, scenario, info),
                      encoding="utf-8")
    return target


def sensitivity_report_html(folder: Path, result: SensitivityResult, factors: Sequence[Factor],
                            scenario: Scenario, info: Mapping[str, Any]) -> str:
    """The analysis as a complete HTML document."""
    replications = info.get("replications")
    facts = [f"{result.method}", f"{len(result.samples)} evaluations"]
    if replications:
        facts.append(f"{replications} replications each (common random numbers)")
    if info.get("command"):
        facts.append(f"command: {info['command']}")
    ranking = "".join(_ranking(result, outcome) for outcome in PLOTTED_OUTCOMES
                      if outcome in result.indices or outcome in result.skipped)
    factor_rows = [[field_label(f.path), f.path, f.kind, _value(f.path, f.low),
                    _value(f.path, f.high)] for f in factors]
    body = [
        f"<h1>{escape(scenario.name)}: {escape(result.method)} sensitivity</h1>",
        f'<p class="meta">{escape("; ".join(facts))}</p>',
        "<h2>What moves the outcomes most</h2>", ranking,
        "<h2>Factors</h2>",
        html_table(["factor", "field", "kind", "low", "high"], factor_rows),
        *(_indices_table(result, outcome) for outcome in PLOTTED_OUTCOMES
          if outcome in result.indices),
        "<p>The indices of every outcome are in indices.csv, the design and the outcomes at "
        "every evaluation in evaluations.csv.</p>",
        "<h2>Charts</h2>",
        folder_plots_section(folder / "plots",
                             {f"indices_{o}": f"What moves {label_of(o)}" for o in result.indices}),
        scenario_html(scenario.model_dump(mode="json"), scenario_source(scenario) or ""),
    ]
    return html_page(f"defsim sensitivity: {scenario.name}", body)


def _ranking(result: SensitivityResult, outcome: str) -> str:
    """``ranking_lines`` as a heading and a numbered list that wraps on a narrow page."""
    first, *items = ranking_lines(result, outcome)
    listed = "".join(f"<li>{escape(item.strip().split('. ', 1)[-1])}</li>" for item in items)
    return f"<p>{escape(first)}</p>" + (f"<ol>{listed}</ol>" if listed else "")


def _indices_table(result: SensitivityResult, outcome: str) -> str:
    columns = COLUMNS[result.method]

    def cell(column: str, value: float) -> str:
        if result.method == "morris" and column != "mu":
            return format_value(outcome, value) if value == value else "n/a"
        return f"{value:.3g}"

    rows = [[str(rank), field_label(row["parameter"]), *(cell(c, row[c]) for c in columns)]
            for rank, row in enumerate(result.ranking(outcome), start=1)]
    return (f"<h2>{escape(label_of(outcome))} ({escape(outcome)})</h2>"
            + html_table(["rank", "factor", *columns], rows))


def _value(path: str, value: float) -> str:
    return format_value(path, value)
