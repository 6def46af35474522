"""Compilation of the per-firm loops that numpy would otherwise run as many small calls.

A month end touches every firm a few dozen times. As numpy calls on about a
thousand firms each costs some 2 µs of call overhead for 1 µs of arithmetic, and
they were most of a replication's time; compiled with numba, one loop does the
lot at the cost of the arithmetic.

The compiled loops are cached on disk, so a process loads them instead of
compiling them again (10-20 s). numba checks a cached function against its own
module's source only, yet a compiled function has the compiled functions it
calls, and the constants it reads, built in: after an edit to ``export_book.py``,
the cached ``receive_orders`` of ``export_orders.py`` would still place orders
the old way. So the cache lives in a folder named after a hash of all the
engine's sources, and any change to them starts a new one. Setting up numba
still costs each process about a second before its first replication; local
workers are forked from a process that has already done it (``sim.worker_start``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

__all__ = ["compiled", "load_compiler"]

F = TypeVar("F", bound=Callable[..., object])

_config: Any = numba.config  # settings numba sets as module attributes at run time


def cache_dir(engine: Path, base: str) -> str:
    """The cache folder for the sources in ``engine``: under ``base``, else beside them."""
    version = hashlib.sha256()
    for source in sorted(engine.glob("*.py")):
        version.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return str(Path(base or engine / "__pycache__") / f"defsim-{version.hexdigest()[:16]}")


_CACHE_DIR = cache_dir(Path(__file__).resolve().parent, _config.CACHE_DIR)
"""Under the user's ``NUMBA_CACHE_DIR`` if set; numba falls back to its user-wide cache
when the folder cannot be written."""


def compiled(function: F) -> F:
    """``function`` compiled to machine code: its loops run at the speed of C.

    No ``fastmath``: the compiled loop must do the same IEEE operations, in the
    same order, as the numpy expression it replaces, so results do not change.
    """
    # numba reads its cache folder when the function is decorated; set it for
    # defsim's functions only.
    previous = _config.CACHE_DIR
    _config.CACHE_DIR = _CACHE_DIR
    try:
        return cast(F, numba.njit(cache=True)(function))
    finally:
        _config.CACHE_DIR = previous


def load_compiler() -> None:
    """Set up numba's machinery now (about a second) rather than at the first replication."""
    _nothing()


@compiled
def _nothing() -> int:
    return 0
