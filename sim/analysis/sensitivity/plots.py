"""Charts of sensitivity indices: one tornado chart per outcome, largest effect on top.

Like SALib's ``plotting/bar.py``, ``plot_indices`` draws on a given Axes (or a new
figure's) and returns it; ``write_indices_plots`` saves PNG files. Figures are
``matplotlib.figure.Figure`` objects (``sim.report.charts``), never pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes

from sim.analysis.sensitivity.indices import SensitivityResult
from sim.metrics import Unit, field_label, label_of, unit_of
from sim.report.charts import RUN_COLOURS, axis_scale, figure_of, new_axes, save_png, stamp

__all__ = ["plot_indices", "write_indices_plots"]


def plot_indices(result: SensitivityResult, outcome: str, ax: Axes | None = None) -> Axes:
    """Tornado chart: one bar per parameter, largest on top, with the index's 95% interval.

    Morris: mu_star (scaled to the outcome's units); Sobol: total-order ST with
    first-order S1 drawn inside it.
    """
    rows = result.indices[outcome]
    order = sorted(rows, key=lambda r: result.importance(r))
    names = [r["parameter"] for r in order]
    y = np.arange(len(order))
    ax = new_axes(ax, (9.0, 1.8 + 0.55 * len(order)))
    if result.method == "morris":
        divisor, unit = axis_scale(outcome, [r["mu_star"] for r in order])
        values = np.array([r["mu_star"] for r in order]) / divisor
        conf = np.array([r["mu_star_conf"] for r in order]) / divisor
        ax.barh(y, values, xerr=conf, capsize=3, color=RUN_COLOURS[1])
        unit = " (percentage points)" if unit_of(outcome) is Unit.SHARE else unit
        ax.set_xlabel(f"Morris μ*: mean absolute effect on {label_of(outcome)}{unit}")
    else:
        for name, offset, colour, label in (
            ("ST", 0.2, RUN_COLOURS[1], "ST (total)"),
            ("S1", -0.2, RUN_COLOURS[2], "S1 (first order)"),
        ):
            index = [r[name] for r in order]
            error = [r[f"{name}_conf"] for r in order]
            ax.barh(y + offset, index, height=0.4, xerr=error, capsize=3, color=colour, label=label)
        ax.set_xlabel(f"Sobol index: share of the variance of {label_of(outcome)}")
        ax.legend(fontsize="small", loc="lower right")
    ax.set_yticks(y, [field_label(name) for name in names])
    ax.set_title(f"What moves {label_of(outcome)} ({result.method}, largest effect on top)")
    ax.grid(axis="x", alpha=0.3)
    return ax


def write_indices_plots(
    folder: Path, result: SensitivityResult, outcomes: Sequence[str], caption: str = ""
) -> list[Path]:
    """One tornado PNG per outcome that has indices, headed by ``caption`` (which run)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for outcome in outcomes:
        if outcome not in result.indices:
            continue
        path = folder / f"indices_{outcome}.png"
        ax = plot_indices(result, outcome)
        if caption:
            stamp(figure_of(ax), caption)
        save_png(ax, path)
        written.append(path)
    return written
