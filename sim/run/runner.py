"""Running a scenario's replications: an executor, the stop rule, the reduction.

Replication k always draws from child k of the seed's SeedSequence, and outputs
are reduced in replication order, so the numbers do not depend on how many
workers computed them or in which order they finished. The seed and the number
of replications arrive resolved (``sim.api.simulate`` resolves the defaults).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from sim.run.executors import Execute, LocalExecutor
from sim.run.outcomes import outcome_columns
from sim.run.reduction import Reduction, RunData
from sim.run.replication import ReplicationOutput
from sim.run.stop import StopRule, interrupted, next_batch, sticky_interrupt
from sim.scenario.schema import Scenario

__all__ = ["Progress", "run_replications"]

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
