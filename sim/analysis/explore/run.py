"""Running an exploration: every future under every policy, with common random numbers.

Every (future, policy) pair runs the same replications with the same seed, so
replication k of future i draws the same streams under every policy and in every
future: a policy's gain in a future is a paired difference, and a policy that
changes nothing gains exactly 0. Each pair is reduced to its outcomes in every
replication (``values``); nothing else of its run is kept, so memory grows with
the number of futures by a few numbers per replication only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from sim.analysis.explore.design import (
    BASE,
    MAX_POINTS,
    Dimension,
    Policy,
    check_policies,
    dimensions,
    futures,
)
from sim.api import resolve_seed, simulate_many
from sim.errors import InputError, ScenarioError
from sim.metrics import KEY_METRICS
from sim.run.runner import Progress
from sim.scenario.io import ScenarioText, scenario_to_yaml
from sim.scenario.schema import Scenario

__all__ = ["DEFAULT_REPLICATIONS", "DEFAULT_SAMPLES", "Exploration", "run_explore"]

DEFAULT_SAMPLES = 100
"""Futures drawn unless --samples says otherwise."""
DEFAULT_REPLICATIONS = 10
"""Replications per future and policy unless -n says otherwise (or the scenario's, if fewer)."""


@dataclass(frozen=True)
class Exploration:
    """A completed exploration: the futures, the policies and every replication's outcomes."""

    scenario: Scenario
    """The base scenario (``--set`` applied), with its uncertainties."""
    dimensions: tuple[Dimension, ...]
    policies: tuple[Policy, ...]
    """The base policy first, then those given, in order."""
    seed: int
    replications: int
    futures: tuple[dict[str, Any], ...]
    """The sampled value of every uncertainty, one mapping per future."""
    outcomes: tuple[str, ...]
    values: np.ndarray
    """Outcomes of every replication: (policy, future, replication, outcome)."""

    def of(self, policy: str, outcome: str) -> np.ndarray:
        """(futures, replications) values of ``outcome`` under ``policy``."""
        names = [p.name for p in self.policies]
        return np.asarray(self.values[names.index(policy), :, :, self.outcomes.index(outcome)])

    def means(self, policy: str, outcome: str) -> np.ndarray:
        """The mean over replications in every future (NaN where never defined)."""
        values = self.of(policy, outcome)
        counts = np.isfinite(values).sum(axis=1)
        sums = np.where(np.isfinite(values), values, 0.0).sum(axis=1)
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def run_explore(
    base: Scenario,
    samples: int = DEFAULT_SAMPLES,
    replications: int = DEFAULT_REPLICATIONS,
    policies: Sequence[Policy] = (),
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
) -> Exploration:
    """Draw ``samples`` futures of ``base``'s uncertainties and run each under every policy.

    ``seed`` (default: the scenario's) seeds both the Latin hypercube and every run.
    ``progress`` sees replications done over the whole exploration.
    """
    seed = resolve_seed(base, seed)
    dims = dimensions(base)
    check_policies(base, policies)
    every = (Policy(BASE), *policies)
    if samples * len(every) > MAX_POINTS:
        raise InputError(
            f"--samples {samples} x {len(every)} policies: {samples * len(every):,} runs; "
            f"the limit is {MAX_POINTS:,}"
        )
    drawn = futures(dims, samples, seed)
    scenarios = _Runs(base, [{**f, **p.settings} for f in drawn for p in every], len(every))
    outcomes = KEY_METRICS
    values = np.empty((len(every), samples, replications, len(outcomes)))
    # Only the outcomes are kept: the workers need not send the monthly series.
    results = simulate_many(scenarios, replications, seed, workers, scheduler,
                            progress=progress, monthly=False)
    for k, result in enumerate(results):
        future, policy = divmod(k, len(every))
        values[policy, future] = np.stack([result.column(o) for o in outcomes], axis=1)
    return Exploration(
        base, dims, every, seed, replications, tuple(drawn), outcomes, values
    )


class _Runs(Sequence[Scenario]):
    """The scenario of every (future, policy) pair: all validated first, each built when run.

    Holding every pair's scenario at once would grow memory by some 30 KB a pair;
    validating each again from the text parsed once costs a few milliseconds.
    """

    def __init__(self, base: Scenario, settings: list[dict[str, Any]], policies: int) -> None:
        self.text = ScenarioText(scenario_to_yaml(base.model_copy(update={"uncertainties": {}})))
        self.name = base.name
        self.settings = settings
        self.policies = policies
        self._validate_all()

    def _validate_all(self) -> None:
        """Every pair before anything runs: a future whose values clash (each valid alone)
        is bad input, named by its number, and nothing is written."""
        for i in range(len(self.settings)):
            try:
                self[i]
            except ScenarioError as err:
                future = i // self.policies
                lines = (f"{self.name}: future {future}: {p.path}: {p.message}"
                         for p in err.problems)
                raise InputError("\n".join(lines)) from None

    def __len__(self) -> int:
        return len(self.settings)

    @overload
    def __getitem__(self, index: int) -> Scenario: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Scenario]: ...

    def __getitem__(self, index: int | slice) -> Scenario | Sequence[Scenario]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return self.text.scenario(self.settings[index], filename=f"{self.name} (run {index})")

    def __iter__(self) -> Iterator[Scenario]:
        return (self[i] for i in range(len(self)))
