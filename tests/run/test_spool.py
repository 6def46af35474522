"""sim.run.spool: monthly series spooled to disk reduce to the numbers that holding them in memory
gives, and the monthly bands are the 5th, 50th and 95th percentiles (numpy's default quantile)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.stats import QUANTILES


def test_spool_reduces_exactly_like_holding_everything_in_memory() -> None:
    from sim.run import spool
    from sim.run.spool import MonthlySpool

    rng = np.random.default_rng(4)
    cubes = [rng.normal(size=(5, 3, 4)) for _ in range(601)]
    store = MonthlySpool()
    original = spool.READ_BYTES
    spool.READ_BYTES = 8 * 601 * 7  # force several passes over the cells
    try:
        for cube in cubes:
            store.append(cube)
        mean, qs = store.reduce((0.05, 0.5, 0.95))
    finally:
        spool.READ_BYTES = original
    stacked = np.stack(cubes)
    np.testing.assert_allclose(mean, stacked.mean(axis=0), rtol=1e-12)
    assert np.array_equal(qs, np.quantile(stacked, (0.05, 0.5, 0.95), axis=0))


def test_monthly_quantiles_are_the_5th_50th_and_95th_linearly_interpolated() -> None:
    """The run's monthly bands: numpy's default quantile (Hyndman and Fan's type 7).

    Of n sorted values, quantile q sits at position h = (n - 1) q, interpolated
    linearly between its neighbours. For 1..5: h = 0.2, 2, 3.8 give 1.2, 3, 4.8.
    """
    from sim.run.spool import MonthlySpool

    assert QUANTILES == (0.05, 0.5, 0.95)
    spool = MonthlySpool()
    try:
        for k in (5, 1, 4, 2, 3):  # order of arrival does not matter
            spool.append(np.array([k, 10.0 * k, math.nan if k == 3 else k]))
        mean, bands = spool.reduce(QUANTILES)
    finally:
        spool.close()
    assert mean[:2].tolist() == [3.0, 30.0]
    assert bands[:, 0].tolist() == pytest.approx([1.2, 3.0, 4.8], rel=1e-15)
    assert bands[:, 1].tolist() == pytest.approx([12.0, 30.0, 48.0], rel=1e-15)
    assert np.isnan(mean[2]) and np.isnan(bands[:, 2]).all(), "unlike outcomes, NaN propagates"
