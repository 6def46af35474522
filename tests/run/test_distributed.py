"""Replications on a real Dask distributed cluster (loopback), identical to local results."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import InputError, simulate
from sim.scenario.schema import Scenario

distributed = pytest.importorskip("distributed")

FILES = ("summary.json", "replications.csv", "monthly.csv")


@pytest.fixture(scope="module")
def scheduler() -> object:
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,
    ) as cluster:
        yield cluster.scheduler_address


@pytest.mark.slow
def test_dask_results_are_byte_identical_to_local(
    tiny: Scenario, scheduler: str, tmp_path: Path
) -> None:
    local = simulate(tiny, replications=6, seed=2, workers=1)
    remote = simulate(tiny, replications=6, seed=2, scheduler=scheduler)
    local.save(tmp_path / "local", plots=False)
    remote.save(tmp_path / "remote", plots=False)
    for name in FILES:
        assert (tmp_path / "local" / name).read_bytes() == (tmp_path / "remote" / name).read_bytes()


def test_unreachable_scheduler_is_a_clear_input_error(tiny: Scenario) -> None:
    with pytest.raises(InputError, match="cannot connect"):
        simulate(tiny, replications=1, scheduler="tcp://127.0.0.1:9")
