"""Running a sensitivity analysis: the simulation as a plain function of the factors.

Every evaluation is a ``sim.api.simulate`` call of ``replications`` replications
with one seed (common random numbers), and the outcome is their mean; all
evaluations share one pool of worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.experiment import shared_pool
from sim.analysis.sensitivity.design import DEFAULT_SAMPLES, Factor, Method, sample
from sim.analysis.sensitivity.indices import Progress, SensitivityResult, evaluate, indices_of
from sim.api import resolve_seed, simulate
from sim.errors import InputError
from sim.metrics import KEY_METRICS
from sim.scenario.io import ScenarioText, scenario_to_yaml
from sim.scenario.schema import Scenario

__all__ = ["DEFAULT_REPLICATIONS", "ScenarioModel", "run_sensitivity"]

DEFAULT_REPLICATIONS = 5
"""Replications per model evaluation (see docs/student-guide.md for why 5 suffices)."""


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
    text: ScenarioText = field(init=False)
    """The base scenario's text, parsed once for every design point."""

    def __post_init__(self) -> None:
        self.text = ScenarioText(scenario_to_yaml(self.base), f"{self.base.name} (sensitivity)")

    def scenario(self, x: np.ndarray) -> Scenario:
        """The scenario at one design point (validated)."""
        overrides = {f.path: f.value(v) for f, v in zip(self.factors, x, strict=True)}
        return self.text.scenario(overrides)

    def __call__(self, x: np.ndarray) -> dict[str, float]:
        """Mean key outcomes at design point ``x`` (NaN where undefined), with the one seed."""
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
    seed = resolve_seed(base, seed)
    names = [f.path for f in factors]
    bounds = [(f.low, f.high) for f in factors]
    design = sample(method, names, bounds, samples or DEFAULT_SAMPLES[method], seed)
    with shared_pool(workers, scheduler) as pool:
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

