"""Global sensitivity analysis: which levers and uncertainties move the outcomes most.

Built on SALib: its samplers design the experiments (``SALib.sample.morris``,
``SALib.sample.sobol``) and its analysers compute the indices
(``SALib.analyze.morris``, ``SALib.analyze.sobol``); nothing here re-implements
them. ``analyse`` takes any plain function of a parameter vector, so the
machinery can be checked on SALib's Ishigami function; ``run_sensitivity``
wraps the simulation as such a function: every evaluation is a
``sim.runner.simulate`` call of ``replications`` replications with one seed
(common random numbers), and the outcome is their mean.

Methods
-------
morris
    Elementary effects (screening): ``samples`` trajectories of ``k + 1``
    evaluations each. ``mu_star`` is the mean absolute change of the outcome
    when a parameter moves across its whole range; ``sigma`` large against
    ``mu_star`` signals interactions or non-linearity.
sobol
    Variance decomposition: ``samples * (k + 2)`` evaluations (``samples`` a
    power of two). ``S1`` is the share of the outcome's variance a parameter
    explains alone, ``ST`` the share including its interactions.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from sim.errors import InputError
from sim.metrics import KEY_METRICS
from sim.runner import simulate
from sim.scenario.io import parse_override, scenario_from_text, scenario_to_yaml
from sim.scenario.schema import Scenario
from sim.sweep import factor_kind, field_type, shared_executor

__all__ = [
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SAMPLES",
    "PLOTTED_OUTCOMES",
    "Factor",
    "Method",
    "Model",
    "ScenarioModel",
    "SensitivityResult",
    "analyse",
    "as_method",
    "parse_factor",
    "ranking_lines",
    "run_sensitivity",
    "sample",
    "write_sensitivity",
]

Method = Literal["morris", "sobol"]
Model = Callable[[np.ndarray], Mapping[str, float]]
"""One parameter vector (in ``names`` order) -> outcome values by name."""
Progress = Callable[[int, int], None]

DEFAULT_SAMPLES: dict[str, int] = {"morris": 10, "sobol": 32}
"""Morris trajectories, or Sobol base samples (a power of two)."""
DEFAULT_REPLICATIONS = 5
"""Replications per model evaluation (see docs/student-guide.md for why 5 suffices)."""
PLOTTED_OUTCOMES = ("absorption_share", "firms_bankrupt")
MORRIS_LEVELS = 4
NEGLIGIBLE = 0.05
"""An index below this share of the largest one (Morris) or below this value (Sobol ST)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}


@dataclass(frozen=True)
class Factor:
    """A varied scenario field with its range; integer fields are rounded before use."""

    path: str
    low: float
    high: float
    integer: bool = False

    @property
    def kind(self) -> str:
        return factor_kind(self.path)

    def value(self, x: float) -> float | int:
        return round(float(x)) if self.integer else float(x)


def as_method(name: str) -> Method:
    """Check a method name given on the command line."""
    if name == "morris":
        return "morris"
    if name == "sobol":
        return "sobol"
    raise InputError(f"--method {name}: expected morris or sobol")


def parse_factor(text: str) -> Factor:
    """Read ``dotted.path=LOW:HIGH`` (numbers, LOW < HIGH)."""
    if "=" not in text or ":" not in text:
        raise InputError(f"--vary {text}: expected dotted.path=LOW:HIGH")
    path, raw = (part.strip() for part in text.split("=", 1))
    parts = [parse_override(f"{path}={p.strip()}")[1] for p in raw.split(":")]
    if len(parts) != 2 or not all(
        isinstance(p, int | float) and not isinstance(p, bool) for p in parts
    ):
        raise InputError(f"--vary {text}: expected dotted.path=LOW:HIGH with two numbers")
    low, high = float(parts[0]), float(parts[1])
    if not low < high:
        raise InputError(f"--vary {text}: LOW must be below HIGH")
    return Factor(path, low, high, integer=field_type(path) is int)


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
        return float(row["mu_star" if self.method == "morris" else "ST"])

    def ranking(self, outcome: str) -> list[dict[str, Any]]:
        """The outcome's index rows, most influential parameter first."""
        return sorted(self.indices[outcome], key=self.importance, reverse=True)

    def csv_text(self, kinds: Mapping[str, str] | None = None) -> str:
        """``indices.csv``: outcome, parameter, kind, rank, then the method's columns."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        columns = COLUMNS[self.method]
        writer.writerow(["outcome", "parameter", "kind", "rank", *columns])
        for outcome in self.indices:
            for rank, row in enumerate(self.ranking(outcome), start=1):
                kind = (kinds or {}).get(row["parameter"], "")
                writer.writerow(
                    [outcome, row["parameter"], kind, rank, *(_cell(row[c]) for c in columns)]
                )
        return out.getvalue()

    def evaluations_csv(self) -> str:
        """``evaluations.csv``: the design and the outcome means at every row."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["evaluation", *self.names, *self.outputs])
        for i, x in enumerate(self.samples):
            writer.writerow(
                [i, *(_cell(v) for v in x), *(_cell(y[i]) for y in self.outputs.values())]
            )
        return out.getvalue()


# --- the plain-function entry point --------------------------------------------------


