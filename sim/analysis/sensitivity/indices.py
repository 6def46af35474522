"""Sensitivity indices: which factors move the outcomes most, computed and put in words.

SALib's analysers compute the indices (``SALib.analyze.morris``,
``SALib.analyze.sobol``); nothing here re-implements them. ``analyse`` takes any
plain function of a parameter vector, so the machinery can be checked on SALib's
Ishigami function (``sim.analysis.sensitivity.run`` wraps the simulation as one).

Morris ``mu_star`` is the mean absolute change of the outcome when a parameter
moves across its whole range; ``sigma`` large against ``mu_star`` signals
interactions or non-linearity. Sobol ``S1`` is the share of the outcome's variance
a parameter explains alone, ``ST`` the share including its interactions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.sensitivity.design import (
    DEFAULT_SAMPLES,
    MORRIS_LEVELS,
    Method,
    salib_problem,
    sample,
)
from sim.metrics import Unit, format_value, unit_of

__all__ = [
    "COLUMNS",
    "PLOTTED_OUTCOMES",
    "Model",
    "Progress",
    "SensitivityResult",
    "analyse",
    "evaluate",
    "indices_of",
    "ranking_lines",
]

Model = Callable[[np.ndarray], Mapping[str, float]]
"""One parameter vector (in ``names`` order) -> outcome values by name."""
Progress = Callable[[int, int], None]

PLOTTED_OUTCOMES = ("absorption_share", "firms_exited")
"""The outcomes ranked in words and drawn as tornado charts."""
NEGLIGIBLE = 0.05
"""An index below this share of the largest one (Morris) or below this value (Sobol ST)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}


@dataclass
class SensitivityResult:
    """Design, model outputs and indices of one analysis."""

    method: Method
    names: list[str]
    bounds: list[tuple[float, float]]
    samples: np.ndarray
    """The design: one row per evaluation, one column per parameter."""
    outputs: dict[str, np.ndarray]
    """Outcome name -> value at every design row."""
    indices: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Outcome name -> one row per parameter (``parameter`` and the method's columns)."""
    skipped: dict[str, str] = field(default_factory=dict)
    """Outcomes without indices, and why."""

    def importance(self, row: Mapping[str, Any]) -> float:
        """A parameter's influence in one index row: Morris ``mu_star``, Sobol ``ST``."""
        return float(row["mu_star" if self.method == "morris" else "ST"])

    def ranking(self, outcome: str) -> list[dict[str, Any]]:
        """The outcome's index rows, most influential parameter first."""
        return sorted(self.indices[outcome], key=self.importance, reverse=True)



def analyse(
    model: Model,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    method: Method = "morris",
    samples: int | None = None,
    seed: int = 1,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Sample with SALib, evaluate ``model`` at every design row, analyse every outcome.

    ``model`` maps one parameter vector (ordered as ``names``) to a mapping of
    outcome values; ``progress`` is told (evaluations done, planned).
    """
    design = sample(method, names, bounds, samples or DEFAULT_SAMPLES[method], seed)
    outputs = evaluate(model, design, progress)
    return indices_of(method, names, bounds, design, outputs, seed)


def evaluate(
    model: Model, design: np.ndarray, progress: Progress | None = None
) -> dict[str, np.ndarray]:
    """The model at every row of ``design``, gathered by outcome."""
    rows: list[Mapping[str, float]] = []
    for i, x in enumerate(design):
        rows.append(model(x))
        if progress:
            progress(i + 1, len(design))
    names = list(rows[0]) if rows else []
    return {name: np.array([float(r[name]) for r in rows]) for name in names}


def indices_of(
    method: Method,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    design: np.ndarray,
    outputs: Mapping[str, np.ndarray],
    seed: int,
) -> SensitivityResult:
    """SALib's analyser over every outcome; constant outcomes get zero indices, NaN ones none."""
    result = SensitivityResult(
        method, list(names), [(float(b[0]), float(b[1])) for b in bounds], design, dict(outputs)
    )
    problem = salib_problem(names, bounds)
    for outcome, y in outputs.items():
        if not np.all(np.isfinite(y)):
            result.skipped[outcome] = "undefined at some design points"
            continue
        if np.ptp(y) == 0.0:
            result.indices[outcome] = [_zero_row(method, name) for name in names]
            continue
        result.indices[outcome] = _analyse_one(method, problem, design, y, seed % 2**32)
    return result


def _analyse_one(
    method: Method, problem: dict[str, Any], design: np.ndarray, y: np.ndarray, seed: int
) -> list[dict[str, Any]]:
    if method == "morris":
        from SALib.analyze import morris as morris_analyse

        si = morris_analyse.analyze(problem, design, y, num_levels=MORRIS_LEVELS, seed=seed)
    else:
        from SALib.analyze import sobol as sobol_analyse

        si = sobol_analyse.analyze(problem, y, calc_second_order=False, seed=seed)
    return [
        {"parameter": name, **{c: float(si[c][i]) for c in COLUMNS[method]}}
        for i, name in enumerate(problem["names"])
    ]


def _zero_row(method: Method, name: str) -> dict[str, Any]:
    """An outcome that never changes is sensitive to nothing."""
    return {"parameter": name, **dict.fromkeys(COLUMNS[method], 0.0)}


# --- reading the indices -------------------------------------------------------------


def ranking_lines(result: SensitivityResult, outcome: str) -> list[str]:
    """A plain-language ranking of the parameters for one outcome."""
    if outcome in result.skipped:
        return [f"{outcome}: no indices ({result.skipped[outcome]})."]
    rows = result.ranking(outcome)
    top = result.importance(rows[0]) if rows else 0.0
    if top == 0.0:
        return [f"{outcome}: did not change at any design point; no parameter moves it."]
    lines = [f"{outcome}, most influential first:"]
    for rank, row in enumerate(rows, start=1):
        lines.append(f"  {rank}. {row['parameter']}: {_describe(result.method, outcome, row, top)}")
    return lines


def _describe(method: Method, outcome: str, row: Mapping[str, Any], top: float) -> str:
    if method == "morris":
        mu, conf, sigma = row["mu_star"], row["mu_star_conf"], row["sigma"]
        text = f"moving it across its range changes {outcome} by about {_amount(outcome, mu)} (mu*)"
        if mu < NEGLIGIBLE * top:
            text += "; negligible"
        elif conf > mu:
            text += "; not distinguishable from zero at this sample size"
        if mu > 0 and sigma > mu:
            text += "; sigma > mu*: its effect depends on the other settings"
        return text
    s1, st = row["S1"], row["ST"]
    text = (
        f"explains {max(s1, 0.0):.0%} ±{row['S1_conf']:.0%} of the variance alone (S1), "
        f"{max(st, 0.0):.0%} ±{row['ST_conf']:.0%} with interactions (ST)"
    )
    if st < NEGLIGIBLE:
        text += "; negligible"
    elif row["ST_conf"] > st:
        text += "; not distinguishable from zero at this sample size"
    return text


def _amount(outcome: str, value: float) -> str:
    if unit_of(outcome) is Unit.SHARE:
        return f"{value * 100:.1f} percentage points"
    return format_value(outcome, value)

