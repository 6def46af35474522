"""When a run stops: after a fixed number of replications, or once an interval is narrow enough.

With a target half-width, replications are added in batches: each batch is sized
from the variance seen so far (a sequential procedure), up to a cap.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["StopRule", "next_batch"]


@dataclass(frozen=True)
class StopRule:
    """How many replications ran and why no more."""

    reason: str
    """``fixed``, ``target_reached`` or ``max_replications`` (``running`` while it runs)."""
    replications: int
    metric: str | None = None
    target: float | None = None
    halfwidth: float | None = None


def next_batch(
    done: int, halfwidth: Callable[[str], float], metric: str, target: float, cap: int
) -> tuple[int, StopRule]:
    """Replications to have after the next batch, estimated from the current variance.

    ``halfwidth(metric)`` is the 95% CI half-width over the ``done`` replications so far.
    """
    width = halfwidth(metric)
    if width <= target:
        return done, StopRule("target_reached", done, metric, target, width)
    if done >= cap:
        return done, StopRule("max_replications", done, metric, target, width)
    needed = math.ceil(done * (width / target) ** 2) if math.isfinite(width) else 2 * done
    return min(cap, max(needed, done + 1)), StopRule("running", done, metric, target, width)
