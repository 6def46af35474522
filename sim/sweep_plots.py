"""Plots of sweeps and sensitivity indices: outcomes against levers, indices as tornado bars.

Matplotlib only here (and in ``sim.plots``). Each ``plot_*`` function draws one
chart on a given ``Axes`` (or a new one) and returns it, as SALib's
``plotting/bar.py`` does; ``write_*`` functions save PNG files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from sim.metrics import KEY_METRICS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.sensitivity import SensitivityResult
    from sim.sweep import Sweep

__all__ = [
    "plot_indices",
    "plot_sweep_heatmap",
    "plot_sweep_line",
    "write_indices_plots",
    "write_sweep_plots",
]

DPI = 110


def _scale(name: str) -> tuple[float, str]:
    """Divisor and unit label that make a quantity readable: USD in billions, shares in percent."""
    if name.endswith("_usd"):
        return 1e9, " ($B)"
    if name.endswith("_share"):
        return 0.01, " (%)"
    return 1.0, ""


def _ticks(values: Sequence[Any], path: str) -> list[str]:
    divisor, _ = _scale(path)
    return [
        f"{v / divisor:g}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)
        for v in values
    ]


def plot_sweep_line(sweep: Sweep, metric: str, ax: Axes | None = None) -> Axes:
    """Mean of ``metric`` against the (first) lever, with its 95% confidence band."""
    ax = ax or plt.figure(figsize=(6, 4)).add_subplot()
    lever = sweep.levers[0]
    divisor, unit = _scale(metric)
    mean, low, high = (sweep.column(metric, f) / divisor for f in ("mean", "ci_low", "ci_high"))
    if lever.numeric:
        x_divisor, x_unit = _scale(lever.path)
        x = np.array(lever.values, dtype=float) / x_divisor
        ax.fill_between(x, low, high, alpha=0.25, label="95% CI")
        ax.plot(x, mean, marker="o", label="mean")
        ax.set_xlabel(lever.path + x_unit)
    else:
        positions = np.arange(len(lever.values))
        ax.errorbar(
            positions,
            mean,
            yerr=[mean - low, high - mean],
            fmt="o",
            capsize=4,
            label="mean, 95% CI",
        )
        ax.set_xticks(positions, _ticks(lever.values, lever.path))
        ax.set_xlabel(lever.path)
    ax.set_ylabel(metric + unit)
    ax.set_title(f"{metric} vs {lever.path}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_sweep_heatmap(sweep: Sweep, metric: str, ax: Axes | None = None) -> Axes:
    """Mean of ``metric`` over a two-lever grid; cells annotated with mean and CI half-width."""
    ax = ax or plt.figure(figsize=(7, 5)).add_subplot()
    rows, cols = sweep.levers[0], sweep.levers[1]
    divisor, unit = _scale(metric)
    mean = sweep.grid(metric) / divisor
    half = (sweep.grid(metric, "ci_high") - sweep.grid(metric)) / divisor
    image = ax.imshow(mean, origin="lower", aspect="auto", cmap="viridis")
    ax.figure.colorbar(image, ax=ax, label=metric + unit)
    ax.set_yticks(range(len(rows.values)), _ticks(rows.values, rows.path))
    ax.set_xticks(range(len(cols.values)), _ticks(cols.values, cols.path), rotation=45)
    ax.set_ylabel(rows.path + _scale(rows.path)[1])
    ax.set_xlabel(cols.path + _scale(cols.path)[1])
    if mean.size <= 100:
        middle = np.nanmean(mean) if np.isfinite(mean).any() else 0.0
        for (i, j), value in np.ndenumerate(mean):
            text = "n/a" if not np.isfinite(value) else f"{value:.3g}\n±{half[i, j]:.2g}"
            colour = "black" if np.isfinite(value) and value > middle else "white"
            ax.text(j, i, text, ha="center", va="center", fontsize=7, color=colour)
    ax.set_title(f"{metric}: mean (±95% CI half-width)", fontsize=10)
    return ax


def _save(ax: Axes, path: Path) -> None:
    figure = ax.get_figure()
    assert isinstance(figure, Figure)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
    plt.close(figure)


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
        ax = draw(sweep, metric)
        path = folder / f"{metric}.png"
        _save(ax, path)
        written.append(path)
    return written


def plot_indices(result: SensitivityResult, outcome: str, ax: Axes | None = None) -> Axes:
    """Tornado chart: one bar per parameter, largest on top, with the index's 95% interval.

    Morris: mu_star (scaled to the outcome's units); Sobol: total-order ST with
    first-order S1 drawn inside it.
    """
    rows = result.indices[outcome]
    order = sorted(rows, key=lambda r: result.importance(r))
    names = [r["parameter"] for r in order]
    y = np.arange(len(order))
    ax = ax or plt.figure(figsize=(7, 1.2 + 0.5 * len(order))).add_subplot()
    if result.method == "morris":
        divisor, unit = _scale(outcome)
        values = np.array([r["mu_star"] for r in order]) / divisor
        conf = np.array([r["mu_star_conf"] for r in order]) / divisor
        ax.barh(y, values, xerr=conf, capsize=3, color="tab:blue")
        unit = " (percentage points)" if outcome.endswith("_share") else unit
        ax.set_xlabel(f"Morris mu* of {outcome}{unit}")
    else:
        for name, offset, colour, label in (
            ("ST", 0.2, "tab:orange", "ST (total)"),
            ("S1", -0.2, "tab:blue", "S1 (first order)"),
        ):
            index = [r[name] for r in order]
            error = [r[f"{name}_conf"] for r in order]
            ax.barh(y + offset, index, height=0.4, xerr=error, capsize=3, color=colour, label=label)
        ax.set_xlabel(f"Sobol index of {outcome}")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_yticks(y, names)
    ax.set_title(f"{outcome}: {result.method} sensitivity", fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return ax


def write_indices_plots(
    folder: Path, result: SensitivityResult, outcomes: Sequence[str]
) -> list[Path]:
    """One tornado PNG per outcome that has indices."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for outcome in outcomes:
        if outcome not in result.indices:
            continue
        ax = plot_indices(result, outcome)
        path = folder / f"indices_{outcome}.png"
        _save(ax, path)
        written.append(path)
    return written
