"""Compilation of the engine's per-firm loops that numpy would otherwise run as many small calls.

It sits beside the engine (``sim/model/``), not in it: choosing and checking a
cache folder on disk is I/O the engine does not do.

A month end touches every firm a few dozen times. As numpy calls on about a
thousand firms each costs some 2 µs of call overhead for 1 µs of arithmetic, and
they were most of a replication's time; compiled with numba, one loop does the
lot at the cost of the arithmetic.

A compiled helper called once per firm (or per firm and month) takes numbers,
passed by name, or a small structure of the few arrays it reads (the export
book's ``Runs`` and ``Calendars``), never ``Firms`` (37 arrays) or ``BookState``:
unless numba happens to inline the call, it copies the structure and counts a
reference to each of its arrays, in and out, on every call, which cost 60 times
the arithmetic of a tranche's room (0.3 ms against 5 µs a month).

The compiled loops are cached on disk, so a process loads them instead of
compiling them again (10-20 s). numba checks a cached function against its own
module's source only, yet a compiled function has the compiled functions it
calls, and the constants it reads, built in: after an edit to ``export_book.py``,
the cached ``receive_orders`` of ``export_orders.py`` would still place orders
the old way. So the cache lives in a folder named after a hash of all the
engine's sources, and any change to them starts a new one: under
``NUMBA_CACHE_DIR`` if set, else beside the engine, else (read-only install) under
``~/.cache/defsim``; with nothing writable the loops are compiled in every process
and not cached. Old folders are left behind (about 1.5 MB each). Setting up numba
still costs each process about a second before its first replication; local
workers are forked from a process that has already done it (``sim.worker_start``).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba
import numpy as np

__all__ = ["compiled", "entry", "load_compiler"]

F = TypeVar("F", bound=Callable[..., object])

_config: Any = numba.config  # settings numba sets as module attributes at run time


def cache_dir(engine: Path, base: str | Path) -> str:
    """The cache folder for the sources in ``engine``: under ``base``, else beside them."""
    version = hashlib.sha256()
    for source in sorted(engine.glob("*.py")):
        version.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return str(Path(base or engine / "__pycache__") / f"defsim-{version.hexdigest()[:16]}")


def _writable(folder: str) -> bool:
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def _choose_cache_dir(engine: Path) -> str | None:
    """The first writable of: under ``NUMBA_CACHE_DIR``, beside the engine, under the
    user's cache folder; None (no caching) when none is. Never an unversioned folder,
    which is where numba itself would fall back to."""
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "defsim"
    bases = [_config.CACHE_DIR] if _config.CACHE_DIR else [engine / "__pycache__", user_cache]
    return next((d for d in (cache_dir(engine, b) for b in bases) if _writable(d)), None)


_CACHE_DIR = _choose_cache_dir(Path(__file__).resolve().parent / "model")


def compiled(function: F) -> F:
    """``function`` compiled to machine code: its loops run at the speed of C.

    No ``fastmath``: the compiled loop must do the same IEEE operations, in the
    same order, as the numpy expression it replaces, so results do not change.
    """
    if _CACHE_DIR is None:
        return cast(F, numba.njit(function))
    # numba reads its cache folder when the function is decorated (at import, under
    # the import lock); it is set for defsim's functions only.
    previous = _config.CACHE_DIR
    _config.CACHE_DIR = _CACHE_DIR
    try:
        dispatcher: Any = numba.njit(cache=True)(function)
    finally:
        _config.CACHE_DIR = previous
    if not dispatcher._cache._cache_path.startswith(_CACHE_DIR):
        return cast(F, numba.njit(function))  # a cache numba chose elsewhere could be stale
    return cast(F, dispatcher)


class _Entry:
    """A compiled function called from Python through its specialisation's entry point.

    numba's dispatcher types every argument on every call to choose a specialisation:
    about 10 µs for a named tuple of arrays such as ``Firms``, more than the work of a
    month's kernel. The engine's structures always hold the same dtypes (each is built
    by its own constructor), so a specialisation is chosen once per combination of
    argument classes, array dtypes, dimensions and layouts, and then called directly.
    """

    def __init__(self, dispatcher: Any) -> None:
        self.dispatcher = dispatcher
        self.entries: dict[tuple[object, ...], Callable[..., Any]] = {}

    def __call__(self, *args: Any) -> Any:
        # Inline rather than a function per argument: this runs some 500 times a replication.
        key = tuple([
            (a.dtype.num, a.ndim, a.flags.c_contiguous) if isinstance(a, np.ndarray) else type(a)
            for a in args
        ])
        call = self.entries.get(key)
        if call is not None:
            return call(*args)
        result = self.dispatcher(*args)
        types = tuple(numba.typeof(a) for a in args)  # type: ignore[no-untyped-call]
        self.entries[key] = self.dispatcher.overloads[types].entry_point
        return result


def entry(function: F) -> F:
    """``compiled(function)``, for calls from Python: see ``_Entry``. Compiled code calls
    the plain ``compiled`` function, never this wrapper."""
    return cast(F, _Entry(compiled(function)))


def load_compiler() -> None:
    """Set up numba's machinery now (about a second) rather than at the first replication."""
    _nothing()


@compiled
def _nothing() -> int:
    return 0