def sample(
    method: Method,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    samples: int,
    seed: int,
) -> np.ndarray:
    """SALib's design for ``method``: Morris trajectories or a Sobol (Saltelli) sample."""
    problem = _problem(names, bounds)
    seed = seed % 2**32
    if method == "morris":
        from SALib.sample import morris as morris_sample

        if samples < 2:
            raise InputError("--samples: Morris needs at least 2 trajectories")
        return np.asarray(
            morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
        )
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        if samples < 2 or samples & (samples - 1):
            raise InputError(f"--samples {samples}: Sobol needs a power of two (e.g. 16, 32, 64)")
        return np.asarray(sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed))
    raise InputError(f"--method {method}: expected morris or sobol")


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
    problem = _problem(names, bounds)
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


def _problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [list(map(float, b)) for b in bounds],
    }


# --- the simulation as a model -------------------------------------------------------


@dataclass
class ScenarioModel:
    """A scenario as a plain function: parameter vector -> mean outcomes over replications."""

    base: Scenario
    factors: Sequence[Factor]
    replications: int
    seed: int
    workers: int | None = None
    scheduler: str | None = None
    pool: Any = None
    outcomes: Sequence[str] = KEY_METRICS
    planned: int = 0
    """Evaluations planned, for the replication-level progress bar."""
    progress: Progress | None = None
    calls: int = 0

    def scenario(self, x: np.ndarray) -> Scenario:
        overrides = {f.path: f.value(v) for f, v in zip(self.factors, x, strict=True)}
        return scenario_from_text(
            scenario_to_yaml(self.base), f"{self.base.name} (sensitivity)", overrides
        )

    def __call__(self, x: np.ndarray) -> dict[str, float]:
        done_before = self.calls * self.replications
        total = max(self.planned, self.calls + 1) * self.replications
        outer = self.progress

        def update(done: int, planned: int) -> None:
            if outer:
                outer(done_before + done, total)

        result = simulate(
            self.scenario(x),
            self.replications,
            self.seed,
            self.workers,
            self.scheduler,
            pool=self.pool,
            progress=update,
        )
        self.calls += 1
        means = {m: result.summary[m].mean for m in self.outcomes}
        return {m: math.nan if v is None else v for m, v in means.items()}


def run_sensitivity(
    base: Scenario,
    factors: Sequence[Factor],
    method: Method = "morris",
    samples: int | None = None,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> SensitivityResult:
    """Sensitivity of the key outcomes of ``base`` to ``factors`` over their ranges.

    The scenario at the lowest and highest corner of the ranges is validated
    before anything runs. ``progress`` sees replications done over the analysis.
    """
    if not factors:
        raise InputError("sensitivity: give at least one --vary dotted.path=LOW:HIGH")
    if len({f.path for f in factors}) != len(factors):
        raise InputError("--vary: the same path is varied twice")
    seed = base.seed if seed is None else seed
    names = [f.path for f in factors]
    bounds = [(f.low, f.high) for f in factors]
    design = sample(method, names, bounds, samples or DEFAULT_SAMPLES[method], seed)
    with shared_executor(workers, scheduler) as pool:
        model = ScenarioModel(
            base,
            factors,
            replications,
            seed,
            workers,
            scheduler,
            pool,
            planned=len(design),
            progress=progress,
        )
        for corner in (np.array([f.low for f in factors]), np.array([f.high for f in factors])):
            model.scenario(corner)
        outputs = evaluate(model, design)
    return indices_of(method, names, bounds, design, outputs, seed)


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
    if outcome.endswith("_usd"):
        return f"${value / 1e9:,.2f}B"
    if outcome.endswith("_share"):
        return f"{value * 100:.1f} percentage points"
    return f"{value:,.1f}"


def write_sensitivity(
    folder: Path,
    result: SensitivityResult,
    factors: Sequence[Factor],
    scenario: Scenario,
    info: Mapping[str, Any] | None = None,
) -> None:
    """``indices.csv``, ``evaluations.csv``, the base ``scenario.yaml``, manifest, plots."""
    from sim.sweep_plots import write_indices_plots

    kinds = {f.path: f.kind for f in factors}
    (folder / "scenario.yaml").write_text(scenario_to_yaml(scenario), encoding="utf-8")
    (folder / "indices.csv").write_text(result.csv_text(kinds), encoding="utf-8")
    (folder / "evaluations.csv").write_text(result.evaluations_csv(), encoding="utf-8")
    manifest = {
        "kind": "sensitivity",
        "scenario": scenario.name,
        "method": result.method,
        "evaluations": len(result.samples),
        "levers": {f.path: [f.low, f.high] for f in factors if f.kind == "lever"},
        "uncertainties": {f.path: [f.low, f.high] for f in factors if f.kind == "uncertainty"},
        "integer_factors": [f.path for f in factors if f.integer],
        "outcomes": list(result.outputs),
        "skipped_outcomes": result.skipped,
        **(info or {}),
    }
    (folder / "manifest.json").write_text(
        json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8"
    )
    write_indices_plots(folder / "plots", result, PLOTTED_OUTCOMES)


def _cell(value: Any) -> str:
    value = float(value)
    return repr(value) if np.isfinite(value) else ""
