"""sim.analysis.sensitivity.indices: SALib's known answers through our entry point, and outcomes
that never change or are undefined."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from SALib.test_functions import Ishigami

from sim.analysis.sensitivity import (
    analyse,
    ranking_lines,
)

PI_BOUNDS = [(-np.pi, np.pi)] * 3


def ishigami(x: np.ndarray) -> dict[str, float]:
    return {"y": float(Ishigami.evaluate(x[np.newaxis, :])[0])}


def test_sobol_reproduces_ishigami_indices() -> None:
    """Known indices; the tolerance is SALib's own regression test's (atol 0.05, rtol 0.1)."""
    result = analyse(
        ishigami, ["x1", "x2", "x3"], PI_BOUNDS, method="sobol", samples=1024, seed=101
    )
    rows = result.indices["y"]
    assert_allclose([r["S1"] for r in rows], [0.314, 0.442, 0.0], atol=5e-2, rtol=1e-1)
    assert_allclose([r["ST"] for r in rows], [0.558, 0.442, 0.244], atol=5e-2, rtol=1e-1)
    assert len(result.samples) == 1024 * (3 + 2)


def test_morris_on_a_linear_function() -> None:
    """y = 3 a: the elementary effect of a is its slope over the unit range; b does nothing."""
    result = analyse(
        lambda x: {"y": 3.0 * x[0]}, ["a", "b"], [(0.0, 1.0), (0.0, 1.0)], "morris", 6, seed=4
    )
    a, b = result.indices["y"]
    assert a["mu_star"] == pytest.approx(3.0) and a["sigma"] == pytest.approx(0.0, abs=1e-12)
    assert b["mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert [r["parameter"] for r in result.ranking("y")] == ["a", "b"]


def test_constant_and_undefined_outcomes() -> None:
    def model(x: np.ndarray) -> dict[str, float]:
        return {"flat": 2.0, "gaps": float("nan") if x[0] > 0.5 else x[0]}

    result = analyse(model, ["a", "b"], [(0.0, 1.0)] * 2, "sobol", 8, seed=1)
    assert all(r["S1"] == 0.0 and r["ST"] == 0.0 for r in result.indices["flat"])
    assert "gaps" in result.skipped and "gaps" not in result.indices
    assert "no parameter moves it" in ranking_lines(result, "flat")[0]


