"""Where the engine's compiled loops are cached, and why a stale cache cannot be used."""

from __future__ import annotations

from pathlib import Path

import numba
import numpy as np
import pytest

from sim import compiled
from sim.model import export_orders, production


def test_any_change_to_any_engine_source_moves_the_cache(tmp_path: Path) -> None:
    """A cached caller has its callees built in, so an edit anywhere must miss the cache."""
    (tmp_path / "export_book.py").write_text("def place(): return 1\n")
    (tmp_path / "export_orders.py").write_text("from export_book import place\n")
    before = compiled.cache_dir(tmp_path, "")
    (tmp_path / "export_book.py").write_text("def place(): return 2\n")
    after = compiled.cache_dir(tmp_path, "")
    assert before != after
    assert Path(before).parent == tmp_path / "__pycache__"
    assert compiled.cache_dir(tmp_path, "/elsewhere").startswith("/elsewhere/defsim-")
    (tmp_path / "notes.txt").write_text("not a source")
    assert compiled.cache_dir(tmp_path, "") == after


def test_the_engines_functions_are_cached_in_the_versioned_folder() -> None:
    """numba must have taken the folder when the functions were decorated."""
    engine = Path(production.__file__).resolve().parent
    expected = compiled.cache_dir(engine, numba.config.CACHE_DIR)
    for function in (production.pay_costs.dispatcher, export_orders._place_run.dispatcher):
        path = function._cache._cache_path
        assert path.startswith(expected), path


def test_an_entry_point_calls_the_specialisation_its_arguments_need() -> None:
    """The fast path keys on array dtypes: another dtype gets its own specialisation."""

    def total(values: np.ndarray) -> float:
        return float(values.sum())

    fast = compiled.entry(total)
    assert fast(np.arange(3.0)) == 3.0
    assert fast(np.arange(3.0)) == 3.0  # through the entry point
    assert fast(np.arange(4)) == 6.0  # int64: a second specialisation
    assert len(fast.dispatcher.signatures) == 2


def test_an_unwritable_cache_folder_means_no_cache_never_an_unversioned_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """numba would fall back to a folder without the hash, where a stale caller could load."""
    engine = Path(production.__file__).resolve().parent
    monkeypatch.setattr(compiled._config, "CACHE_DIR", "/proc/defsim-cannot-write-here")
    assert compiled._choose_cache_dir(engine) is None

    monkeypatch.setattr(compiled._config, "CACHE_DIR", "")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    read_only = str(engine / "__pycache__")
    monkeypatch.setattr(compiled, "_writable", lambda d: not d.startswith(read_only))
    chosen = compiled._choose_cache_dir(engine)
    assert chosen is not None and chosen.startswith(str(tmp_path / "defsim" / "defsim-"))

    def twice(x: float) -> float:
        return 2.0 * x

    monkeypatch.setattr(compiled, "_CACHE_DIR", "/proc/defsim-cannot-write-here/x")
    uncached = compiled.compiled(twice)
    assert type(uncached._cache).__name__ == "NullCache"  # type: ignore[attr-defined]
    assert uncached(2.0) == 4.0
    monkeypatch.setattr(compiled, "_CACHE_DIR", str(tmp_path / "cache"))
    cached = compiled.compiled(twice)
    assert cached._cache._cache_path.startswith(str(tmp_path / "cache"))  # type: ignore[attr-defined]
