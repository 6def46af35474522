"""``summary.csv``: the estimates of ``summary.json`` as one row per metric and sector.

Spreadsheets and ``to_pandas`` read this flat table: a row per sector (``all`` for
the whole industry) and metric, with the metric's label and unit from the registry
(``sim.metrics``), so nobody has to know the JSON layout or the metric names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from sim.metrics import label_of, unit_of

__all__ = ["SUMMARY_COLUMNS", "summary_csv_text", "summary_rows"]

SUMMARY_COLUMNS = ("sector", "metric", "label", "unit", "mean", "ci_low", "ci_high", "std", "n")
"""The columns of ``summary.csv``."""


def summary_rows(document: Mapping[str, Any]) -> Iterator[list[Any]]:
    """Rows of ``summary.csv`` from a ``summary.json`` document: industry first, then sectors."""
    groups = [("all", document.get("metrics", {})), *document.get("sectors", {}).items()]
    for group, estimates in groups:
        for name, est in estimates.items():
            values = [est.get(k) for k in ("mean", "ci_low", "ci_high", "std", "n")]
            yield [group, name, label_of(name), unit_of(name).value, *values]


def summary_csv_text(document: Mapping[str, Any]) -> str:
    """``summary.csv`` of a ``summary.json`` document; undefined values are empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in summary_rows(document):
        writer.writerow(["" if v is None else _number(v) for v in row])
    return out.getvalue()


def _number(value: Any) -> str:
    """Shortest exact text of a number (as the other files of a run folder write them)."""
    if isinstance(value, str):
        return value
    value = float(value)
    return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
