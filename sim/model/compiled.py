"""Compilation of the per-firm loops that numpy would otherwise run as many small calls.

A month end touches every firm a few dozen times. As numpy calls on about a
thousand firms each costs some 2 µs of call overhead for 1 µs of arithmetic, and
they were most of a replication's time; compiled with numba, one loop does the
lot at the cost of the arithmetic. The compiled loops are cached on disk (next
to the module, or numba's user cache when that is read-only), so a worker
process loads them instead of compiling them again. Setting up numba's machinery
still costs each process about a second before its first replication; local
workers are forked from a process that has already done it (``sim.worker_start``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

import numba

__all__ = ["compiled", "load_compiler"]

F = TypeVar("F", bound=Callable[..., object])


def compiled(function: F) -> F:
    """``function`` compiled to machine code: its loops run at the speed of C.

    No ``fastmath``: the compiled loop must do the same IEEE operations, in the
    same order, as the numpy expression it replaces, so results do not change.
    """
    return cast(F, numba.njit(cache=True)(function))


def load_compiler() -> None:
    """Set up numba's machinery now (about a second) rather than at the first replication."""
    _nothing()


@compiled
def _nothing() -> int:
    return 0
