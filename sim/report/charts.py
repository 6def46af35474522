"""Chart building blocks shared by every chart of defsim: axes, dates, colours, rendering.

Figures are ``matplotlib.figure.Figure`` objects rendered by the Agg canvas, never
through pyplot, so nothing is shown and no global figure state leaks. Each
quantity has one colour in every chart (``COLOURS``). A chart that lacks the data
it needs raises ValueError; ``render`` turns that into a reason instead of an image.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.metrics import Unit, unit_of
from sim.results.read import RunFolder

__all__ = [
    "COLOURS",
    "FORMATS",
    "RUN_COLOURS",
    "USD_BILLION",
    "Rendered",
    "axis_scale",
    "date_axis",
    "date_num",
    "edges",
    "figure_bytes",
    "figure_of",
    "group_label",
    "new_axes",
    "render",
    "run_caption",
    "save_png",
    "series",
    "side_legend",
    "stamp",
    "step_band",
    "usd_axis",
    "usd_scale",
]

FORMATS = ("png", "svg", "pdf")
USD_BILLION = 1e9
USD_SCALES = ((1e9, "USD billions"), (1e6, "USD millions"), (1e3, "USD thousands"))
"""Units of a USD axis: the largest that the data's largest magnitude reaches."""

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

RUN_COLOURS = ("#404040", "#7570b3", "#1b9e77", "#e7298a", "#a6761d", "#66a61e",
               "#9e0142", "#5e4fa2", "#01665e", "#8c6bb1")
"""One colour per run in comparisons (run 0, the base, dark grey). None of them is a
quantity's colour of ``COLOURS``: orange always means exports, blue domestic orders."""


def new_axes(
    ax: Axes | None,
    size: tuple[float, float] = (9.0, 4.5),
    layout: Literal["constrained"] | None = "constrained",
) -> Axes:
    """``ax``, or the axes of a new figure of ``size`` inches."""
    if ax is not None:
        return ax
    return Figure(figsize=size, layout=layout).add_subplot()


def figure_of(ax: Axes) -> Figure:
    """The figure that holds ``ax`` (through any subfigures)."""
    fig = ax.get_figure()
    while fig is not None and not isinstance(fig, Figure):
        fig = fig.get_figure()
    if fig is None:
        raise ValueError("axes belong to no figure")
    return fig


def series(run: RunFolder, group: str, metric: str, stat: str = "mean") -> np.ndarray:
    """One monthly series of a run to draw; ValueError when it is missing or all undefined."""
    values = run.monthly.series(group, metric, stat)
    if not np.isfinite(values).any():
        raise ValueError(f"monthly.csv has no values of {metric!r} for {group!r}")
    return np.asarray(np.nan_to_num(values), dtype=float)


def edges(run: RunFolder) -> np.ndarray:
    """Month boundaries as matplotlib date numbers: months + 1 entries."""
    return np.array([date_num(d) for d in [*run.monthly.dates, run.horizon_end]])


def date_num(date: dt.date) -> float:
    """A date as a matplotlib date number (days since matplotlib's epoch)."""
    return float(mdates.date2num(date))  # type: ignore[no-untyped-call]


def date_axis(ax: Axes, start: float, end: float) -> None:
    """An x axis of months from ``start`` to ``end`` (matplotlib date numbers)."""
    ax.set_xlim(start, end)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_xlabel("month")


def usd_axis(ax: Axes, label: str) -> None:
    """A y axis of USD, labelled with its unit (``usd_scale`` chooses it from the data)."""
    ax.set_ylabel(label)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))


def usd_scale(values: object = ()) -> tuple[float, str]:
    """Divisor and unit of a USD axis, from the largest magnitude in ``values``.

    ``(1e6, "USD millions")`` for a scenario of millions, so ticks read 0.5, 1, 2
    rather than 0.0005 of billions; billions when there is no finite value.
    """
    data = np.abs(np.asarray(values, dtype=float).ravel())
    data = data[np.isfinite(data)]
    top = float(data.max()) if data.size else USD_BILLION
    return next(((d, words) for d, words in USD_SCALES if top >= d), (1.0, "USD"))


def side_legend(ax: Axes, order: Sequence[str] = ()) -> None:
    """A legend outside the plotting area, right of it, so it never covers data.

    Labels named in ``order`` come first, in that order (e.g. top of a stack first).
    """
    handles, labels = ax.get_legend_handles_labels()
    rank = {label: k for k, label in enumerate(order)}
    pairs = sorted(zip(handles, labels, strict=True), key=lambda p: rank.get(p[1], len(rank)))
    ax.legend([h for h, _ in pairs], [lab for _, lab in pairs], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize="small")


def step_band(ax: Axes, bounds: np.ndarray, low: np.ndarray, high: np.ndarray,
              **kwargs: object) -> None:
    """A band between two monthly series, month by month (``bounds``: months + 1 edges)."""
    ax.fill_between(bounds, np.append(low, low[-1]), np.append(high, high[-1]), step="post",
                    linewidth=0, **kwargs)  # type: ignore[arg-type]


def axis_scale(name: str, values: object = ()) -> tuple[float, str]:
    """Divisor and `` (unit)`` to append to an axis label of quantity ``name``.

    USD in the unit ``usd_scale`` chooses from ``values`` (`` (USD millions)``),
    shares in percent (`` (%)``), counts as they are. The one place an axis unit
    is chosen: the run, comparison, sweep and sensitivity charts all ask here.
    """
    unit = unit_of(name)
    if unit is Unit.USD:
        divisor, words = usd_scale(values)
        return divisor, f" ({words})"
    if unit is Unit.SHARE:
        return 0.01, " (%)"
    return 1.0, ""


def save_png(ax: Axes, path: Path, dpi: int = 150) -> None:
    """Save the figure of ``ax`` as PNG (the sweep and sensitivity charts), laid out.

    A figure without a layout engine is laid out tight first.
    """
    figure = figure_of(ax)
    if figure.get_layout_engine() is None:
        figure.tight_layout()
    figure.savefig(path, dpi=dpi, metadata={"Software": "defsim"})


def run_caption(name: str, replications: int | None, seed: int | None = None) -> str:
    """``teaching-minimal · 50 replications · seed 42``: which run an image shows."""
    parts = [name]
    if replications is not None:
        parts.append(f"{replications} replication{'s' if replications != 1 else ''}")
    if seed is not None:
        parts.append(f"seed {seed}")
    return " · ".join(parts)


def stamp(fig: Figure, caption: str) -> Figure:
    """Head ``fig`` with ``caption`` (the scenario, its replications), below its own title.

    An image copied into slides or a paper must still say which run it shows. The
    caption joins the figure's title (``suptitle``), which the layout keeps clear of
    the axes and of legends placed outside them.
    """
    title = fig.get_suptitle()
    fig.suptitle(f"{title}\n{caption}" if title else caption, fontsize="medium",
                 color="#333333")
    return fig


def group_label(group: str) -> str:
    """``all sectors``, or a sector's name for people."""
    return "all sectors" if group == "all" else group.replace("_", " ")


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


