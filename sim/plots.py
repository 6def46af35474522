"""Charts of a run's monthly series: capacity use, absorption, firms, licences, markets.

The only module that imports matplotlib. Figures are built as
``matplotlib.figure.Figure`` objects rendered by the Agg canvas, never through
pyplot, so nothing is shown and no global figure state leaks. Each ``plot_x``
takes the tables read from a run folder (``sim.run_folder.RunFolder``) and an
optional Axes, returns the Axes, and raises ValueError when the data it needs
is missing instead of drawing an empty chart.

Each quantity has one colour in every chart (``COLOURS``). Charts overlaying
several runs are in ``sim.compare_plots``.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, PercentFormatter

from sim.run_folder import RunFolder

__all__ = [
    "COLOURS",
    "FORMATS",
    "Rendered",
    "figure_bytes",
    "plot_absorption",
    "plot_capacity",
    "plot_capacity_by_sector",
    "plot_firms",
    "plot_licences",
    "plot_markets",
    "render",
    "render_run_plots",
]

FORMATS = ("png", "svg", "pdf")
USD_BILLION = 1e9

COLOURS: dict[str, str] = {
    "capacity": "#222222",
    "domestic": "#1f77b4",
    "export": "#ff7f0e",
    "idle": "#d0d0d0",
    "surplus": "#d62728",
    "absorption": "#e6ab02",
    "active": "#2ca02c",
    "bankrupt": "#8c564b",
    "migrated": "#e377c2",
    "acquired": "#17becf",
    "queue": "#bcbd22",
    "licences": "#393b79",
    "meeting": "#555555",
    "pause": "#f2e6d9",
    "joint": "#66c2a5",
    "lost": "#7b3294",
}
"""One colour per quantity, the same in every chart."""

CAPACITY_ORDER = ("capacity", "surplus (capacity − domestic)", "idle", "exports", "domestic orders")

FIRM_SERIES = (("firms_active", "active", "active"),
               ("firms_bankrupt", "bankrupt", "bankrupt, cumulative"),
               ("firms_migrated", "migrated", "migrated, cumulative"),
               ("firms_acquired", "acquired", "acquired, cumulative"))


# --- shared helpers -------------------------------------------------------------------


def _new_axes(ax: Axes | None, size: tuple[float, float] = (9.0, 4.5)) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=size, layout="constrained").add_subplot()


def _figure_of(ax: Axes) -> Figure:
    fig = ax.get_figure()
    while fig is not None and not isinstance(fig, Figure):
        fig = fig.get_figure()
    if fig is None:
        raise ValueError("axes belong to no figure")
    return fig


def _series(run: RunFolder, group: str, metric: str, stat: str = "mean") -> np.ndarray:
    values = run.monthly.series(group, metric, stat)
    if not np.isfinite(values).any():
        raise ValueError(f"monthly.csv has no values of {metric!r} for {group!r}")
    return np.asarray(np.nan_to_num(values), dtype=float)


def _edges(run: RunFolder) -> np.ndarray:
    """Month boundaries as matplotlib date numbers: months + 1 entries."""
    return np.array([_num(d) for d in [*run.monthly.dates, run.horizon_end]])


def _num(date: dt.date) -> float:
    """A date as a matplotlib date number (days since matplotlib's epoch)."""
    return float(mdates.date2num(date))  # type: ignore[no-untyped-call]


def _date_axis(ax: Axes, start: float, end: float) -> None:
    ax.set_xlim(start, end)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlabel("month")


def _usd_axis(ax: Axes, label: str = "USD billions per month") -> None:
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))


