"""Scenario discovery: the conditions under which an outcome fails, found in an experiment folder.

The futures where the outcome is below (or above) a threshold are the *cases of
interest*. PRIM (the ``PRIM`` package: EMA Workbench's implementation, after
RAND's sdtoolkit) peels the uncertainty space down to a box where those cases
concentrate; its peeling trajectory trades *coverage* (share of all cases inside
the box) against *density* (share of the box's futures that are cases). The box
chosen is the densest that keeps at least ``min_coverage`` of the cases (of equal
density, the one covering most); then, as Bryant and Lempert (2010) advise, the
restrictions that are not significant (quasi-p-value above ``max_qp``: the cases
would concentrate about as much without them) are dropped one by one, worst first, so
that the box names the few conditions that matter rather than every peel. A
given-data ranking (SALib's PAWN, moment-independent) says which uncertainties matter
for the outcome over the whole sample, whatever the threshold.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.analysis.explore.design import BASE
from sim.analysis.explore.files import ExperimentTable, read_experiments
from sim.errors import InputError
from sim.metrics import Unit, format_value, unit_of

__all__ = ["DEFAULT_MIN_COVERAGE", "Discovery", "discover", "write_discovery"]

DEFAULT_MIN_COVERAGE = 0.8
"""The chosen box keeps at least this share of the cases of interest."""
MAX_QP = 0.05
"""By default, a restriction whose quasi-p-value is above this is dropped from the box."""
PAWN_SLICES = 10
"""Slices of each uncertainty's range in PAWN (fewer with fewer than 100 futures)."""
KS_95 = 1.358
"""Two-sample Kolmogorov-Smirnov coefficient at 95%: c(a) = sqrt(-ln(a / 2) / 2)."""


@dataclass(frozen=True)
class Discovery:
    """A PRIM box for one outcome and threshold, its trajectory, and the uncertainties ranked."""

    metric: str
    policy: str
    direction: Literal["below", "above"]
    threshold: float
    futures: int
    cases: int
    trajectory: list[dict[str, float]]
    """Every box of the peeling: coverage, density, mass, restricted dimensions."""
    chosen: int
    """The box of the trajectory chosen, before its insignificant restrictions are dropped."""
    box: dict[str, float]
    """Coverage, density, mass and restricted dimensions of the box reported."""
    dropped: list[str]
    """Restrictions of the chosen box dropped as not significant, in the order dropped."""
    max_qp: float
    limits: list[dict[str, Any]]
    """Each restricted uncertainty: its kept range (or values) and its full range."""
    ranking: list[dict[str, Any]]
    """Every uncertainty, most influential first: SALib's PAWN median, min and max."""

    def sentence(self) -> str:
        """The box in words: how often the outcome fails where the box's conditions hold."""
        what = f"{self.metric} is {self.direction} {format_value(self.metric, self.threshold)}"
        box = self.box
        if not self.limits:
            return f"{what} in {self.cases} of {self.futures} futures, under no narrower condition"
        conditions = " and ".join(_condition(row) for row in self.limits)
        return (f"{what} in {box['density']:.0%} of futures where {conditions} "
                f"(these hold {box['coverage']:.0%} of the {self.cases} futures where it is)")

    def as_dict(self) -> dict[str, Any]:
        """``discovery.json``."""
        return {
            "metric": self.metric, "policy": self.policy, "direction": self.direction,
            "threshold": self.threshold, "futures": self.futures, "cases": self.cases,
            "sentence": self.sentence(), "box": self.box, "chosen": self.chosen,
            "dropped": self.dropped, "max_qp": self.max_qp,
            "limits": self.limits, "trajectory": self.trajectory, "ranking": self.ranking,
            "method": "PRIM (package PRIM, lenient1 objective, peel and paste alpha 0.05; "
                      "restrictions with quasi-p above max_qp dropped); "
                      "ranking: SALib PAWN on the experiment's points",
        }


