"""Running replications on a Dask distributed cluster (``--scheduler``).

Dask is an optional extra: ``pip install -e '.[dask]'``. The scenario is
scattered to the workers once; chunks of replication indices are mapped over it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sim.errors import InputError
from sim.runner import ReplicationOutput, chunked, run_one
from sim.scenario.schema import Scenario

__all__ = ["DaskExecutor", "dask_executor"]


def dask_executor(address: str, scenario: Scenario, seed: int, trace: bool) -> DaskExecutor:
    try:
        from distributed import Client
    except ImportError:
        raise InputError("--scheduler needs Dask distributed: pip install -e '.[dask]'") from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as err:
        raise InputError(f"--scheduler {address}: cannot connect ({err})") from None
    return DaskExecutor(client, scenario, seed, trace)


class DaskExecutor:
    """Maps chunks of replications over the cluster's workers."""

    def __init__(self, client: Any, scenario: Scenario, seed: int, trace: bool) -> None:
        self.client = client
        self.scenario = client.scatter(scenario, broadcast=True)
        self.seed = seed
        self.trace = trace
        self.workers = max(1, sum(client.nthreads().values()))

    def execute(self, indices: range) -> Iterator[ReplicationOutput]:
        from distributed import as_completed

        futures = [
            self.client.submit(
                _run_chunk, self.scenario, c.start, c.stop, self.seed, self.trace, pure=False
            )
            for c in chunked(indices, self.workers)
        ]
        with self.client.as_current():
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                yield from future.result()

    def shutdown(self, wait: bool = True, cancel_futures: bool = True) -> None:
        self.client.close()


def _run_chunk(
    scenario: Scenario, start: int, stop: int, seed: int, trace: bool
) -> list[ReplicationOutput]:
    return [run_one(scenario, k, seed, trace) for k in range(start, stop)]
