"""A run folder as one Excel workbook, for analysts: summary, replications and monthly sheets.

Each sheet holds the rows of the run folder's CSV file of the same name, numbers
as numbers, so a spreadsheet can filter and chart them without an import step; an
``about`` sheet says which run they come from. The workbook is written beside the
target and linked into place, so an existing file is never overwritten.
openpyxl is optional (``pip install 'defsim[excel]'``).
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from sim.errors import InputError
from sim.results.read import RunFolder, read_run
from sim.results.tables import summary_csv_text

__all__ = ["SHEETS", "default_workbook_path", "write_workbook"]

_EXISTS = "{target}: exists; defsim never overwrites a file (choose another --out)"
SHEETS = ("summary", "replications", "monthly")
"""The data sheets, each the run folder's ``NAME.csv``."""


def default_workbook_path(folder: Path) -> Path:
    """``RUN_DIR/run.xlsx``."""
    return folder / "run.xlsx"


def write_workbook(folder: str | Path, target: Path | None = None) -> Path:
    """Write the workbook of run folder ``folder`` to ``target``; InputError if it exists."""
    run = read_run(folder)
    target = target or default_workbook_path(run.path)
    if target.exists():
        raise InputError(_EXISTS.format(target=target))
    openpyxl = _openpyxl()
    book = openpyxl.Workbook(write_only=True)
    _sheet(book, "about", [["field", "value"], *_about(run)])
    for name in SHEETS:
        _sheet(book, name, _rows(run, name))
    partial = target.with_name(f".{target.name}.partial")
    try:
        book.save(partial)
        os.link(partial, target)
    except FileExistsError:
        raise InputError(_EXISTS.format(target=target)) from None
    except OSError as err:
        raise InputError(f"{target}: cannot write ({err.strerror})") from None
    finally:
        partial.unlink(missing_ok=True)
    return target


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise InputError(
            "defsim export needs openpyxl: pip install 'defsim[excel]' (or pip install openpyxl)"
        ) from None
    return openpyxl


def _about(run: RunFolder) -> list[list[Any]]:
    months = run.monthly.months
    return [["scenario", run.name], ["description", run.description], ["seed", run.seed],
            ["replications", run.replication_count], ["months", f"{months[0]}..{months[-1]}"],
            ["folder", str(run.path.resolve())], ["command", run.manifest.get("command", "")],
            ["money", "USD, totals over the horizon at domestic prices (monthly: per month)"],
            ["intervals", "95% confidence intervals of the mean across replications"]]


def _rows(run: RunFolder, name: str) -> list[list[Any]]:
    path = run.path / f"{name}.csv"
    text = (path.read_text(encoding="utf-8") if path.is_file()
            else summary_csv_text(run.summary))
    rows = list(csv.reader(io.StringIO(text)))
    return [rows[0], *([_cell(c) for c in row] for row in rows[1:])]


def _cell(text: str) -> Any:
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text else number


def _sheet(book: Any, title: str, rows: list[list[Any]]) -> None:
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append(row)
