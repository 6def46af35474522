"""Run results as pandas DataFrames, for notebooks: the tables of the run folder's CSV files.

A DataFrame is read from the same text a run folder's file holds (``summary.csv``,
``replications.csv``, ``monthly.csv``), so a notebook sees exactly the columns a
spreadsheet does. pandas is optional (``pip install 'defsim[notebook]'``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TABLES", "Table", "frame", "require_pandas"]

Table = Literal["summary", "replications", "monthly"]
TABLES: tuple[str, ...] = ("summary", "replications", "monthly")
"""The tables ``to_pandas`` gives, each the file ``TABLE.csv`` of a run folder."""

_INDEX = {"summary": ["sector", "metric"], "replications": ["replication"],
          "monthly": ["month", "sector", "metric"]}


def require_pandas() -> Any:
    """The pandas module; InputError naming the extra to install when it is missing."""
    try:
        import pandas
    except ImportError:
        raise InputError(
            "to_pandas needs pandas: pip install 'defsim[notebook]' (or pip install pandas)"
        ) from None
    return pandas


def frame(table: str, source: str | Path) -> pd.DataFrame:
    """Table ``table`` read from CSV text or a file, indexed by its key columns."""
    if table not in _INDEX:
        raise InputError(f"to_pandas: unknown table {table!r} (choose {', '.join(TABLES)})")
    pd = require_pandas()
    data = io.StringIO(source) if isinstance(source, str) else source
    keys = {name: str for name in _INDEX[table] if name != "replication"}
    found = pd.read_csv(data, dtype=keys, keep_default_na=False, na_values=[""])
    return found.set_index(_INDEX[table])
