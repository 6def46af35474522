"""Where replications run on this machine: in this process, or in a local process pool.

An executor is entered as a context manager and yields an ``Execute``: a function
from a range of replication indices to their outputs, in any order; ``run_jobs``
runs the replications of many runs through one shared pool. The pool's
workers are forked from a server process that has the engine imported
(``sim.run.worker_start``). Ctrl-C while the pool works is recorded and raised
outside ``concurrent.futures``, whose shutdown could otherwise hang.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager

from sim.errors import RunError
from sim.run.replication import ReplicationOutput, chunked, run_chunk, run_one
from sim.scenario.schema import Scenario

__all__ = [
    "IN_FLIGHT_PER_WORKER",
    "Execute",
    "Job",
    "LocalExecutor",
    "pool_context",
    "run_jobs",
    "worker_pool",
]

Execute = Callable[[range], Iterator[ReplicationOutput]]
"""Runs the replications of a range of indices; yields their outputs as they finish."""

WORKER_DIED = "a worker process died (killed, or out of memory?); no run folder was written"

IN_FLIGHT_PER_WORKER = 2
"""Chunks submitted ahead per worker: enough to keep it busy, few enough for ``wait``."""


class LocalExecutor:
    """In this process (one worker), or in a process pool (its own, or a shared one)."""

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        trace: bool,
        workers: int | None,
        shared: ProcessPoolExecutor | None = None,
    ) -> None:
        self.args = (scenario, seed, trace)
        self.workers = workers or os.cpu_count() or 1
        self.shared = shared
        self.pool: ProcessPoolExecutor | None = None
        self.sigint = ExitStack()
        self.received: list[int] = []

    def __enter__(self) -> Execute:
        """The function that runs replications; with a pool, Ctrl-C waits for ``__exit__``."""
        if self.workers == 1:
            return self._in_process
        self.received = self.sigint.enter_context(_deferred_sigint())
        if self.shared is None:
            self.pool = ProcessPoolExecutor(self.workers, mp_context=pool_context())
        return self._in_pool

    def __exit__(self, *exc: object) -> None:
        """Shut down its own pool (at once on error), then raise a Ctrl-C deferred meanwhile."""
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
        pool = self.pool or self.shared
        assert pool is not None
        chunks = iter(chunked(indices, self.workers))
        pending: set[Future[list[ReplicationOutput]]] = set()
        try:
            while True:
                room = IN_FLIGHT_PER_WORKER * self.workers - len(pending)
                for c in itertools.islice(chunks, room):
                    pending.add(pool.submit(run_chunk, *self.args, c.start, c.stop))
                if not pending:
                    return
                done, pending = _wait_some(pending, self.received)
                for future in done:
                    yield from future.result()
        except BrokenProcessPool:
            # The pool may learn of the death while a result is read or while the
            # next chunk is submitted: either way the run fails in one line.
            raise RunError(WORKER_DIED) from None
        finally:
            for future in pending:
                future.cancel()


Job = tuple[int, Scenario, range]
"""Replications of one run: the run's number, its scenario and the indices to compute."""


def run_jobs(
    pool: ProcessPoolExecutor,
    take: Callable[[int], list[Job] | None],
    seed: int,
    workers: int,
    monthly: bool = True,
) -> Generator[tuple[int, list[ReplicationOutput]], None, None]:
    """The jobs of many runs through one pool, with no pause between runs: a few jobs in
    flight per worker, the next run's submitted while the last of the previous one
    are still computing. Yields (run number, outputs) as jobs finish, in any order.

    ``take(room)`` gives up to ``room`` more jobs: fewer (or none) to wait until
    running ones finish, None once there are no more. Outputs carry no monthly
    series unless ``monthly``. A dying worker ends it with one ``RunError``. Ctrl-C
    is deferred only while it submits and waits (as in ``LocalExecutor``), then
    raised; never while it is paused at a ``yield``, where the caller's own
    handling applies.
    """
    pending: dict[Future[list[ReplicationOutput]], int] = {}
    more = True
    try:
        while True:
            with _deferred_sigint() as received:
                if more:
                    jobs = take(IN_FLIGHT_PER_WORKER * workers - len(pending))
                    more = jobs is not None
                    for run, scenario, indices in jobs or ():
                        future = pool.submit(run_chunk, scenario, seed, False, indices.start,
                                             indices.stop, monthly)
                        pending[future] = run
                if not pending:
                    if received:
                        raise KeyboardInterrupt
                    if more:
                        raise RuntimeError("run_jobs: nothing running and no job given")
                    return
                done, _ = _wait_some(set(pending), received)
                finished = [(pending.pop(future), future.result()) for future in done]
            yield from finished
    except BrokenProcessPool:
        # The pool may learn of the death while a result is read or while the next
        # job is submitted: either way the runs fail in one line.
        raise RunError(WORKER_DIED) from None
    finally:
        for future in pending:
            future.cancel()


@contextmanager
def worker_pool(workers: int | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """A local process pool shared by many runs (``pool=``); None for 1 worker."""
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


def pool_context() -> multiprocessing.context.ForkServerContext:
    """Workers are forked from a server process started without the parent's threads.

    The server imports ``sim.run.worker_start`` once, so every worker it forks has
    the engine imported and its compiler set up, in this pool and the next. The
    preload list is the process's: a program that embeds defsim and uses the
    forkserver for its own pools gets it too.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.run.worker_start"])
    return context
