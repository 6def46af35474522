"""Replications: seeding, executors (in process, process pool, Dask) and reduction.

Replication k always draws from child k of the seed's SeedSequence, and outputs
are reduced in replication order, so the numbers do not depend on how many
workers computed them or in which order they finished.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import InputError, RunError
from sim.metrics import OUTCOMES, monthly_cube, outcome_columns, outcome_row
from sim.model.records import TraceEvent
from sim.reduction import Reduction
from sim.results import RunResult, StopRule
from sim.scenario.schema import Scenario

__all__ = ["ReplicationOutput", "simulate", "worker_pool"]

Progress = Callable[[int, int], None]
"""Called with (replications done, replications planned)."""


@dataclass(frozen=True)
class ReplicationOutput:
    """What travels back from a worker: small arrays, no SimPy objects."""

    index: int
    row: np.ndarray
    cube: np.ndarray
    events: int
    meeting_days: list[float]
    trace: list[TraceEvent] | None
    worker_pid: int
    """The process that computed it: lets tests and audits see where work ran."""


def run_one(scenario: Scenario, index: int, seed: int, trace: bool = False) -> ReplicationOutput:
    from sim.model.model import run_replication  # the engine and its compiler, when first needed

    record = run_replication(scenario, index, seed, trace=trace and index == 0)
    return ReplicationOutput(
        index,
        outcome_row(record),
        monthly_cube(record),
        record.events,
        record.meeting_days,
        record.trace,
        os.getpid(),
    )


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
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
) -> RunResult:
    """Run the replications of ``scenario`` and reduce them to a ``RunResult``.

    Parameters
    ----------
    replications, seed
        Default to the scenario's own.
    workers
        Local processes (default: all cores); 1 runs in this process.
    scheduler
        Address of a running Dask distributed scheduler; replaces the local pool.
    target_halfwidth
        Keep adding batches until the 95% CI half-width of ``target_metric`` is at
        most this, or ``max_replications`` (default 10 x replications) is reached.
    on_replication
        Called with each replication's output, in replication order.
    pool
        A ``worker_pool()`` to reuse, so that sweeps start worker processes once,
        not once per point; used unless ``workers`` is 1 or ``scheduler`` is given.
    """
    n = replications or scenario.replications
    seed = scenario.seed if seed is None else seed
    columns = outcome_columns(scenario.sector_names)
    if target_metric not in OUTCOMES:
        raise InputError(f"--target-metric: unknown metric '{target_metric}'")
    cap = max_replications or 10 * n
    reduction = Reduction(columns, on_replication)
    with _executor(scenario, seed, workers, scheduler, trace, pool) as execute:
        planned = n
        stop = StopRule("fixed", planned)
        while True:
            for output in execute(range(reduction.count, planned)):
                reduction.add(output)
                if progress:
                    progress(reduction.count, planned)
            if target_halfwidth is None:
                break
            planned, stop = _next_batch(reduction, target_metric, target_halfwidth, cap)
            if planned <= reduction.count:
                break
    return reduction.finish(scenario, seed, stop)


def _next_batch(reduction: Reduction, metric: str, target: float, cap: int) -> tuple[int, StopRule]:
    """Sequential procedure: estimate the replications needed from the current variance."""
    done = reduction.count
    width = reduction.halfwidth(metric)
    if width <= target:
        return done, StopRule("target_reached", done, metric, target, width)
    if done >= cap:
        return done, StopRule("max_replications", done, metric, target, width)
    needed = math.ceil(done * (width / target) ** 2) if math.isfinite(width) else 2 * done
    return min(cap, max(needed, done + 1)), StopRule("running", done, metric, target, width)


# --- executors -----------------------------------------------------------------------

Execute = Callable[[range], Iterator[ReplicationOutput]]


class _executor:  # noqa: N801 - used as a context manager factory
    """Chooses in-process, a local process pool, or Dask; yields an ``Execute``."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        workers: int | None,
        scheduler: str | None,
        trace: bool,
        shared: ProcessPoolExecutor | None = None,
    ):
        self.args = (scenario, seed, trace)
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self.shared = shared
        self.pool: Any = None
        self.sigint = ExitStack()
        self.received: list[int] = []

    def __enter__(self) -> Execute:
        if self.scheduler is not None:
            from sim.distributed import dask_executor

            self.pool = dask_executor(self.scheduler, *self.args)
            return self.pool.execute  # type: ignore[no-any-return]
        if self.workers == 1:
            return self._in_process
        if self.shared is not None:
            return self._in_shared_pool
        self.received = self.sigint.enter_context(_deferred_sigint())
        self.pool = ProcessPoolExecutor(
            self.workers, mp_context=pool_context(), initializer=_init_worker, initargs=self.args
        )
        return self._in_pool

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=exc[0] is None, cancel_futures=True)
        self.sigint.close()
        if self.received and exc[0] is None:
            raise KeyboardInterrupt

    def _in_process(self, indices: range) -> Iterator[ReplicationOutput]:
        scenario, seed, trace = self.args
        for k in indices:
            yield run_one(scenario, k, seed, trace)

    def _in_pool(self, indices: range) -> Iterator[ReplicationOutput]:
        """A few chunks in flight per worker, not all at once: ``wait`` costs O(futures)."""
        chunks = iter(chunked(indices, self.workers))
        pending: set[Future[list[ReplicationOutput]]] = set()
        while True:
            for c in itertools.islice(chunks, IN_FLIGHT_PER_WORKER * self.workers - len(pending)):
                pending.add(self.pool.submit(_run_chunk, c.start, c.stop))
            if not pending:
                return
            done, pending = _wait_some(pending, self.received)
            for future in done:
                yield from _result(future)

    def _in_shared_pool(self, indices: range) -> Iterator[ReplicationOutput]:
        assert self.shared is not None
        futures = [
            self.shared.submit(_run_chunk_of, *self.args, c.start, c.stop)
            for c in chunked(indices, self.workers)
        ]
        with _deferred_sigint() as received:
            while futures:
                done, pending = _wait_some(set(futures), received)
                futures = list(pending)
                for future in done:
                    yield from _result(future)


