"""Running a scenario's replications: an executor, the stop rule, the reduction.

Replication k always draws from child k of the seed's SeedSequence, and outputs
are reduced in replication order, so the numbers do not depend on how many
workers computed them or in which order they finished. The seed and the number
of replications arrive resolved (``sim.api.simulate`` resolves the defaults).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from sim.run.executors import Execute, Job, LocalExecutor, run_jobs
from sim.run.outcomes import outcome_columns
from sim.run.reduction import Reduction, RunData
from sim.run.replication import ReplicationOutput
from sim.run.stop import StopRule, interrupted, next_batch, sticky_interrupt
from sim.scenario.schema import Scenario

__all__ = ["Progress", "run_many", "run_replications"]

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


def run_many(
    scenarios: Iterable[Scenario],
    replications: int,
    seed: int,
    workers: int,
    pool: ProcessPoolExecutor,
    progress: Progress | None = None,
    planned: int = 0,
    monthly: bool = True,
) -> Iterator[RunData]:
    """Each scenario's ``replications`` with the same ``seed``, through one local pool,
    with no pause between scenarios; their data in scenario order.

    Run one by one, each scenario would wait for its slowest replication with the
    other workers idle, and for its reduction; here the next scenario's
    replications start as soon as a worker is free. Each scenario's outputs are
    reduced in replication order, so the data are those of ``run_replications``.
    Scenarios are read from ``scenarios`` only as workers need them. ``progress``
    sees replications done out of ``planned``. With ``monthly`` False the workers
    send outcomes only, and the data's monthly statistics are empty.
    """
    runs: dict[int, tuple[Scenario, Reduction]] = {}
    finished: dict[int, RunData] = {}
    following, done = 0, 0
    with sticky_interrupt():
        jobs = _jobs(scenarios, replications, workers, runs)
        for run, outputs in run_jobs(pool, jobs, seed, workers, monthly):
            scenario, reduction = runs[run]
            for output in outputs:
                reduction.add(output)
            done += len(outputs)
            if progress:
                progress(done, planned)
            if reduction.count == replications:
                del runs[run]
                finished[run] = reduction.finish(scenario, seed, StopRule("fixed", replications))
            while following in finished:
                yield finished.pop(following)
                following += 1
        interrupted()


def _jobs(
    scenarios: Iterable[Scenario],
    replications: int,
    workers: int,
    runs: dict[int, tuple[Scenario, Reduction]],
) -> Iterator[Job]:
    """Each scenario's replications in a few chunks (about half a worker's share each);
    a scenario's reduction opens in ``runs`` when its first chunk is sent."""
    size = max(1, min(64, math.ceil(replications / (2 * workers))))
    for run, scenario in enumerate(scenarios):
        runs[run] = (scenario, Reduction(outcome_columns(scenario.sector_names)))
        for start in range(0, replications, size):
            yield run, scenario, range(start, min(start + size, replications))
