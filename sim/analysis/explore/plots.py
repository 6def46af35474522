"""Charts of an exploration and of a discovery.

Each ``plot_*`` draws one chart on a given Axes (or a new figure's) and returns it,
as SALib's ``plotting/bar.py`` does; figures are ``matplotlib.figure.Figure``
objects (``sim.report.charts``), never pyplot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from sim.analysis.explore.run import Exploration
from sim.analysis.explore.summary import POLICY_OUTCOMES
from sim.metrics import label_of
from sim.report.charts import axis_scale, new_axes

__all__ = [
    "plot_box",
    "plot_futures",
    "plot_peeling",
    "plot_policy_wins",
    "plot_ranking",
    "plot_variance_shares",
]


def plot_futures(exp: Exploration, outcome: str, ax: Axes | None = None) -> Axes:
    """Histogram of the outcome's per-future means under each policy; the base's p05-p95 shaded."""
    ax = new_axes(ax, (7, 4))
    divisor, unit = axis_scale(outcome)
    base = exp.means(exp.policies[0].name, outcome) / divisor
    finite = base[np.isfinite(base)]
    if finite.size == 0:
        raise ValueError(f"{outcome} is undefined in every future")
    every = np.concatenate([exp.means(p.name, outcome) / divisor for p in exp.policies])
    bins = [float(b) for b in np.histogram_bin_edges(every[np.isfinite(every)], bins=20)]
    low, high = np.quantile(finite, [0.05, 0.95])
    ax.axvspan(low, high, color="#dddddd", label="base p05-p95")
    for policy in exp.policies:
        values = exp.means(policy.name, outcome) / divisor
        ax.hist(values[np.isfinite(values)], bins=bins, histtype="step", linewidth=1.5,
                label=policy.name)
    ax.set_xlabel(f"{outcome}{unit}: mean over replications in one future")
    ax.set_ylabel("futures")
    ax.set_title(f"{label_of(outcome)} across {len(exp.futures)} futures", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def plot_variance_shares(shares: Mapping[str, Mapping[str, float | None]],
                         ax: Axes | None = None) -> Axes:
    """Per outcome, the share of its variance due to the assumptions and to noise."""
    ax = new_axes(ax, (7, 0.4 * len(shares) + 1.5))
    names = list(shares)
    assumed = np.array([shares[n]["assumptions"] or 0.0 for n in names])
    noise = np.array([shares[n]["noise"] or 0.0 for n in names])
    y = np.arange(len(names))
    ax.barh(y, assumed, color="#1f77b4", label="assumptions")
    ax.barh(y, noise, left=assumed, color="#d0d0d0", label="replication noise")
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of one replication's variance")
    ax.set_title("What moves each outcome: the assumptions or the noise", fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_policy_wins(comparison: Mapping[str, Mapping[str, Mapping[str, Any]]],
                     ax: Axes | None = None) -> Axes:
    """Share of futures in which each policy beats the base, per key outcome."""
    ax = new_axes(ax, (8, 4))
    policies = [p for p in comparison[POLICY_OUTCOMES[0]] if "share_better" in
                comparison[POLICY_OUTCOMES[0]][p]]
    if not policies:
        raise ValueError("no policy besides the base")
    width = 0.8 / len(policies)
    x = np.arange(len(POLICY_OUTCOMES))
    for k, policy in enumerate(policies):
        shares = [comparison[o][policy]["share_better"] for o in POLICY_OUTCOMES]
        ax.bar(x + k * width, shares, width, label=policy)
    ax.set_xticks(x + width * (len(policies) - 1) / 2, POLICY_OUTCOMES, rotation=20, fontsize=8)
    ax.set_ylim(0, 1)
    ax.axhline(0.5, color="#888888", linewidth=0.8)
    ax.set_ylabel("share of futures better than the base")
    ax.set_title("Policies across futures", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def plot_peeling(trajectory: Sequence[Mapping[str, float]], chosen: int,
                 ax: Axes | None = None) -> Axes:
    """PRIM's peeling trajectory: coverage against density, coloured by restricted dimensions."""
    ax = new_axes(ax, (6, 4.5))
    coverage = [row["coverage"] for row in trajectory]
    density = [row["density"] for row in trajectory]
    dims = [row["restricted"] for row in trajectory]
    points = ax.scatter(coverage, density, c=dims, cmap="viridis", s=18)
    ax.figure.colorbar(points, ax=ax, label="restricted dimensions")
    ax.scatter([coverage[chosen]], [density[chosen]], s=120, facecolors="none",
               edgecolors="#d62728", linewidths=2, label="chosen box")
    ax.set_xlabel("coverage: share of the cases of interest inside the box")
    ax.set_ylabel("density: share of the box that are cases of interest")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title("PRIM peeling trajectory", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    return ax


def plot_box(limits: Sequence[Mapping[str, Any]], ax: Axes | None = None) -> Axes:
    """The chosen box: each restricted uncertainty's range kept within its full sampled range,
    or the options a restricted choice keeps."""
    if not limits:
        raise ValueError("the box restricts no uncertainty")
    ax = new_axes(ax, (7, 0.5 * len(limits) + 1.5))
    for y, row in enumerate(limits):
        ax.barh(y, 1.0, color="#eeeeee")
        if row.get("values") is not None:
            ax.text(0.02, y, "is " + " or ".join(row["values"]), va="center", fontsize=8)
            continue
        span = (row["full_high"] - row["full_low"]) or 1.0
        low = (row["low"] - row["full_low"]) / span
        high = (row["high"] - row["full_low"]) / span
        ax.barh(y, high - low, left=low, color="#1f77b4")
        ax.text(1.01, y, f"{row['low']:.3g} .. {row['high']:.3g}", va="center", fontsize=8)
    ax.set_yticks(range(len(limits)), [row["uncertainty"] for row in limits], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.3)
    ax.set_xlabel("position within the uncertainty's sampled range")
    ax.set_title("The box: where the cases of interest concentrate", fontsize=10)
    return ax


def plot_ranking(ranking: Sequence[Mapping[str, Any]], ax: Axes | None = None) -> Axes:
    """PAWN index (median over slices, with min-max) of each uncertainty, and the noise level."""
    ax = new_axes(ax, (7, 0.4 * len(ranking) + 1.5))
    names = [row["uncertainty"] for row in ranking]
    median = np.array([row["pawn_median"] for row in ranking])
    spread = np.array([[m - row["pawn_min"], row["pawn_max"] - m]
                       for m, row in zip(median, ranking, strict=True)]).T
    y = np.arange(len(names))
    ax.barh(y, median, xerr=spread, color="#1f77b4", capsize=3)
    if ranking:
        ax.axvline(ranking[0]["noise"], color="#d62728", linestyle="--", label="chance level (95%)")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_yticks(y, names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("PAWN index: median KS distance over slices (0: no influence)")
    ax.set_title("Which uncertainties matter for this outcome (given data)", fontsize=10)
    return ax
