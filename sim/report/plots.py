"""Charts of one run's monthly series: capacity use, absorption, firms, licences, markets.

Each ``plot_x`` takes the tables read from a run folder
(``sim.results.read.RunFolder``) and an optional Axes, returns the Axes, and raises
ValueError when the data it needs is missing instead of drawing an empty chart.
Built on ``sim.report.charts`` (Figure objects, never pyplot; one colour per
quantity). Charts overlaying several runs are in ``sim.report.compare_plots``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.metrics import format_value, series_label
from sim.report.charts import (
    COLOURS,
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

__all__ = [
    "plot_absorption",
    "plot_capacity",
    "plot_capacity_by_sector",
    "plot_firms",
    "plot_licences",
    "plot_markets",
    "render_run_plots",
]

CAPACITY_STACK = (("domestic_usd", "domestic"), ("export_usd", "export"), ("idle_usd", "idle"))
"""Series stacked up to capacity, bottom first, with their colours."""
CAPACITY_ORDER = tuple(series_label(name) for name in
                       ("capacity_usd", "surplus_usd", "idle_usd", "export_usd", "domestic_usd"))
"""Legend of the capacity charts, top of the stack first."""

FIRM_SERIES = (("firms_active", "active", "active"),
               ("firms_bankrupt", "bankrupt", "bankrupt, cumulative"),
               ("firms_migrated", "migrated", "migrated, cumulative"),
               ("firms_acquired", "acquired", "acquired, cumulative"))


# --- (a) capacity use -----------------------------------------------------------------


def plot_capacity(run: RunFolder, ax: Axes | None = None, *, group: str = "all",
                  legend: bool = True) -> Axes:
    """Domestic, export and idle production stacked up to capacity, the surplus outlined.

    Means over replications (means add up, medians do not), USD per month at
    domestic prices, in the unit the capacity's size calls for (billions for a
    country, millions for the teaching scenario). ``group`` is ``all`` or a sector.
    """
    ax = new_axes(ax)
    bounds = edges(run)
    widths = np.diff(bounds)
    bottom = np.zeros(len(widths))
    scale, unit = usd_scale(series(run, group, "capacity_usd"))
    for metric, key in CAPACITY_STACK:
        values = series(run, group, metric) / scale
        ax.bar(bounds[:-1], values, widths, bottom=bottom, align="edge", color=COLOURS[key],
               label=series_label(metric), linewidth=0)
        bottom = bottom + values
    capacity = series(run, group, "capacity_usd") / scale
    domestic = series(run, group, "domestic_usd") / scale
    ax.stairs(capacity, bounds, color=COLOURS["capacity"], linewidth=1.5, baseline=None,
              label=series_label("capacity_usd"))
    # The surplus is the part of the stack above domestic orders (exports + idle): outlined
    # there, from the top of the domestic block to capacity. Drawn from zero as a line of
    # its own height it would sit inside the domestic block and read as part of it.
    ax.stairs(capacity, bounds, baseline=domestic, fill=False, color=COLOURS["surplus"],
              linewidth=1.8, linestyle="--", label=series_label("surplus_usd"))
    date_axis(ax, bounds[0], bounds[-1])
    usd_axis(ax, f"{unit} per month")
    ax.set_ylim(bottom=0)
    ax.set_title(f"Capacity use, {group_label(group)} (mean of replications)")
    if legend:
        side_legend(ax, CAPACITY_ORDER)
    return ax


def plot_capacity_by_sector(run: RunFolder, fig: Figure | None = None) -> Figure:
    """``plot_capacity`` for each sector as small multiples, one shared legend."""
    sectors = run.sectors
    if not sectors:
        raise ValueError("monthly.csv has no sector series")
    cols = min(3, len(sectors))
    rows = math.ceil(len(sectors) / cols)
    fig = fig or Figure(figsize=(4.2 * cols, 2.9 * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, sector in zip(axes, sectors, strict=False):
        plot_capacity(run, ax, group=sector, legend=False)
        ax.set_title(group_label(sector), fontsize="medium")
        ax.set_xlabel("")
    for ax in axes[len(sectors):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    pairs = sorted(zip(handles, labels, strict=True), key=lambda p: CAPACITY_ORDER.index(p[1]))
    fig.legend([h for h, _ in pairs], [lab for _, lab in pairs], loc="outside lower center",
               ncols=len(labels), frameon=False)
    fig.suptitle("Capacity use by sector, USD per month (mean of replications)")
    return fig


# --- (b) absorption -------------------------------------------------------------------


def plot_absorption(run: RunFolder, ax: Axes | None = None, *, group: str = "all") -> Axes:
    """Share of the surplus absorbed by exports per month: median and bands across replications."""
    ax = new_axes(ax)
    bounds = edges(run)
    colour = COLOURS["absorption"]
    median = series(run, group, "absorption_share", "p50")
    high = series(run, group, "absorption_share", "p95")
    step_band(ax, bounds, series(run, group, "absorption_share", "p05"), high, color=colour,
               alpha=0.25, label="90% of replications (p05–p95)")
    if {"p25", "p75"} <= set(run.monthly.stats):
        step_band(ax, bounds, series(run, group, "absorption_share", "p25"),
                   series(run, group, "absorption_share", "p75"), color=colour, alpha=0.45,
                   label="50% of replications (p25–p75)")
    ax.stairs(median, bounds, color=colour, linewidth=2, baseline=None, label="median")
    date_axis(ax, bounds[0], bounds[-1])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, min(1.0, max(0.1, 1.2 * float(high.max()))))
    ax.set_ylabel("exports / surplus")
    ax.set_title(f"Share of surplus capacity absorbed by exports, {group_label(group)}")
    side_legend(ax)
    return ax


# --- (c) firms ------------------------------------------------------------------------


def plot_firms(run: RunFolder, ax: Axes | None = None, *, group: str = "all") -> Axes:
    """Active firms (mean, 90% band) and cumulative exits by outcome."""
    ax = new_axes(ax)
    bounds = edges(run)
    step_band(ax, bounds, series(run, group, "firms_active", "p05"),
               series(run, group, "firms_active", "p95"), color=COLOURS["active"], alpha=0.2,
               label="active, 90% of replications")
    for metric, key, label in FIRM_SERIES:
        ax.stairs(series(run, group, metric), bounds, color=COLOURS[key], linewidth=2,
                  baseline=None, label=f"{label} (mean)")
    date_axis(ax, bounds[0], bounds[-1])
    top = float(ax.get_ylim()[1])
    ax.set_ylim(-0.02 * top, top)
    ax.set_ylabel("firms")
    ax.set_title(f"Firms over time, {group_label(group)}")
    side_legend(ax)
    return ax


# --- (d) licence pipeline -------------------------------------------------------------


def plot_licences(run: RunFolder, ax: Axes | None = None) -> Axes:
    """Applications waiting and licences in force, with commission meetings and pauses."""
    ax = new_axes(ax)
    bounds = edges(run)
    ax.stairs(series(run, "all", "queue_length"), bounds, color=COLOURS["queue"], linewidth=2,
              baseline=None, label="applications waiting (mean)")
    ax.stairs(series(run, "all", "licences_active"), bounds, color=COLOURS["licences"],
              linewidth=2, baseline=None, label="licences in force (mean)")
    _mark_commission(ax, run, bounds)
    date_axis(ax, bounds[0], bounds[-1])
    ax.set_ylim(0, float(ax.get_ylim()[1]) * 1.08)
    ax.set_ylabel("applications, licences (count)")
    ax.set_title("Licence pipeline (triangles: commission meetings, shaded: pauses)")
    side_legend(ax)
    return ax


def _mark_commission(ax: Axes, run: RunFolder, bounds: np.ndarray) -> None:
    start, end = bounds[0], bounds[-1]
    for k, (first, last) in enumerate(run.pauses):
        a, b = max(date_num(first), start), min(date_num(last), end)
        if a < b:
            ax.axvspan(a, b, color=COLOURS["pause"], zorder=0,
                       label="commission paused" if k == 0 else None)
    meetings = [date_num(d) for d in run.meetings]
    if meetings:
        ax.plot(meetings, [0.97] * len(meetings), linestyle="none", marker="v", markersize=7,
                color=COLOURS["meeting"], transform=ax.get_xaxis_transform(),
                label="commission meeting")
    opens = run.licensing_opens
    if opens is not None and start < date_num(opens) < end:
        ax.axvline(date_num(opens), color=COLOURS["meeting"], linestyle=":",
                   label="licensing opens")


# --- (e) export markets ---------------------------------------------------------------


def plot_markets(run: RunFolder, ax: Axes | None = None) -> Axes:
    """Export demand per market over the horizon: delivered, taken by joint lines, lost."""
    markets = run.markets
    if not markets:
        raise ValueError("monthly.csv has no export markets (the scenario has none)")
    ax = new_axes(ax, (9.0, 1.2 + 0.7 * len(markets)))
    fields = ("demand_usd", "accepted_usd", "joint_usd", "lost_usd")
    sums = {m: {f: float(series(run, f"market:{m}", f).sum()) for f in fields} for m in markets}
    scale, unit = usd_scale([v for m in markets for v in sums[m].values()])
    totals = {m: {f: v / scale for f, v in sums[m].items()} for m in markets}
    y = np.arange(len(markets))
    left = np.zeros(len(markets))
    for field, key, label in (("accepted_usd", "export", "delivered by domestic firms"),
                              ("joint_usd", "joint", "taken by joint production abroad"),
                              ("lost_usd", "lost", "lost (no licensed firm in time)")):
        values = np.array([totals[m][field] for m in markets])
        ax.barh(y, values, left=left, color=COLOURS[key], label=label, height=0.6)
        left = left + values
    for k, m in enumerate(markets):
        demand = totals[m]["demand_usd"]
        lost = totals[m]["lost_usd"] / demand if demand > 0 else 0.0
        text = format_value("demand_usd", demand * scale)
        ax.annotate(f" {text}, {lost:.0%} lost", (left[k], y[k]), va="center", fontsize="small")
    ax.set_yticks(y, [m.replace("_", " ") for m in markets])
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(left.max()), 1e-9) * 1.35)
    ax.set_xlabel(f"{unit} over the horizon (domestic prices, mean of replications)")
    ax.set_title("Export demand met and lost, per market")
    side_legend(ax)
    return ax


def _whole(plot: Callable[[RunFolder], Axes], run: RunFolder) -> Callable[[], Figure]:
    return lambda: figure_of(plot(run))


def _stamped(draw: Callable[[], Figure], run: RunFolder) -> Callable[[], Figure]:
    return lambda: stamp(draw(), run_caption(run.name, run.replication_count, run.seed))


def render_run_plots(run: RunFolder, fmt: str = "png") -> list[Rendered]:
    """Every chart of one run, in report order."""
    charts: list[tuple[str, str, Callable[[], Figure]]] = [
        ("capacity_use", "Capacity use, all sectors", _whole(plot_capacity, run)),
        ("capacity_use_by_sector", "Capacity use by sector", lambda: plot_capacity_by_sector(run)),
        ("absorption_share", "Absorption of the surplus by exports", _whole(plot_absorption, run)),
        ("firms", "Firms over time", _whole(plot_firms, run)),
        ("licence_pipeline", "Licence pipeline", _whole(plot_licences, run)),
        ("export_markets", "Export demand met and lost", _whole(plot_markets, run)),
    ]
    return [render(stem, title, _stamped(draw, run), fmt) for stem, title, draw in charts]


