"""The statistics of an exploration: the spread across futures and the variance shares."""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.explore.summary import spread, variance_shares


def test_futures_that_differ_without_noise_owe_all_variance_to_the_assumptions() -> None:
    values = np.repeat(np.arange(10.0)[:, None], 4, axis=1)
    assert variance_shares(values) == {"assumptions": 1.0, "noise": 0.0}


def test_futures_alike_but_for_noise_owe_all_variance_to_the_noise() -> None:
    noise = np.random.default_rng(1).normal(size=4)
    values = np.tile(noise, (10, 1))
    shares = variance_shares(values)
    assert shares["assumptions"] == 0.0 and shares["noise"] == 1.0


def test_the_shares_recover_a_known_split() -> None:
    rng = np.random.default_rng(2)
    futures = rng.normal(scale=2.0, size=(400, 1))
    values = futures + rng.normal(scale=1.0, size=(400, 50))
    assert variance_shares(values)["assumptions"] == pytest.approx(0.8, abs=0.04)


def test_undefined_values_give_no_shares() -> None:
    assert variance_shares(np.full((5, 3), np.nan)) == {"assumptions": None, "noise": None}


def test_the_spread_gives_each_percentile_with_an_interval_around_it() -> None:
    means = np.arange(201.0)
    out = spread(means)
    assert out["p50"]["value"] == 100.0
    assert out["p05"]["value"] == 10.0 and out["p95"]["value"] == 190.0
    for q in ("p05", "p50", "p95", "mean"):
        assert out[q]["ci_low"] < out[q]["value"] < out[q]["ci_high"]


def test_too_few_futures_leave_a_percentile_interval_open() -> None:
    out = spread(np.array([1.0, 2.0, 3.0]))
    assert out["p05"]["ci_low"] is None and out["p05"]["value"] is not None
