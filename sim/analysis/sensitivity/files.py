"""The files of a sensitivity analysis: ``indices.csv``, ``evaluations.csv``, manifest, plots.

``indices.csv`` has a row per outcome and parameter, most influential first:
Morris ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``, or Sobol ``S1``, ``S1_conf``,
``ST``, ``ST_conf``; ``evaluations.csv`` the design and the outcome means at every row.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.sensitivity.design import Factor
from sim.analysis.sensitivity.indices import COLUMNS, PLOTTED_OUTCOMES, SensitivityResult
from sim.scenario.io import scenario_to_yaml
from sim.scenario.schema import Scenario

__all__ = ["evaluations_csv", "indices_csv", "write_sensitivity"]


def indices_csv(result: SensitivityResult, kinds: Mapping[str, str] | None = None) -> str:
    """``indices.csv``: outcome, parameter, kind, rank, then the method's columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = COLUMNS[result.method]
    writer.writerow(["outcome", "parameter", "kind", "rank", *columns])
    for outcome in result.indices:
        for rank, row in enumerate(result.ranking(outcome), start=1):
            kind = (kinds or {}).get(row["parameter"], "")
            writer.writerow(
                [outcome, row["parameter"], kind, rank, *(_cell(row[c]) for c in columns)]
            )
    return out.getvalue()


def evaluations_csv(result: SensitivityResult) -> str:
    """``evaluations.csv``: the design and the outcome means at every row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["evaluation", *result.names, *result.outputs])
    for i, x in enumerate(result.samples):
        writer.writerow(
            [i, *(_cell(v) for v in x), *(_cell(y[i]) for y in result.outputs.values())]
        )
    return out.getvalue()


def write_sensitivity(
    folder: Path,
    result: SensitivityResult,
    factors: Sequence[Factor],
    scenario: Scenario,
    info: Mapping[str, Any] | None = None,
) -> None:
    """``indices.csv``, ``evaluations.csv``, the base ``scenario.yaml``, manifest, plots, report."""
    from sim.analysis.sensitivity.plots import write_indices_plots  # matplotlib, when drawing

    kinds = {f.path: f.kind for f in factors}
    (folder / "scenario.yaml").write_text(scenario_to_yaml(scenario), encoding="utf-8")
    (folder / "indices.csv").write_text(indices_csv(result, kinds), encoding="utf-8")
    (folder / "evaluations.csv").write_text(evaluations_csv(result), encoding="utf-8")
    manifest = {
        "kind": "sensitivity",
        "scenario": scenario.name,
        "method": result.method,
        "evaluations": len(result.samples),
        "levers": {f.path: [f.low, f.high] for f in factors if f.kind == "lever"},
        "uncertainties": {f.path: [f.low, f.high] for f in factors if f.kind == "uncertainty"},
        "integer_factors": [f.path for f in factors if f.integer],
        "outcomes": list(result.outputs),
        "skipped_outcomes": result.skipped,
        **(info or {}),
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    replications = (info or {}).get("replications")
    caption = f"{scenario.name} · {len(result.samples)} evaluations" + (
        f" x {replications} replications" if replications else "")
    write_indices_plots(folder / "plots", result, PLOTTED_OUTCOMES, caption)
    from sim.analysis.sensitivity.report import write_sensitivity_report  # drawn with the plots

    write_sensitivity_report(folder, result, factors, scenario, info or {})


def _cell(value: Any) -> str:
    value = float(value)
    return repr(value) if np.isfinite(value) else ""