def _legend(ax: Axes, order: Sequence[str] = ()) -> None:
    """A legend outside the plotting area, right of it, so it never covers data.

    Labels named in ``order`` come first, in that order (e.g. top of a stack first).
    """
    handles, labels = ax.get_legend_handles_labels()
    rank = {label: k for k, label in enumerate(order)}
    pairs = sorted(zip(handles, labels, strict=True), key=lambda p: rank.get(p[1], len(rank)))
    ax.legend([h for h, _ in pairs], [lab for _, lab in pairs], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")


def _step_band(ax: Axes, edges: np.ndarray, low: np.ndarray, high: np.ndarray,
               **kwargs: object) -> None:
    ax.fill_between(edges, np.append(low, low[-1]), np.append(high, high[-1]), step="post",
                    linewidth=0, **kwargs)  # type: ignore[arg-type]


def _group_label(group: str) -> str:
    return "all sectors" if group == "all" else group.replace("_", " ")


# --- (a) capacity use -----------------------------------------------------------------


def plot_capacity(run: RunFolder, ax: Axes | None = None, *, group: str = "all",
                  legend: bool = True) -> Axes:
    """Domestic, export and idle production stacked up to capacity, with the surplus line.

    Means over replications (means add up, medians do not), USD billions per
    month at domestic prices. ``group`` is ``all`` or a sector name.
    """
    ax = _new_axes(ax)
    edges = _edges(run)
    widths = np.diff(edges)
    bottom = np.zeros(len(widths))
    for metric, key, label in (("domestic_usd", "domestic", "domestic orders"),
                               ("export_usd", "export", "exports"),
                               ("idle_usd", "idle", "idle")):
        values = _series(run, group, metric) / USD_BILLION
        ax.bar(edges[:-1], values, widths, bottom=bottom, align="edge", color=COLOURS[key],
               label=label, linewidth=0)
        bottom = bottom + values
    capacity = _series(run, group, "capacity_usd") / USD_BILLION
    surplus = _series(run, group, "surplus_usd") / USD_BILLION
    ax.stairs(capacity, edges, color=COLOURS["capacity"], linewidth=1.5, baseline=None,
              label="capacity")
    ax.stairs(surplus, edges, color=COLOURS["surplus"], linewidth=2, linestyle="--",
              baseline=None, label="surplus (capacity − domestic)")
    _date_axis(ax, edges[0], edges[-1])
    _usd_axis(ax)
    ax.set_ylim(bottom=0)
    ax.set_title(f"Capacity use, {_group_label(group)} (mean of replications)")
    if legend:
        _legend(ax, CAPACITY_ORDER)
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
        ax.set_title(_group_label(sector), fontsize="medium")
        ax.set_xlabel("")
    for ax in axes[len(sectors):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    pairs = sorted(zip(handles, labels, strict=True), key=lambda p: CAPACITY_ORDER.index(p[1]))
    fig.legend([h for h, _ in pairs], [lab for _, lab in pairs], loc="outside lower center",
               ncols=len(labels), frameon=False)
    fig.suptitle("Capacity use by sector, USD billions per month (mean of replications)")
    return fig


# --- (b) absorption -------------------------------------------------------------------


def plot_absorption(run: RunFolder, ax: Axes | None = None, *, group: str = "all") -> Axes:
    """Share of the surplus absorbed by exports per month: median and bands across replications."""
    ax = _new_axes(ax)
    edges = _edges(run)
    colour = COLOURS["absorption"]
    median = _series(run, group, "absorption_share", "p50")
    high = _series(run, group, "absorption_share", "p95")
    _step_band(ax, edges, _series(run, group, "absorption_share", "p05"), high, color=colour,
               alpha=0.25, label="90% of replications (p05–p95)")
    if {"p25", "p75"} <= set(run.monthly.stats):
        _step_band(ax, edges, _series(run, group, "absorption_share", "p25"),
                   _series(run, group, "absorption_share", "p75"), color=colour, alpha=0.45,
                   label="50% of replications (p25–p75)")
    ax.stairs(median, edges, color=colour, linewidth=2, baseline=None, label="median")
    _date_axis(ax, edges[0], edges[-1])
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, min(1.0, max(0.1, 1.2 * float(high.max()))))
    ax.set_ylabel("exports / surplus")
    ax.set_title(f"Share of surplus capacity absorbed by exports, {_group_label(group)}")
    _legend(ax)
    return ax


# --- (c) firms ------------------------------------------------------------------------


def plot_firms(run: RunFolder, ax: Axes | None = None, *, group: str = "all") -> Axes:
    """Active firms (mean, 90% band) and cumulative exits by outcome."""
    ax = _new_axes(ax)
    edges = _edges(run)
    _step_band(ax, edges, _series(run, group, "firms_active", "p05"),
               _series(run, group, "firms_active", "p95"), color=COLOURS["active"], alpha=0.2,
               label="active, 90% of replications")
    for metric, key, label in FIRM_SERIES:
        ax.stairs(_series(run, group, metric), edges, color=COLOURS[key], linewidth=2,
                  baseline=None, label=f"{label} (mean)")
    _date_axis(ax, edges[0], edges[-1])
    top = float(ax.get_ylim()[1])
    ax.set_ylim(-0.02 * top, top)
    ax.set_ylabel("firms")
    ax.set_title(f"Firms over time, {_group_label(group)}")
    _legend(ax)
    return ax


# --- (d) licence pipeline -------------------------------------------------------------


def plot_licences(run: RunFolder, ax: Axes | None = None) -> Axes:
    """Applications waiting and licences in force, with commission meetings and pauses."""
    ax = _new_axes(ax)
    edges = _edges(run)
    ax.stairs(_series(run, "all", "queue_length"), edges, color=COLOURS["queue"], linewidth=2,
              baseline=None, label="applications waiting (mean)")
    ax.stairs(_series(run, "all", "licences_active"), edges, color=COLOURS["licences"],
              linewidth=2, baseline=None, label="licences in force (mean)")
    _mark_commission(ax, run, edges)
    _date_axis(ax, edges[0], edges[-1])
    ax.set_ylim(0, float(ax.get_ylim()[1]) * 1.08)
    ax.set_ylabel("applications, licences (count)")
    ax.set_title("Licence pipeline (triangles: commission meetings, shaded: pauses)")
    _legend(ax)
    return ax


def _mark_commission(ax: Axes, run: RunFolder, edges: np.ndarray) -> None:
    start, end = edges[0], edges[-1]
    for k, (first, last) in enumerate(run.pauses):
        a, b = max(_num(first), start), min(_num(last), end)
        if a < b:
            ax.axvspan(a, b, color=COLOURS["pause"], zorder=0,
                       label="commission paused" if k == 0 else None)
    meetings = [_num(d) for d in run.meetings]
    if meetings:
        ax.plot(meetings, [0.97] * len(meetings), linestyle="none", marker="v", markersize=7,
                color=COLOURS["meeting"], transform=ax.get_xaxis_transform(),
                label="commission meeting")
    opens = run.licensing_opens
    if opens is not None and start < _num(opens) < end:
        ax.axvline(_num(opens), color=COLOURS["meeting"], linestyle=":",
                   label="licensing opens")


# --- (e) export markets ---------------------------------------------------------------


def plot_markets(run: RunFolder, ax: Axes | None = None) -> Axes:
    """Export demand per market over the horizon: delivered, taken by joint lines, lost."""
    markets = run.markets
    if not markets:
        raise ValueError("monthly.csv has no export markets (the scenario has none)")
    ax = _new_axes(ax, (9.0, 1.2 + 0.7 * len(markets)))
    fields = ("demand_usd", "accepted_usd", "joint_usd", "lost_usd")
    totals = {m: {f: float(_series(run, f"market:{m}", f).sum()) / USD_BILLION for f in fields}
              for m in markets}
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
        ax.annotate(f" ${demand:,.2f}B, {lost:.0%} lost", (left[k], y[k]), va="center",
                    fontsize="small")
    ax.set_yticks(y, [m.replace("_", " ") for m in markets])
    ax.invert_yaxis()
    ax.set_xlim(0, max(float(left.max()), 1e-9) * 1.35)
    ax.set_xlabel("USD billions over the horizon (domestic prices, mean of replications)")
    ax.set_title("Export demand met and lost, per market")
    _legend(ax)
    return ax


# --- rendering ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """One chart rendered to bytes, or the reason it could not be drawn."""

    stem: str
    title: str
    fmt: str
    data: bytes | None
    png: bytes | None
    """PNG bytes for embedding in HTML (same as ``data`` for PNG)."""
    error: str | None = None


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure as PNG (150 dpi), SVG or PDF bytes, without a creation date."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (choose {', '.join(FORMATS)})")
    out = io.BytesIO()
    metadata = {"Software": "defsim"} if fmt == "png" else {"Date": None}
    fig.savefig(out, format=fmt, dpi=150, metadata=metadata)
    return out.getvalue()


def render(stem: str, title: str, draw: Callable[[], Figure], fmt: str) -> Rendered:
    """Draw one chart; a ValueError (missing data) becomes a reason instead of a figure."""
    try:
        fig = draw()
    except ValueError as err:
        return Rendered(stem, title, fmt, None, None, str(err))
    data = figure_bytes(fig, fmt)
    png = data if fmt == "png" else figure_bytes(fig, "png")
    return Rendered(stem, title, fmt, data, png)


def _whole(plot: Callable[[RunFolder], Axes], run: RunFolder) -> Callable[[], Figure]:
    return lambda: _figure_of(plot(run))


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
    return [render(stem, title, draw, fmt) for stem, title, draw in charts]


