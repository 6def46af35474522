"""Pure statistics over replications: means, confidence intervals, quantiles, differences.

``Estimate`` (a mean with its interval) and ``Difference`` (one run minus a base run)
are the row types that the run, the comparison and the reports share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "PAIRED",
    "QUANTILES",
    "WELCH",
    "Difference",
    "Estimate",
    "estimate",
    "halfwidth",
    "paired_difference",
    "welch_difference",
]

CONFIDENCE = 0.95
QUANTILES = (0.05, 0.5, 0.95)
PAIRED = "paired"
"""Differences replication by replication (both runs drew the same random numbers)."""
WELCH = "welch"
"""Differences of independent samples (Welch's interval)."""


@dataclass(frozen=True)
class Estimate:
    """Mean across replications with its 95% confidence interval (Student t).

    Replications where the outcome is undefined (NaN, e.g. days to licence when
    no licence was granted) are left out; ``n`` says how many counted.
    """

    mean: float | None
    std: float | None
    ci_low: float | None
    ci_high: float | None
    n: int

    def as_dict(self) -> dict[str, float | int | None]:
        """The fields by name, as ``summary.json`` holds them."""
        return {
            "mean": self.mean,
            "std": self.std,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "n": self.n,
        }

    @property
    def halfwidth(self) -> float:
        """Half-width of the 95% interval; inf when undefined (fewer than 2 values)."""
        if self.ci_high is None or self.mean is None:
            return math.inf
        return self.ci_high - self.mean


def _t(n: int) -> float:
    return _t_quantile(n - 1)


def _t_quantile(dof: float) -> float:
    """Two-sided 95% quantile of Student's t."""
    # Imported here: scipy.stats takes about a second to import, and the worker
    # processes that only simulate never need it.
    from scipy import stats

    return float(stats.t.ppf(0.5 + CONFIDENCE / 2, dof))


def estimate(values: np.ndarray) -> Estimate:
    """Mean, standard deviation and t-interval of the finite values."""
    finite = values[np.isfinite(values)]
    n = int(finite.size)
    if n == 0:
        return Estimate(None, None, None, None, 0)
    mean = float(finite.mean())
    if n == 1:
        return Estimate(mean, None, None, None, 1)
    std = float(finite.std(ddof=1))
    half = _t(n) * std / math.sqrt(n)
    return Estimate(mean, std, mean - half, mean + half, n)


def halfwidth(values: np.ndarray) -> float:
    """Half-width of the 95% interval of the mean (inf with fewer than 2 values)."""
    return estimate(values).halfwidth


def paired_difference(treatment: np.ndarray, base: np.ndarray) -> Estimate:
    """Mean difference with a paired t-interval (replication k against replication k).

    Valid when both runs used common random numbers: same seed, same replications.
    """
    keep = np.isfinite(treatment) & np.isfinite(base)
    return estimate(treatment[keep] - base[keep])


def welch_difference(treatment: np.ndarray, base: np.ndarray) -> Estimate:
    """Mean difference of independent samples with Welch's t-interval."""
    a, b = treatment[np.isfinite(treatment)], base[np.isfinite(base)]
    if a.size < 2 or b.size < 2:
        return Estimate(None, None, None, None, min(a.size, b.size))
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    diff = float(a.mean() - b.mean())
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Estimate(diff, 0.0, diff, diff, min(a.size, b.size))
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = _t_quantile(dof) * se
    return Estimate(diff, se, diff - half, diff + half, min(a.size, b.size))


@dataclass(frozen=True)
class Difference:
    """One run minus the base run, for one outcome, with its 95% CI."""

    metric: str
    run_index: int
    run_label: str
    method: str
    """``paired`` (common random numbers) or ``welch`` (independent runs)."""
    estimate: Estimate
    base_mean: float | None
    relative_floor: float = 1e-12
    """A base mean smaller than this in magnitude has no relative difference (USD: 1)."""

    def relative(self) -> tuple[float, float, float] | None:
        """Mean, low and high of the difference in % of the base mean (None if undefined)."""
        e = self.estimate
        if e.mean is None or e.ci_low is None or e.ci_high is None or self.base_mean is None:
            return None
        if abs(self.base_mean) < self.relative_floor:
            return None
        scale = 100.0 / abs(self.base_mean)
        return e.mean * scale, e.ci_low * scale, e.ci_high * scale
