"""The local executors fail a run in one line however the pool learns a worker died."""

from __future__ import annotations

from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest
from builders import make_scenario

from sim.errors import RunError
from sim.run.executors import WORKER_DIED, LocalExecutor, run_jobs


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
    jobs = iter([(0, scenario, range(0, 2)), (0, scenario, range(2, 4)), (1, scenario, range(2))])
    with pytest.raises(RunError) as raised:
        list(run_jobs(pool, jobs, 1, workers=2))
    assert str(raised.value) == WORKER_DIED