@contextmanager
def worker_pool(workers: int | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """A local process pool shared by many ``simulate(..., pool=...)`` calls; None for 1 worker."""
    count = workers or os.cpu_count() or 1
    if count == 1:
        yield None
        return
    pool = ProcessPoolExecutor(count, mp_context=pool_context())
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


IN_FLIGHT_PER_WORKER = 2


@contextmanager
def _deferred_sigint() -> Iterator[list[int]]:
    """Record Ctrl-C instead of raising it wherever the main thread happens to be.

    A KeyboardInterrupt raised inside ``concurrent.futures`` (starting workers,
    ``wait`` holding the futures' locks) leaves the pool in a state whose shutdown
    hangs for ever; ``_wait_some`` raises it instead, outside the library.
    """
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return
    previous = signal.signal(signal.SIGINT, lambda n, _: received.append(n))
    try:
        yield received
    finally:
        restore = signal.default_int_handler if previous is None else previous
        signal.signal(signal.SIGINT, restore)


def _wait_some(
    pending: set[Future[list[ReplicationOutput]]], received: list[int]
) -> tuple[set[Future[list[ReplicationOutput]]], set[Future[list[ReplicationOutput]]]]:
    """``wait(FIRST_COMPLETED)``, raising a Ctrl-C recorded by ``_deferred_sigint`` meanwhile."""
    while True:
        done, rest = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
        if received:
            raise KeyboardInterrupt
        if done:
            return done, rest


def _result(future: Future[list[ReplicationOutput]]) -> list[ReplicationOutput]:
    """A chunk's outputs; a worker that died (killed, out of memory) fails the run in one line."""
    try:
        return future.result()
    except BrokenProcessPool:
        raise RunError(
            "a worker process died (killed, or out of memory?); no run folder was written"
        ) from None


def pool_context() -> multiprocessing.context.ForkServerContext:
    """Workers are forked from a server process started without the parent's threads.

    The server imports ``sim.worker_start`` once, so every worker it forks has
    the engine imported and its compiler set up, in this pool and the next. The
    preload list is the process's: a program that embeds defsim and uses the
    forkserver for its own pools gets it too.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.worker_start"])
    return context


def chunked(indices: range, workers: int) -> list[range]:
    """Chunks big enough to amortise process overhead, shrinking as the work runs out.

    Each chunk is an eighth of a worker's share of what is left (at most 64
    replications), so the last chunks are small and the workers finish together
    instead of one waiting on another's last big chunk (guided self-scheduling).
    """
    chunks, start = [], indices.start
    while start < indices.stop:
        size = max(1, min(64, math.ceil((indices.stop - start) / (workers * 8))))
        chunks.append(range(start, min(start + size, indices.stop)))
        start += size
    return chunks


_WORKER_STATE: dict[str, Any] = {}


def _init_worker(scenario: Scenario, seed: int, trace: bool) -> None:
    """Receive the scenario once per worker process, not once per replication."""
    _WORKER_STATE.update(scenario=scenario, seed=seed, trace=trace)


def _run_chunk_of(
    scenario: Scenario, seed: int, trace: bool, start: int, stop: int
) -> list[ReplicationOutput]:
    return [run_one(scenario, k, seed, trace) for k in range(start, stop)]


def _run_chunk(start: int, stop: int) -> list[ReplicationOutput]:
    s = _WORKER_STATE
    return [run_one(s["scenario"], k, s["seed"], s["trace"]) for k in range(start, stop)]
