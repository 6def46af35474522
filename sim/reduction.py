"""Reducing replications as they arrive, in replication order.

Outputs may arrive in any order (parallel workers); they are released to the
reduction strictly in index order, so sums and quantiles are computed in the same
order whatever the executor, and files come out byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.results import MonthlySummary, RunResult, StopRule
from sim.spool import MonthlySpool
from sim.stats import QUANTILES, halfwidth

if TYPE_CHECKING:
    from sim.model.records import TraceEvent
    from sim.runner import ReplicationOutput
    from sim.scenario.schema import Scenario

__all__ = ["Reduction"]


class Reduction:
    """Running state of a run: outcome rows, monthly series, replication 0's extras."""

    def __init__(
        self, columns: list[str], on_replication: Callable[[ReplicationOutput], None] | None = None
    ) -> None:
        self.columns = columns
        self.on_replication = on_replication
        self.rows: list[np.ndarray] = []
        self.cubes = MonthlySpool()
        self.events: list[int] = []
        self.pending: dict[int, ReplicationOutput] = {}
        self.meeting_days: list[float] = []
        self.trace: list[TraceEvent] | None = None

    @property
    def count(self) -> int:
        return len(self.rows)

    def add(self, output: ReplicationOutput) -> None:
        self.pending[output.index] = output
        while self.count in self.pending:
            self._release(self.pending.pop(self.count))

    def _release(self, output: ReplicationOutput) -> None:
        self.rows.append(output.row)
        self.cubes.append(output.cube)
        self.events.append(output.events)
        if output.index == 0:
            self.meeting_days = output.meeting_days
            self.trace = output.trace
        if self.on_replication is not None:
            self.on_replication(output)

    def halfwidth(self, metric: str) -> float:
        column = self.columns.index(metric)
        return halfwidth(np.array([row[column] for row in self.rows]))

    def finish(self, scenario: Scenario, seed: int, stop: StopRule) -> RunResult:
        mean, quantiles = self.cubes.reduce(QUANTILES)
        self.cubes.close()
        monthly = MonthlySummary(mean=mean, p05=quantiles[0], p50=quantiles[1], p95=quantiles[2])
        return RunResult(
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
