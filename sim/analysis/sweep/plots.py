"""Charts of a sweep: each outcome against the lever (one lever) or over the grid (two).

Each ``plot_*`` draws one chart on a given Axes (or a new figure's) and returns it,
as SALib's ``plotting/bar.py`` does; ``write_sweep_plots`` saves PNG files. Figures
are ``matplotlib.figure.Figure`` objects (``sim.report.charts``), never pyplot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from sim.analysis.sweep.run import Sweep
from sim.metrics import KEY_METRICS, field_label, label_of, plural
from sim.report.charts import RUN_COLOURS, axis_scale, figure_of, new_axes, save_png, stamp

__all__ = ["SIZE", "caption", "plot_sweep_heatmap", "plot_sweep_line", "write_sweep_plots"]

SIZE = (9.0, 5.5)
"""Inches of a line chart: 1350 x 825 pixels as saved (150 dpi)."""
LINE = RUN_COLOURS[0]
"""Neutral: blue and orange mean domestic orders and exports in every chart."""


def _ticks(values: Sequence[Any], path: str) -> list[str]:
    divisor, _ = axis_scale(path, _numbers(values))
    return [
        f"{v / divisor:g}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)
        for v in values
    ]


def _numbers(values: Sequence[Any]) -> list[float]:
    """The numeric lever values (the axis unit is chosen from them)."""
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def caption(sweep: Sweep) -> str:
    """Which sweep a chart shows: scenario, replications per point, seed."""
    return (f"{sweep.scenario.name} · {plural(sweep.replications, 'replication')} per point "
            f"(common random numbers) · seed {sweep.seed}")


def plot_sweep_line(sweep: Sweep, metric: str, ax: Axes | None = None) -> Axes:
    """Mean of ``metric`` against the (first) lever, with its 95% confidence band."""
    ax = new_axes(ax, SIZE)
    lever = sweep.levers[0]
    divisor, unit = axis_scale(metric, sweep.column(metric, "mean"))
    mean, low, high = (sweep.column(metric, f) / divisor for f in ("mean", "ci_low", "ci_high"))
    if lever.numeric:
        x_divisor, x_unit = axis_scale(lever.path, _numbers(lever.values))
        x = np.array(lever.values, dtype=float) / x_divisor
        ax.fill_between(x, low, high, alpha=0.2, color=LINE, label="95% CI")
        ax.plot(x, mean, marker="o", color=LINE, label="mean")
        ax.set_xlabel(field_label(lever.path) + x_unit)
    else:
        positions = np.arange(len(lever.values))
        ax.errorbar(
            positions,
            mean,
            yerr=[mean - low, high - mean],
            fmt="o",
            capsize=4,
            color=LINE,
            label="mean, 95% CI",
        )
        ax.set_xticks(positions, _ticks(lever.values, lever.path))
        ax.set_xlabel(field_label(lever.path))
    ax.set_ylabel(label_of(metric) + unit)
    ax.set_title(f"{label_of(metric)} against {field_label(lever.path)}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plot_sweep_heatmap(sweep: Sweep, metric: str, ax: Axes | None = None) -> Axes:
    """Mean of ``metric`` over a two-lever grid; cells annotated with mean and CI half-width."""
    ax = new_axes(ax, (10.0, 7.0))
    rows, cols = sweep.levers[0], sweep.levers[1]
    divisor, unit = axis_scale(metric, sweep.grid(metric))
    mean = sweep.grid(metric) / divisor
    half = (sweep.grid(metric, "ci_high") - sweep.grid(metric)) / divisor
    image = ax.imshow(mean, origin="lower", aspect="auto", cmap="viridis")
    ax.figure.colorbar(image, ax=ax, label=label_of(metric) + unit)
    ax.set_yticks(range(len(rows.values)), _ticks(rows.values, rows.path))
    ax.set_xticks(range(len(cols.values)), _ticks(cols.values, cols.path), rotation=45)
    ax.set_ylabel(field_label(rows.path) + axis_scale(rows.path, _numbers(rows.values))[1])
    ax.set_xlabel(field_label(cols.path) + axis_scale(cols.path, _numbers(cols.values))[1])
    if mean.size <= 100:
        middle = np.nanmean(mean) if np.isfinite(mean).any() else 0.0
        for (i, j), value in np.ndenumerate(mean):
            text = "n/a" if not np.isfinite(value) else f"{value:.3g}\n±{half[i, j]:.2g}"
            colour = "black" if np.isfinite(value) and value > middle else "white"
            ax.text(j, i, text, ha="center", va="center", fontsize="small", color=colour)
    ax.set_title(f"{label_of(metric)}: mean (±95% CI half-width)")
    return ax


def write_sweep_plots(
    folder: Path, sweep: Sweep, metrics: Sequence[str] = KEY_METRICS
) -> list[Path]:
    """One PNG per outcome (line for one lever, heat map for two); nothing for more levers."""
    if len(sweep.levers) not in (1, 2):
        return []
    folder.mkdir(parents=True, exist_ok=True)
    draw = plot_sweep_line if len(sweep.levers) == 1 else plot_sweep_heatmap
    written = []
    for metric in metrics:
        path = folder / f"{metric}.png"
        ax = draw(sweep, metric)
        stamp(figure_of(ax), caption(sweep))
        save_png(ax, path)
        written.append(path)
    return written
