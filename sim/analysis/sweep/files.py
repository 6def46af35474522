"""The files of a sweep: ``sweep.csv``, the base ``scenario.yaml``, ``manifest.json``, plots.

``sweep.csv`` has a row per point: the lever values, then mean, ci_low and
ci_high of every key metric. Unless ``--summary-only``, every point also gets a
run folder of its own under ``points/NNN``. ``report.html`` shows it all on one page.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from sim.analysis.sweep.run import Sweep, SweepPoint
from sim.api import RunResult
from sim.metrics import KEY_METRICS
from sim.scenario.io import scenario_to_yaml

__all__ = ["point_writer", "sweep_csv", "write_sweep"]


def sweep_csv(sweep: Sweep, metrics: Sequence[str] = KEY_METRICS) -> str:
    """``sweep.csv``: a row per point; lever values, then mean, ci_low, ci_high per outcome."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    stats = ("mean", "ci_low", "ci_high")
    writer.writerow(
        [
            "point",
            *(lv.path for lv in sweep.levers),
            *(f"{m}_{s}" for m in metrics for s in stats),
        ]
    )
    for p in sweep.points:
        cells = [_cell(getattr(p.summary[m], s)) for m in metrics for s in stats]
        writer.writerow([p.label, *(_cell(p.settings[lv.path]) for lv in sweep.levers), *cells])
    return out.getvalue()


def point_writer(folder: Path) -> Callable[[SweepPoint, RunResult], None]:
    """``on_point`` that writes each point's run folder (data files) to ``folder/points/NNN``."""

    def write(point: SweepPoint, result: RunResult) -> None:
        target = folder / "points" / point.label
        target.mkdir(parents=True)
        result.write_files(target)

    return write


def write_sweep(
    folder: Path, sweep: Sweep, info: dict[str, Any] | None = None, plots: bool = True
) -> None:
    """Write ``sweep.csv``, the base ``scenario.yaml``, ``manifest.json``, ``plots/``, report."""
    (folder / "sweep.csv").write_text(sweep_csv(sweep), encoding="utf-8")
    (folder / "scenario.yaml").write_text(scenario_to_yaml(sweep.scenario), encoding="utf-8")
    manifest = {
        "kind": "sweep",
        "scenario": sweep.scenario.name,
        "seed": sweep.seed,
        "replications": sweep.replications,
        "points": len(sweep.points),
        "design": "full factorial, common random numbers (same seed at every point)",
        "levers": {lv.path: list(lv.values) for lv in sweep.levers if lv.kind == "lever"},
        "uncertainties": {
            lv.path: list(lv.values) for lv in sweep.levers if lv.kind == "uncertainty"
        },
        "outcomes": list(KEY_METRICS),
        **(info or {}),
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    if plots:
        from sim.analysis.sweep.plots import write_sweep_plots  # matplotlib, only when drawing
        from sim.analysis.sweep.report import write_sweep_report

        write_sweep_plots(folder / "plots", sweep)
        write_sweep_report(folder, sweep, info)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if not np.isfinite(value):
            return ""
        return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    return str(value)
