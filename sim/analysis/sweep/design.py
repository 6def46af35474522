"""The design of a sweep: levers and their values, every combination of them.

A lever is a dotted scenario path and the values it takes, read from
``--vary path=START:STOP:STEPS`` (evenly spaced, both ends included) or
``--vary path=v1,v2,...``. The design is full factorial, and every point's
scenario is validated before anything runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.analysis.experiment import factor_kind, field_type, point_scenarios
from sim.errors import InputError
from sim.scenario.io import parse_override

__all__ = ["MAX_POINTS", "Lever", "full_factorial", "parse_vary", "point_scenarios"]

MAX_POINTS = 10_000
"""A design larger than this is almost certainly a typo in STEPS."""


@dataclass(frozen=True)
class Lever:
    """One varied scenario field and the values it takes, in order."""

    path: str
    values: tuple[Any, ...]

    @property
    def numeric(self) -> bool:
        """Whether every value is a number (booleans are not): a numeric axis, else categories."""
        return all(isinstance(v, int | float) and not isinstance(v, bool) for v in self.values)

    @property
    def kind(self) -> str:
        """``lever`` if policy sets the field, ``uncertainty`` if it describes the world."""
        return factor_kind(self.path)


def parse_vary(text: str) -> Lever:
    """Read ``path=START:STOP:STEPS`` (evenly spaced, both ends included) or ``path=v1,v2,...``.

    Listed values are read as YAML, so ``pro_rata,largest_first`` and ``0.3,0.5`` both work.
    A range over an integer field is rounded to whole numbers (duplicates dropped).
    """
    if "=" not in text:
        raise InputError(
            f"--vary {text}: expected dotted.path=START:STOP:STEPS or dotted.path=v1,v2,..."
        )
    path, raw = (part.strip() for part in text.split("=", 1))
    if not path or not raw:
        raise InputError(f"--vary {text}: both the path and the values are needed")
    if ":" in raw:
        return Lever(path, _range_values(path, raw))
    values = tuple(parse_override(f"{path}={item.strip()}")[1] for item in raw.split(","))
    return Lever(path, values)


def _range_values(path: str, raw: str) -> tuple[Any, ...]:
    parts = [parse_override(f"{path}={p.strip()}")[1] for p in raw.split(":")]
    numbers = [p for p in parts if isinstance(p, int | float) and not isinstance(p, bool)]
    if len(parts) != 3 or len(numbers) != 3 or not float(parts[2]).is_integer() or parts[2] < 1:
        raise InputError(
            f"--vary {path}={raw}: expected START:STOP:STEPS with numbers and STEPS >= 1"
        )
    start, stop, steps = float(parts[0]), float(parts[1]), int(parts[2])
    grid = np.linspace(start, stop, steps)
    if field_type(path) is int:
        return tuple(dict.fromkeys(round(float(v)) for v in grid))
    return tuple(float(v) for v in grid)


def full_factorial(levers: Sequence[Lever]) -> list[dict[str, Any]]:
    """Every combination of lever values; the last lever varies fastest."""
    paths = [lever.path for lever in levers]
    if len(set(paths)) != len(paths):
        raise InputError("--vary: the same path is varied twice")
    size = int(np.prod([len(lever.values) for lever in levers]))
    if size > MAX_POINTS:
        raise InputError(f"--vary: {size:,} points; the limit is {MAX_POINTS:,}")
    return [
        dict(zip(paths, combo, strict=True))
        for combo in itertools.product(*(lv.values for lv in levers))
    ]
