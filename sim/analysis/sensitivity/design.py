"""The design of a sensitivity analysis: factors and their ranges, SALib's samples.

A factor is a dotted scenario path and its range (``--vary path=LOW:HIGH``);
integer fields are rounded before use. SALib's samplers design the experiment
(``SALib.sample.morris``, ``SALib.sample.sobol``); nothing here re-implements them.

Methods
-------
morris
    Elementary effects (screening): ``samples`` trajectories of ``k + 1``
    evaluations each.
sobol
    Variance decomposition: ``samples * (k + 2)`` evaluations (``samples`` a
    power of two).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sim.analysis.experiment import factor_kind, field_type
from sim.errors import InputError, require
from sim.scenario.io import parse_override

__all__ = [
    "DEFAULT_SAMPLES",
    "MORRIS_LEVELS",
    "Factor",
    "Method",
    "as_method",
    "parse_factor",
    "require_salib",
    "salib_problem",
    "sample",
]

Method = Literal["morris", "sobol"]

DEFAULT_SAMPLES: dict[str, int] = {"morris": 10, "sobol": 32}
"""Morris trajectories, or Sobol base samples (a power of two)."""
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Factor:
    """A varied scenario field with its range; integer fields are rounded before use."""

    path: str
    low: float
    high: float
    integer: bool = False

    @property
    def kind(self) -> str:
        """``lever`` if policy sets the field, ``uncertainty`` if it describes the world."""
        return factor_kind(self.path)

    def value(self, x: float) -> float | int:
        """The field's value at design coordinate ``x`` (rounded for an integer field)."""
        return round(float(x)) if self.integer else float(x)


def as_method(name: str) -> Method:
    """Check a method name given on the command line."""
    if name == "morris":
        return "morris"
    if name == "sobol":
        return "sobol"
    raise InputError(f"--method {name}: expected morris or sobol")


def parse_factor(text: str) -> Factor:
    """Read ``dotted.path=LOW:HIGH`` (numbers, LOW < HIGH)."""
    if "=" not in text or ":" not in text:
        raise InputError(f"--vary {text}: expected dotted.path=LOW:HIGH")
    path, raw = (part.strip() for part in text.split("=", 1))
    parts = [parse_override(f"{path}={p.strip()}")[1] for p in raw.split(":")]
    if len(parts) != 2 or not all(
        isinstance(p, int | float) and not isinstance(p, bool) for p in parts
    ):
        raise InputError(f"--vary {text}: expected dotted.path=LOW:HIGH with two numbers")
    low, high = float(parts[0]), float(parts[1])
    if not low < high:
        raise InputError(f"--vary {text}: LOW must be below HIGH")
    return Factor(path, low, high, integer=field_type(path) is int)



def sample(
    method: Method,
    names: Sequence[str],
    bounds: Sequence[tuple[float, float]],
    samples: int,
    seed: int,
) -> np.ndarray:
    """SALib's design for ``method``: Morris trajectories or a Sobol (Saltelli) sample."""
    require_salib()
    problem = salib_problem(names, bounds)
    seed = seed % 2**32
    if method == "morris":
        from SALib.sample import morris as morris_sample

        if samples < 2:
            raise InputError("--samples: Morris needs at least 2 trajectories")
        return np.asarray(
            morris_sample.sample(problem, samples, num_levels=MORRIS_LEVELS, seed=seed)
        )
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        if samples < 2 or samples & (samples - 1):
            raise InputError(f"--samples {samples}: Sobol needs a power of two (e.g. 16, 32, 64)")
        return np.asarray(sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed))
    raise InputError(f"--method {method}: expected morris or sobol")


def require_salib() -> None:
    """MissingExtraError naming the ``sensitivity`` extra unless SALib is installed."""
    require("SALib", "sensitivity", "sensitivity analysis")


def salib_problem(names: Sequence[str], bounds: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """SALib's problem: the names and bounds of the factors."""
    return {
        "num_vars": len(names),
        "names": list(names),
        "bounds": [list(map(float, b)) for b in bounds],
    }

