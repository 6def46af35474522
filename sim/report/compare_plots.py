"""Charts comparing saved runs: monthly series overlaid, markets, differences to the base.

One colour (and line style) per run, run 0 being the base, in every chart. Built
on ``sim.report.charts``: only Figure objects, never pyplot.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter

from sim.metrics import Unit, label_of, series_label, unit_of
from sim.report.charts import (
    COLOURS,
    RUN_COLOURS,
    Rendered,
    date_axis,
    date_num,
    edges,
    figure_of,
    group_label,
    new_axes,
    render,
    run_caption,
    series,
    side_legend,
    stamp,
    step_band,
    usd_axis,
    usd_scale,
)
from sim.results.read import RunFolder
from sim.stats import Difference

__all__ = [
    "RUN_COLOURS",
    "plot_differences",
    "plot_markets_compare",
    "plot_overlay",
    "plot_overlay_grid",
    "render_compare_plots",
    "shared_months",
]

RUN_STYLES = ("-", "--", "-.", ":")
"""Line styles cycled with the run colours, so runs that coincide stay visible."""


def plot_overlay(runs: Sequence[RunFolder], metric: str, ax: Axes | None = None, *,
                 group: str = "all", labels: Sequence[str] | None = None,
                 band: bool = False) -> Axes:
    """One monthly series of several runs, one colour per run (mean, or median with band).

    Runs lacking the series (another sector set) are left out; ValueError if none has it.
    """
    ax = new_axes(ax)
    labels = labels or [r.name for r in runs]
    drawn: list[np.ndarray] = []
    windows = shared_months(runs)
    shown = [k for k, r in enumerate(runs) if r.monthly.has(group, metric)]
    scale, unit = usd_scale([series(runs[k], group, metric, s)[windows[k]] for k in shown
                             for s in (("p05", "p95") if band else ("mean",))])
    if unit_of(metric) is not Unit.USD:
        scale = 1.0
    for k in shown:
        run, window = runs[k], windows[k]
        bounds = edges(run)[window.start:(None if window.stop is None else window.stop + 1)]
        colour = RUN_COLOURS[k % len(RUN_COLOURS)]
        if band:
            step_band(ax, bounds, series(run, group, metric, "p05")[window] / scale,
                       series(run, group, metric, "p95")[window] / scale, color=colour,
                       alpha=0.15)
        values = series(run, group, metric, "p50" if band else "mean")[window] / scale
        ax.stairs(values, bounds, color=colour, linewidth=2, baseline=None, label=labels[k],
                  linestyle=RUN_STYLES[k % len(RUN_STYLES)])
        drawn.append(bounds)
    if not drawn:
        raise ValueError(f"no run has monthly {metric!r} for {group!r}")
    date_axis(ax, min(e[0] for e in drawn), max(e[-1] for e in drawn))
    if unit_of(metric) is Unit.SHARE:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("share")
    elif unit_of(metric) is Unit.USD:
        usd_axis(ax, f"{unit} per month")
    else:
        ax.set_ylabel("count")
    what = "median, band: 90% of replications" if band else "mean"
    if any(w != slice(None) for w in windows):
        what += "; the months all runs share"
    name = series_label(metric)
    ax.set_title(f"{name} ({what})", fontsize="medium")
    return ax


def shared_months(runs: Sequence[RunFolder]) -> list[slice]:
    """Per run, the slice of its months that every run has, so monthly charts compare like
    with like; whole horizons when the runs share them all, or share none (a 2024 run
    against a 2026 one: each is drawn on its own months, and totals do the comparing)."""
    months = [r.monthly.months for r in runs]
    shared = set.intersection(*(set(m) for m in months)) if months else set()
    if not shared or all(set(m) == shared for m in months):
        return [slice(None)] * len(runs)
    windows = []
    for labels in months:
        inside = [i for i, month in enumerate(labels) if month in shared]
        windows.append(slice(inside[0], inside[-1] + 1))
    return windows


def plot_overlay_grid(runs: Sequence[RunFolder], metrics: Sequence[str], fig: Figure | None = None,
                      *, group: str = "all", labels: Sequence[str] | None = None,
                      title: str = "", band: bool = False) -> Figure:
    """``plot_overlay`` for several metrics as small multiples, one shared legend of runs."""
    if not metrics:
        raise ValueError("no metrics to plot")
    cols = min(2, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    fig = fig or Figure(figsize=(6.0 * cols, 3.2 * rows + 0.9), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=False):
        plot_overlay(runs, metric, ax, group=group, labels=labels, band=band)
        ax.set_xlabel("")
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="outside lower center", ncols=min(len(names), 4), frameon=False)
    if title:
        fig.suptitle(f"{title}, {group_label(group)}")
    return fig


def plot_markets_compare(runs: Sequence[RunFolder], ax: Axes | None = None, *,
                         labels: Sequence[str] | None = None) -> Axes:
    """Export demand met (solid) and lost (hatched) per market, one bar per run."""
    labels = labels or [r.name for r in runs]
    markets = list(dict.fromkeys(m for r in runs for m in r.markets))
    if not markets:
        raise ValueError("no run has export markets")
    ax = new_axes(ax, (9.0, 1.5 + 0.35 * len(markets) * len(runs)))
    height = 0.8 / len(runs)
    totals = {(k, m): (sum(float(series(run, f"market:{m}", f).sum())
                           for f in ("accepted_usd", "joint_usd")),
                       float(series(run, f"market:{m}", "lost_usd").sum()))
              for k, run in enumerate(runs) for m in markets if m in run.markets}
    scale, unit = usd_scale([met + lost for met, lost in totals.values()])
    labelled: set[int] = set()
    for (k, m), (met, lost) in totals.items():
        colour = RUN_COLOURS[k % len(RUN_COLOURS)]
        i = markets.index(m)
        y = i + (k - (len(runs) - 1) / 2) * height
        ax.barh(y, met / scale, height * 0.9, color=colour,
                label=None if k in labelled else labels[k])
        labelled.add(k)
        ax.barh(y, lost / scale, height * 0.9, left=met / scale, color=colour,
                alpha=0.35, hatch="//", edgecolor=colour)
    ax.set_yticks(range(len(markets)), [m.replace("_", " ") for m in markets])
    ax.invert_yaxis()
    ax.set_xlabel(f"{unit} over the horizon (solid: met, hatched: lost)")
    ax.set_title("Export demand met and lost, per market and run")
    side_legend(ax)
    return ax


def plot_differences(differences: Sequence[Difference], fig: Figure | None = None) -> Figure:
    """Each run's difference to the base run, in % of the base mean, with its 95% CI.

    One row per metric, each on its own scale (zero always shown, marked by a line),
    with the change written beside it: one metric at +280% does not squash the others
    to a dot at zero. Points are the means, bars the intervals, one colour per run.
    """
    shown = [d for d in differences if d.relative() is not None]
    if not shown:
        raise ValueError("no differences with a nonzero base mean to plot")
    metrics = list(dict.fromkeys(d.metric for d in shown))
    runs = list(dict.fromkeys(d.run_index for d in shown))
    fig = fig or Figure(figsize=(9.0, 1.2 + 0.42 * len(metrics) * max(1, len(runs) * 0.6)),
                        layout="constrained")
    axes = fig.subplots(len(metrics), 1, squeeze=False).ravel()
    for ax, metric in zip(axes, metrics, strict=True):
        _difference_row(ax, [d for d in shown if d.metric == metric], runs)
    left_out = sorted({d.metric for d in differences} - set(metrics))
    note = (textwrap.fill(f"not drawn, no base to divide by: {', '.join(map(label_of, left_out))}",
                          110) if left_out else "")
    axes[-1].set_xlabel("difference to the first run, % of its mean (95% CI); each row on its "
                        "own scale" + (f"\n{note}" if note else ""), fontsize="small")
    handles = [Line2D([], [], color=RUN_COLOURS[k % len(RUN_COLOURS)], marker="o",
                      linestyle="none") for k in runs]
    names = [next(d.run_label for d in shown if d.run_index == k) for k in runs]
    fig.legend(handles, names, loc="outside upper right", frameon=False, fontsize="small",
               ncols=min(len(names), 4))
    fig.suptitle("Differences to the first run", fontsize="medium", x=0.02, ha="left")
    return fig


def _difference_row(ax: Axes, row: Sequence[Difference], runs: Sequence[int]) -> None:
    """One metric: a point and interval per run on the row's own scale, the change in words."""
    height = 0.8 / len(runs)
    ends = [0.0]
    texts = []
    for d in row:
        mean, low, high = d.relative() or (0.0, 0.0, 0.0)
        y = (runs.index(d.run_index) - (len(runs) - 1) / 2) * height
        ax.errorbar(mean, y, xerr=[[mean - low], [high - mean]], fmt="o", capsize=3,
                    color=RUN_COLOURS[d.run_index % len(RUN_COLOURS)], markersize=4)
        ends += [low, high]
        texts.append(f"{mean:+.1f}%")
    ax.axvline(0, color=COLOURS["capacity"], linewidth=0.8)
    span = max(ends) - min(ends)
    pad = 0.08 * span if span > 0 else 1.0
    ax.set_xlim(min(ends) - pad, max(ends) + pad)
    ax.set_ylim(-0.5, 0.5)
    ax.set_yticks([])
    ax.set_ylabel(textwrap.fill(label_of(row[0].metric), 30), rotation=0, ha="right",
                  va="center", fontsize="small")
    ax.xaxis.set_major_formatter(PercentFormatter(100.0, decimals=None))
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.tick_params(axis="x", labelsize="x-small")
    ax.annotate(", ".join(texts), (1.01, 0.5), xycoords="axes fraction", va="center",
                fontsize="small")