def discover(
    folder: Path,
    metric: str,
    threshold: float,
    direction: Literal["below", "above"],
    policy: str = BASE,
    min_coverage: float = DEFAULT_MIN_COVERAGE,
    max_qp: float = MAX_QP,
) -> Discovery:
    """The box of futures where ``metric`` (mean per future) is below/above ``threshold``.

    ``max_qp``: restrictions whose quasi-p-value is above it are dropped (1 keeps all).
    """
    table = read_experiments(folder)
    rows = table.policy_rows(policy)
    y = table.outcome(rows, metric)
    known = np.isfinite(y)
    cases = (y < threshold) if direction == "below" else (y > threshold)
    cases &= known
    if not cases.any() or cases[known].all():
        low, high = format_value(metric, np.nanmin(y)), format_value(metric, np.nanmax(y))
        which = "no" if not cases.any() else "every"
        raise InputError(f"--{direction} {threshold:g}: {metric} is {direction} it in {which} "
                         f"future (it ranges from {low} to {high}); nothing to discover")
    x = _frame(table, [r for r, k in zip(rows, known, strict=True) if k])
    trajectory, chosen, box, dropped, limits = _prim(x, cases[known], min_coverage, max_qp)
    ranking = _ranking(table, x, y[known])
    return Discovery(metric, policy, direction, float(threshold), int(known.sum()),
                     int(cases.sum()), trajectory, chosen, box, dropped, max_qp, limits, ranking)


def _frame(table: ExperimentTable, rows: list[dict[str, str]]) -> Any:
    """The sampled uncertainties as a DataFrame: numbers as floats, choices as text."""
    import pandas as pd

    columns: dict[str, Any] = {}
    for name in table.uncertainties:
        values = [r[name] for r in rows]
        if name in table.categorical:
            columns[name] = pd.Series(values, dtype=object)
        else:
            columns[name] = pd.Series([float(v) for v in values], dtype=float)
    return pd.DataFrame(columns)


def _prim(x: Any, cases: np.ndarray, min_coverage: float, max_qp: float) -> tuple[
        list[dict[str, float]], int, dict[str, float], list[str], list[dict[str, Any]]]:
    """PRIM's trajectory, the box chosen on it, that box without its insignificant
    restrictions, what was dropped, and the limits of what remains."""
    import prim

    logging.getLogger("prim").setLevel(logging.WARNING)
    found = prim.Prim(x, cases.astype(bool), threshold=0.5, threshold_type=">")
    box = found.find_box()
    trajectory = _rows(box.peeling_trajectory)
    chosen = _choose(trajectory, min_coverage)
    box.select(chosen)
    dropped = []
    while box._cur_box > 0:
        # Quasi-p-values and the box's current index are PRIM's own; the package has no
        # public accessor for either.
        qp = box._calculate_quasi_p(box._cur_box)
        worst = max(qp, key=lambda name: (qp[name], name), default=None)
        if worst is None or not qp[worst] > max_qp:
            break
        box.drop_restriction(worst)
        dropped.append(str(worst))
    final = _rows(box.peeling_trajectory)[box._cur_box]
    return trajectory, chosen, final, dropped, _limits(x, box, box._cur_box)


def _rows(peeled: Any) -> list[dict[str, float]]:
    return [
        {"coverage": float(r["coverage"]), "density": float(r["density"]),
         "mass": float(r["mass"]), "restricted": int(r["res dim"])}
        for _, r in peeled.iterrows()
    ]


def _choose(trajectory: list[dict[str, float]], min_coverage: float) -> int:
    """The densest box that keeps ``min_coverage`` of the cases; of equal density, the widest."""
    eligible = [i for i, r in enumerate(trajectory) if r["coverage"] >= min_coverage] or [0]
    return max(eligible, key=lambda i: (round(trajectory[i]["density"], 12),
                                        trajectory[i]["coverage"], -i))


def _limits(x: Any, box: Any, chosen: int) -> list[dict[str, Any]]:
    """The restricted uncertainties of the chosen box, with their full sampled ranges.

    Read from the box's limits array and quasi-p-values rather than ``PrimBox.limits``,
    which fails under pandas 3 when a choice is restricted (it writes a set of options
    into a float column).
    """
    if chosen == 0:
        return []
    qp = box._calculate_quasi_p(chosen)
    limits = box._box_lims[chosen]
    if not qp:
        return []
    rows = []
    for name in sorted(qp, key=lambda n: (qp[n], n)):
        entry: dict[str, Any] = {"uncertainty": str(name), "qp": _qp(qp[name])}
        if x[name].dtype == object:
            entry.update({"values": sorted(str(v) for v in limits[name][0]),
                          "low": None, "high": None})
        else:
            entry.update({
                "low": float(limits[name][0]), "high": float(limits[name][1]),
                "full_low": float(x[name].min()), "full_high": float(x[name].max()),
            })
        rows.append(entry)
    return rows


