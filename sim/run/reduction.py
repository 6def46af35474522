"""Reducing replications as they arrive, in replication order, to the data of a run.

Outputs may arrive in any order (parallel workers); they are released to the
reduction strictly in index order, so sums and quantiles are computed in the same
order whatever the executor, and files come out byte-identical. ``RunData`` is what
a run produced, before anything is written: the outcome rows, the monthly
statistics, replication 0's meetings and trace, and why the run stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.metrics import OUTCOMES, SECTOR_OUTCOMES
from sim.model.calendar import Calendar
from sim.model.records import TraceEvent
from sim.run.replication import ReplicationOutput
from sim.run.spool import MonthlySpool
from sim.run.stop import StopRule
from sim.scenario.schema import Scenario
from sim.stats import QUANTILES, Estimate, estimate, halfwidth

__all__ = ["MonthlySummary", "Reduction", "RunData"]


@dataclass(frozen=True)
class MonthlySummary:
    """Across-replication statistics, each array (months, groups, metrics); (0, 0, 0)
    when the run kept outcomes only."""

    mean: np.ndarray
    p05: np.ndarray
    p50: np.ndarray
    p95: np.ndarray


@dataclass
class RunData:
    """The numbers a run produced: one outcome row per replication, monthly statistics."""

    scenario: Scenario
    seed: int
    columns: list[str]
    rows: np.ndarray
    """One row per replication, ``columns`` wide."""
    monthly: MonthlySummary
    meeting_days: list[float]
    events_per_replication: float
    stop: StopRule
    trace: list[TraceEvent] | None = None

    @property
    def replications(self) -> int:
        """Number of replications reduced (one row each)."""
        return int(self.rows.shape[0])

    def column(self, name: str) -> np.ndarray:
        """One outcome (``SECTOR.outcome`` for a sector's) in every replication."""
        return np.asarray(self.rows[:, self.columns.index(name)])

    @cached_property
    def summary(self) -> dict[str, Estimate]:
        """Industry outcomes: mean, std and 95% CI across replications."""
        return {name: estimate(self.column(name)) for name in OUTCOMES}

    @cached_property
    def sectors(self) -> dict[str, dict[str, Estimate]]:
        """Per sector, the outcomes reported per sector: mean, std and 95% CI."""
        return {
            sector: {name: estimate(self.column(f"{sector}.{name}")) for name in SECTOR_OUTCOMES}
            for sector in self.scenario.sector_names
        }

    @property
    def groups(self) -> list[str]:
        """Groups of the monthly series: ``all``, sectors, ``market:NAME``."""
        markets = [f"market:{m}" for m in self.scenario.market_names]
        return ["all", *self.scenario.sector_names, *markets]

    @property
    def month_labels(self) -> list[str]:
        """``YYYY-MM`` of each reported month (warm-up months excluded)."""
        return Calendar(self.scenario.start, self.scenario.months).month_labels()


class Reduction:
    """Running state of a run: outcome rows, monthly series, replication 0's extras."""

    def __init__(
        self,
        columns: list[str],
        on_replication: Callable[[ReplicationOutput], None] | None = None,
        monthly: bool = True,
    ) -> None:
        """``monthly`` False: the outputs carry no monthly series (outcomes only), and the
        run's monthly statistics are empty arrays."""
        self.columns = columns
        self.on_replication = on_replication
        self.rows: list[np.ndarray] = []
        self.cubes = MonthlySpool() if monthly else None
        self.events: list[int] = []
        self.pending: dict[int, ReplicationOutput] = {}
        self.meeting_days: list[float] = []
        self.trace: list[TraceEvent] | None = None

    @property
    def count(self) -> int:
        """Replications released so far; those waiting for an earlier one do not count."""
        return len(self.rows)

    def add(self, output: ReplicationOutput) -> None:
        """Take one output; release it, and any it unblocks, in replication order."""
        self.pending[output.index] = output
        while self.count in self.pending:
            self._release(self.pending.pop(self.count))

    def _release(self, output: ReplicationOutput) -> None:
        self.rows.append(output.row)
        if self.cubes is not None:
            self.cubes.append(output.cube)
        self.events.append(output.events)
        if output.index == 0:
            self.meeting_days = output.meeting_days
            self.trace = output.trace
        if self.on_replication is not None:
            self.on_replication(output)

    def halfwidth(self, metric: str) -> float:
        """95% CI half-width of ``metric`` over the replications released so far."""
        column = self.columns.index(metric)
        return halfwidth(np.array([row[column] for row in self.rows]))

    def finish(self, scenario: Scenario, seed: int, stop: StopRule) -> RunData:
        """The run's data: monthly statistics reduced from the spool (empty arrays when the
        replications came without their monthly series), the final stop rule."""
        if self.cubes is not None:
            mean, quantiles = self.cubes.reduce(QUANTILES)
            self.cubes.close()
            monthly = MonthlySummary(mean, quantiles[0], quantiles[1], quantiles[2])
        else:
            monthly = MonthlySummary(*(np.zeros((0, 0, 0)) for _ in range(4)))
        return RunData(
            scenario=scenario,
            seed=seed,
            columns=self.columns,
            rows=np.stack(self.rows),
            monthly=monthly,
            meeting_days=self.meeting_days,
            events_per_replication=float(np.mean(self.events)),
            stop=StopRule(
                stop.reason if stop.reason != "running" else "max_replications",
                self.count,
                stop.metric,
                stop.target,
                self.halfwidth(stop.metric) if stop.metric else None,
            ),
            trace=self.trace,
        )
