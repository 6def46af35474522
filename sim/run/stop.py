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

    def missed(self) -> str | None:
        """One line saying a target half-width was not reached, or None when it was (or none).

        Names the metric, the half-width achieved, the replications it took, and
        roughly how many would reach the target (the variance seen so far, scaled).
        """
        if self.reason != "max_replications" or self.target is None or self.halfwidth is None:
            return None
        n = self.replications
        noun = "replication" if n == 1 else "replications"
        about = ""
        if math.isfinite(self.halfwidth) and self.target > 0:
            needed = math.ceil(n * (self.halfwidth / self.target) ** 2)
            about = f"; about {needed:,} would reach it (raise --max-replications)"
        return (f"target not reached: {self.metric} 95% CI half-width {self.halfwidth:.4g} > "
                f"{self.target:g} after {n:,} {noun}, the cap{about}")


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
