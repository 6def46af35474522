"""Running replications on a Dask distributed cluster (``--scheduler``).

Dask is an optional extra: ``pip install -e '.[dask]'``. The scenario is
scattered to the workers once; chunks of replication indices are mapped over it
with the same chunk function as the local pool (``sim.run.replication.run_chunk``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sim.errors import InputError
from sim.run.replication import ReplicationOutput, chunked, run_chunk
from sim.scenario.schema import Scenario

__all__ = ["DaskExecutor", "dask_executor"]


def dask_executor(address: str, scenario: Scenario, seed: int, trace: bool) -> DaskExecutor:
    """Connect to the scheduler at ``address``; InputError when Dask or the scheduler is missing."""
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
        """The outputs of ``indices``, chunk by chunk as the workers finish them."""
        from distributed import as_completed

        futures = [
            self.client.submit(
                run_chunk, self.scenario, self.seed, self.trace, c.start, c.stop, pure=False
            )
            for c in chunked(indices, self.workers)
        ]
        with self.client.as_current():
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                yield from future.result()

    def close(self) -> None:
        """Close the connection to the scheduler; the cluster itself keeps running."""
        self.client.close()