def _qp(value: Any) -> float | None:
    """PRIM's quasi-p-value of a restriction (the larger of its two ends' when both are cut)."""
    if isinstance(value, list | tuple) and value:
        numbers = [float(v) for v in value if v is not None and np.isfinite(float(v))]
        return max(numbers) if numbers else None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _ranking(table: ExperimentTable, x: Any, y: np.ndarray) -> list[dict[str, Any]]:
    """SALib's PAWN index of every uncertainty on the experiment's points (choices by code).

    PAWN compares the outcome's distribution in each of ``S`` slices of an
    uncertainty's range with its distribution over all points (Kolmogorov-Smirnov
    distance); the median over the slices ranks. ``noise`` is the distance two
    samples of those sizes reach by chance (95%): an index below it is no evidence.
    """
    from SALib.analyze import pawn

    names = list(table.uncertainties)
    columns = []
    for name in names:
        column = x[name]
        if column.dtype == object:
            codes = {v: k for k, v in enumerate(sorted(set(column)))}
            column = column.map(codes).astype(float)
        columns.append(column.to_numpy(dtype=float))
    slices = _slices(y.size)
    noise = KS_95 * math.sqrt(slices / y.size + 1 / y.size)
    if np.ptp(y) == 0.0:
        return [{"uncertainty": n, "pawn_median": 0.0, "pawn_min": 0.0, "pawn_max": 0.0,
                 "noise": noise} for n in names]
    bounds = [[float(c.min()), max(float(c.max()), float(c.min()) + 1.0)] for c in columns]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    result = pawn.analyze(problem, np.column_stack(columns), y, S=slices, print_to_console=False)
    rows = [{"uncertainty": n, "pawn_median": float(result["median"][i]),
             "pawn_min": float(result["minimum"][i]), "pawn_max": float(result["maximum"][i]),
             "noise": noise} for i, n in enumerate(names)]
    return sorted(rows, key=lambda r: -r["pawn_median"])


def _slices(futures: int) -> int:
    """PAWN's number of slices: about ten futures each, at most ``PAWN_SLICES``, and never a
    number whose quantile grid SALib builds past 1 (``np.arange(0, 1 + 1/S, 1/S)`` ends at
    1.0000000000000002 for 6 and 9, and numpy refuses the quantile)."""
    slices = max(2, min(PAWN_SLICES, futures // 10))
    while slices > 2 and np.arange(0, 1 + 1 / slices, 1 / slices)[-1] > 1.0:
        slices -= 1
    return slices


def _condition(row: dict[str, Any]) -> str:
    name = row["uncertainty"]
    if row.get("values") is not None:
        return f"{name} is {' or '.join(row['values'])}"
    low_cut = row["low"] > row["full_low"]
    high_cut = row["high"] < row["full_high"]
    low, high = (_number(name, row[e]) for e in ("low", "high"))
    if low_cut and high_cut:
        return f"{low} <= {name} <= {high}"
    if high_cut:
        return f"{name} <= {high}"
    return f"{name} >= {low}"


def _number(name: str, value: float) -> str:
    return format_value(name, value) if unit_of(name) is Unit.USD else f"{value:.3g}"


def write_discovery(folder: Path, found: Discovery) -> list[Path]:
    """``discovery.json`` and ``plots/discover_*.png`` into ``folder``; refused if either exists."""
    from sim.analysis.explore.plots import plot_box, plot_peeling, plot_ranking
    from sim.report.charts import figure_of, render

    target = folder / "discovery.json"
    charts = [
        render("discover_peeling", "PRIM peeling trajectory",
               lambda: figure_of(plot_peeling(found.trajectory, found.chosen)), "png"),
        render("discover_box", "the chosen box", lambda: figure_of(plot_box(found.limits)), "png"),
        render("discover_ranking", "uncertainties ranked (SALib PAWN)",
               lambda: figure_of(plot_ranking(found.ranking)), "png"),
    ]
    paths = [folder / "plots" / f"{c.stem}.{c.fmt}" for c in charts if c.data is not None]
    taken = [p for p in (target, *paths) if p.exists()]
    if taken:
        raise InputError(f"{taken[0]}: exists (an earlier discover); give --out for a new folder")
    (folder / "plots").mkdir(parents=True, exist_ok=True)
    for chart, path in zip((c for c in charts if c.data is not None), paths, strict=True):
        _write_new(path, chart.data or b"")
    _write_new(target, (json.dumps(found.as_dict(), indent=2) + "\n").encode("utf-8"))
    return [target, *paths]


def _write_new(path: Path, data: bytes) -> None:
    """Write beside ``path`` and rename: a Ctrl-C never leaves half a file under its name."""
    tmp = path.with_name(f".{path.name}.partial")
    tmp.write_bytes(data)
    tmp.replace(path)