def render_compare_plots(runs: Sequence[RunFolder], labels: Sequence[str],
                         differences: Sequence[Difference], fmt: str = "png") -> list[Rendered]:
    """Every chart of a comparison, runs overlaid (one colour per run)."""
    def grid(metrics: Sequence[str], title: str, band: bool = False) -> Callable[[], Figure]:
        return lambda: plot_overlay_grid(runs, metrics, labels=labels, title=title, band=band)

    def single(draw: Callable[[], Axes]) -> Callable[[], Figure]:
        return lambda: figure_of(draw())

    charts: list[tuple[str, str, Callable[[], Figure]]] = [
        ("differences", "Differences to the first run", lambda: plot_differences(differences)),
        ("capacity_use", "Capacity use",
         grid(("domestic_usd", "export_usd", "idle_usd", "surplus_usd"), "Capacity use")),
        ("absorption_share", "Absorption of the surplus by exports",
         grid(("absorption_share",), "Share of surplus absorbed by exports", band=True)),
        ("firms", "Firms over time",
         grid(("firms_active", "firms_bankrupt", "firms_migrated", "firms_acquired"), "Firms")),
        ("licence_pipeline", "Licence pipeline",
         lambda: _with_meetings(grid(("queue_length", "licences_active"), "Licence pipeline")(),
                                runs)),
        ("export_markets", "Export demand met and lost",
         single(lambda: plot_markets_compare(runs, labels=labels))),
    ]
    caption = "; ".join(f"{label}: {run_caption(r.name, r.replication_count, r.seed)}"
                        for label, r in zip(labels, runs, strict=True))
    return [render(stem, title, _stamped(draw, caption), fmt) for stem, title, draw in charts]


def _stamped(draw: Callable[[], Figure], caption: str) -> Callable[[], Figure]:
    return lambda: stamp(draw(), caption)


def _with_meetings(fig: Figure, runs: Sequence[RunFolder]) -> Figure:
    """Each run's commission meetings as triangles in its colour along the top of each panel."""
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for k, run in enumerate(runs):
            meetings = [date_num(d) for d in run.meetings]
            ax.plot(meetings, [0.97 - 0.05 * k] * len(meetings), linestyle="none", marker="v",
                    markersize=5, color=RUN_COLOURS[k % len(RUN_COLOURS)],
                    transform=ax.get_xaxis_transform())
        ax.set_ylim(0, float(ax.get_ylim()[1]) * (1.1 + 0.05 * len(runs)))
    fig.suptitle("Licence pipeline (triangles: commission meetings of each run)")
    return fig
