"""The local executors fail a run in one line however the pool learns a worker died."""

from __future__ import annotations

import signal
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest
from builders import make_scenario

from sim.errors import RunError
from sim.run.executors import WORKER_DIED, LocalExecutor, run_jobs
from sim.run.runner import _Jobs


class _BrokenOnSubmit:
    """A pool that has already seen a worker die: ``submit`` raises, as the real one does."""

    def submit(self, *args: Any) -> Future[Any]:
        raise BrokenProcessPool("A child process terminated abruptly")


class _BrokenOnResult:
    """A pool whose worker died while running the chunk: the future holds the error."""

    def submit(self, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(BrokenProcessPool("A child process terminated abruptly"))
        return future


@pytest.mark.parametrize("pool", [_BrokenOnSubmit(), _BrokenOnResult()])
def test_a_dead_worker_is_one_run_error(pool: Any) -> None:
    executor = LocalExecutor(make_scenario(), 1, False, workers=2, shared=pool)
    with pytest.raises(RunError) as raised, executor as execute:
        list(execute(range(4)))
    assert str(raised.value) == WORKER_DIED


@pytest.mark.parametrize("pool", [_BrokenOnSubmit(), _BrokenOnResult()])
def test_a_dead_worker_ends_many_runs_with_one_run_error(pool: Any) -> None:
    scenario = make_scenario()
    given = iter([[(0, scenario, range(0, 2)), (0, scenario, range(2, 4))], None])
    with pytest.raises(RunError) as raised:
        list(run_jobs(pool, lambda room: next(given), 1, workers=2))
    assert str(raised.value) == WORKER_DIED


class _Immediate:
    """A pool whose every job is done at once (with no outputs)."""

    def submit(self, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_result([])
        return future


def test_ctrl_c_is_not_deferred_while_the_runs_wait_for_their_caller() -> None:
    # Between yields the caller runs (a notebook cell, a sweep writing a point): a Ctrl-C
    # there must interrupt it, not be recorded by a handler the generator left behind.
    scenario = make_scenario()
    given = iter([[(0, scenario, range(1))], [(1, scenario, range(1))], None])
    handler = signal.getsignal(signal.SIGINT)
    runs = run_jobs(_Immediate(), lambda room: next(given), 1, workers=2)  # type: ignore[arg-type]
    assert next(runs) == (0, [])
    assert signal.getsignal(signal.SIGINT) is handler
    runs.close()
    assert signal.getsignal(signal.SIGINT) is handler


def test_many_runs_open_at_most_a_window_of_runs() -> None:
    # Runs done early wait for an earlier one in memory: the window bounds how many.
    jobs = _Jobs(iter([make_scenario()] * 20), 4, workers=2, monthly=True)
    assert {run for run, _, _ in jobs.take(100) or []} == set(range(6))
    assert jobs.take(10) == []
    jobs.following = 1  # the first run handed back to the caller
    assert {run for run, _, _ in jobs.take(100) or []} == {6}
