"""Running a scenario's replications: an executor, the stop rule, the reduction.

Replication k always draws from child k of the seed's SeedSequence, and outputs
are reduced in replication order, so the numbers do not depend on how many
workers computed them or in which order they finished. The seed and the number
of replications arrive resolved (``sim.api.simulate`` resolves the defaults).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from sim.run.executors import Execute, Job, LocalExecutor, run_jobs
from sim.run.outcomes import outcome_columns
from sim.run.reduction import Reduction, RunData
from sim.run.replication import ReplicationOutput
from sim.run.stop import StopRule, interrupted, next_batch, sticky_interrupt
from sim.scenario.schema import Scenario

__all__ = ["Finished", "Progress", "run_many", "run_replications"]

Progress = Callable[[int, int], None]
"""Called with (replications done, replications planned)."""


def run_replications(
    scenario: Scenario,
    replications: int,
    seed: int,
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    trace: bool = False,
    target_halfwidth: float | None = None,
    target_metric: str = "absorption_share",
    max_replications: int | None = None,
    progress: Progress | None = None,
    on_replication: Callable[[ReplicationOutput], None] | None = None,
    pool: ProcessPoolExecutor | None = None,
) -> RunData:
    """Run ``replications`` replications (or until ``target_halfwidth``) and reduce them.

    ``workers`` local processes (default: all cores; 1 runs in this process), or the
    Dask scheduler at ``scheduler``; ``pool`` is a ``worker_pool()`` to reuse.
    ``on_replication`` sees each output in replication order.
    """
    columns = outcome_columns(scenario.sector_names)
    cap = max_replications or 10 * replications
    reduction = Reduction(columns, on_replication)
    with sticky_interrupt(), _executor(scenario, seed, trace, workers, scheduler,
                                       pool) as execute:
        planned = replications
        stop = StopRule("fixed", planned)
        while True:
            for output in execute(range(reduction.count, planned)):
                interrupted()  # a Ctrl-C that a finalizer swallowed (first compile)
                reduction.add(output)
                if progress:
                    progress(reduction.count, planned)
            if target_halfwidth is None:
                break
            planned, stop = next_batch(
                reduction.count, reduction.halfwidth, target_metric, target_halfwidth, cap
            )
            if planned <= reduction.count:
                break
        interrupted()
    return reduction.finish(scenario, seed, stop)


@contextmanager
def _executor(
    scenario: Scenario,
    seed: int,
    trace: bool,
    workers: int | None,
    scheduler: str | None,
    pool: ProcessPoolExecutor | None,
) -> Iterator[Execute]:
    """Dask when a scheduler is given, else this process or a local pool."""
    if scheduler is not None:
        from sim.run.distributed import dask_executor

        cluster = dask_executor(scheduler, scenario, seed, trace)
        try:
            yield cluster.execute
        finally:
            cluster.close()
        return
    with LocalExecutor(scenario, seed, trace, workers, pool) as execute:
        yield execute


@dataclass(frozen=True)
class Finished:
    """A run done by ``run_many``: its data, and when it started and ended (wall clock)."""

    data: RunData
    started: dt.datetime
    ended: dt.datetime
    seconds: float
    """From its first replication sent to its last one reduced."""


def run_many(
    scenarios: Iterable[Scenario],
    replications: int,
    seed: int,
    workers: int,
    pool: ProcessPoolExecutor,
    progress: Progress | None = None,
    monthly: bool = True,
) -> Iterator[Finished]:
    """Each scenario's ``replications`` with the same ``seed``, through one local pool,
    with no pause between scenarios; the runs in scenario order.

    Run one by one, each scenario would wait for its slowest replication with the
    other workers idle, and for its reduction; here the next scenario's
    replications start as soon as a worker is free. Each scenario's outputs are
    reduced in replication order, so the data are those of ``run_replications``.
    Scenarios are read from ``scenarios`` only as workers need them, and at most
    ``2 * workers + 2`` runs are open or done and waiting for an earlier one.
    ``progress`` sees replications done out of all planned (``len(scenarios)`` when
    it has one). With ``monthly`` False the workers send outcomes only, and the
    data's monthly statistics are empty.
    """
    if replications < 1:
        raise ValueError(f"replications must be at least 1, not {replications}")
    planned = len(scenarios) * replications if isinstance(scenarios, Sized) else 0
    jobs = _Jobs(iter(scenarios), replications, workers, monthly)
    finished: dict[int, Finished] = {}
    done = 0
    for run, outputs in run_jobs(pool, jobs.take, seed, workers, monthly):
        scenario, reduction, started, clock = jobs.open[run]
        for output in outputs:
            reduction.add(output)
        done += len(outputs)
        if progress:
            progress(done, max(planned, done))
        if reduction.count == replications:
            del jobs.open[run]
            data = reduction.finish(scenario, seed, StopRule("fixed", replications))
            finished[run] = Finished(data, started, dt.datetime.now(dt.UTC),
                                     time.perf_counter() - clock)
        while jobs.following in finished:
            yield finished.pop(jobs.following)
            jobs.following += 1


class _Jobs:
    """The replications of each scenario in a few chunks (about half a worker's share
    each), handed out as the pool has room, within a window of open runs."""

    def __init__(
        self, scenarios: Iterator[Scenario], replications: int, workers: int, monthly: bool
    ) -> None:
        self.scenarios = enumerate(scenarios)
        self.replications, self.monthly = replications, monthly
        self.size = max(1, min(64, math.ceil(replications / (2 * workers))))
        self.window = 2 * workers + 2
        self.open: dict[int, tuple[Scenario, Reduction, dt.datetime, float]] = {}
        self.queue: deque[Job] = deque()
        self.opened = 0
        self.following = 0
        """The first run not yet handed back: runs from it on are open or waiting."""

    def take(self, room: int) -> list[Job] | None:
        """Up to ``room`` jobs; fewer while the window is full, None when all are given."""
        jobs: list[Job] = []
        while len(jobs) < room:
            if not self.queue:
                if self.opened - self.following >= self.window:
                    return jobs
                nxt = next(self.scenarios, None)
                if nxt is None:
                    return jobs or None
                run, scenario = nxt
                columns = outcome_columns(scenario.sector_names)
                self.open[run] = (scenario, Reduction(columns, monthly=self.monthly),
                                  dt.datetime.now(dt.UTC), time.perf_counter())
                self.opened += 1
                for start in range(0, self.replications, self.size):
                    stop = min(start + self.size, self.replications)
                    self.queue.append((run, scenario, range(start, stop)))
            jobs.append(self.queue.popleft())
        return jobs
