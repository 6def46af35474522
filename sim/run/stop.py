"""When a run stops: after a fixed number of replications, once an interval is narrow enough,
or when the user presses Ctrl-C.

With a target half-width, replications are added in batches: each batch is sized
from the variance seen so far (a sequential procedure), up to a cap.

Ctrl-C raises KeyboardInterrupt wherever the main thread is. When that is a
finalizer (``__del__``, a ``weakref.finalize`` callback: numba's compiler runs many
while it compiles the engine on a first run), Python prints "Exception ignored"
and carries on, and the interrupt is lost. ``sticky_interrupt`` also remembers the
key press, and ``interrupted()`` raises it again at the next safe point (after each
replication, before a folder is renamed into place). Raised inside a function that
compiled code calls back (numba unpickling a constant), it surfaces as a SystemError
instead; an error that ends the block after a key press is reported as the
KeyboardInterrupt it really is.
"""

from __future__ import annotations

import math
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

__all__ = ["StopRule", "interrupted", "next_batch", "sticky_interrupt"]


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


class _Pressed:
    """Whether Ctrl-C was pressed since the outermost ``sticky_interrupt`` began."""

    value = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    _Pressed.value = True
    raise KeyboardInterrupt


@contextmanager
def sticky_interrupt() -> Iterator[None]:
    """Within the block, Ctrl-C raises KeyboardInterrupt as usual and is also remembered.

    Only Python's default handler is replaced, and only in the main thread: a
    program that set its own (or ignores SIGINT, as a background job of a script
    does) keeps its choice. Nested blocks share the outermost one's memory.
    """
    current = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or (
        current is not signal.default_int_handler
    ):
        yield
        return
    _Pressed.value = False
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    except Exception as err:
        if _Pressed.value:  # the interrupt broke something on its way (below): still Ctrl-C
            raise KeyboardInterrupt from err
        raise
    finally:
        signal.signal(signal.SIGINT, current)
        _Pressed.value = False  # delivered, or raised by interrupted(): nothing left to raise


def interrupted() -> None:
    """KeyboardInterrupt if Ctrl-C was pressed within ``sticky_interrupt``, even if swallowed."""
    if _Pressed.value:
        raise KeyboardInterrupt
