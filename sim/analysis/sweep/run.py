"""Running a sweep: every point of the design, with the same seed, through one pool.

Every point runs with the same seed, so points share their random numbers (common
random numbers) and differences between points come from the settings, not from
sampling noise. Each point is reduced to the estimates of its outcomes
(``sim.metrics.OUTCOMES``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.experiment import point_scenarios
from sim.analysis.sweep.design import Lever, full_factorial
from sim.api import RunResult, resolve_seed, simulate_many
from sim.metrics import OUTCOMES
from sim.run.runner import Progress
from sim.scenario.schema import Scenario
from sim.stats import Estimate

__all__ = ["DEFAULT_REPLICATIONS", "Sweep", "SweepPoint", "iter_rows", "run_sweep"]

DEFAULT_REPLICATIONS = 30
"""Replications per point unless -n says otherwise (or the scenario's own, if fewer)."""


@dataclass(frozen=True)
class SweepPoint:
    """One point of the design: its settings and the outcomes' estimates there."""

    index: int
    settings: dict[str, Any]
    summary: dict[str, Estimate]

    @property
    def label(self) -> str:
        """The index as three digits (``007``): the point's row and its folder under ``points/``."""
        return f"{self.index:03d}"


@dataclass(frozen=True)
class Sweep:
    """A completed sweep: one ``SweepPoint`` per design point, in design order."""

    scenario: Scenario
    """The base scenario (``--set`` applied, levers not)."""
    levers: tuple[Lever, ...]
    seed: int
    replications: int
    points: tuple[SweepPoint, ...]

    def column(self, metric: str, field: str = "mean") -> np.ndarray:
        """``field`` (mean, ci_low, ci_high) of ``metric`` at every point; NaN where undefined."""
        values = [getattr(p.summary[metric], field) for p in self.points]
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    def grid(self, metric: str, field: str = "mean") -> np.ndarray:
        """For a two-lever sweep: array (len(levers[0].values), len(levers[1].values))."""
        shape = tuple(len(lever.values) for lever in self.levers)
        return self.column(metric, field).reshape(shape)


def run_sweep(
    base: Scenario,
    levers: Sequence[Lever],
    replications: int,
    seed: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    progress: Progress | None = None,
    on_point: Callable[[SweepPoint, RunResult], None] | None = None,
) -> Sweep:
    """Run ``replications`` at every point of the full-factorial design over ``levers``.

    The points run through ``sim.api.simulate_many`` (one pool, no pause between
    points) with the same ``seed`` (default: the scenario's), ``workers`` and
    ``scheduler``. ``progress`` sees replications
    done over the whole sweep; ``on_point`` sees each point's full result (to write
    its run folder) before it is reduced to its summary.
    """
    seed = resolve_seed(base, seed)
    settings = full_factorial(levers)
    scenarios = point_scenarios(base, settings, "sweep point")
    points: list[SweepPoint] = []
    results = simulate_many(scenarios, replications, seed, workers, scheduler, progress=progress)
    for index, (setting, result) in enumerate(zip(settings, results, strict=True)):
        point = SweepPoint(index, setting, {m: result.summary[m] for m in OUTCOMES})
        if on_point is not None:
            on_point(point, result)
        points.append(point)
    return Sweep(base, tuple(levers), seed, replications, tuple(points))


def iter_rows(sweep: Sweep) -> Iterator[tuple[SweepPoint, list[Any]]]:
    """Each point with its lever values in lever order (for tables)."""
    for p in sweep.points:
        yield p, [p.settings[lv.path] for lv in sweep.levers]
