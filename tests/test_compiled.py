"""Where the engine's compiled loops are cached, and why a stale cache cannot be used."""

from __future__ import annotations

from pathlib import Path

import numba

from sim.model import compiled, export_orders, production


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
    for function in (production.produce, export_orders.receive_orders):
        path = function._cache._cache_path
        assert path.startswith(expected), path
