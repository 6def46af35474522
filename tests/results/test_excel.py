"""``defsim export RUN_DIR --format xlsx``: the run's tables as one workbook, never overwriting."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
from builders import write_scenario
from helpers import defsim, save_run

from sim.errors import InputError
from sim.results.excel import write_workbook

openpyxl = pytest.importorskip("openpyxl")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("excel")
    return save_run(write_scenario(where), where / "run", replications=3)


def test_export_writes_summary_replications_and_monthly_sheets(folder: Path,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "base.xlsx"
    done = defsim("export", folder, "--format", "xlsx", "--out", target)
    assert done.code == 0, done.err
    assert done.out.strip() == str(target)
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames == ["about", "summary", "replications", "monthly"]
    for sheet in ("summary", "replications", "monthly"):
        rows = list(csv.reader((folder / f"{sheet}.csv").open(encoding="utf-8")))
        cells = list(book[sheet].iter_rows(values_only=True))
        assert len(cells) == len(rows) and list(cells[0]) == rows[0], sheet
    first = next(book["summary"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert first[:2] == ("all", "capacity_usd") and isinstance(first[4], int | float)


def test_export_never_overwrites_a_file(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"the user's own file")
    refused = defsim("export", folder, "--out", target)
    assert refused.code == 2 and "exists" in refused.err
    assert refused.err.strip().count("\n") == 0
    assert target.read_bytes() == b"the user's own file"
    assert not list(tmp_path.glob(".*partial"))


def test_default_is_run_xlsx_in_the_run_folder_and_only_once(tmp_path: Path, folder: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in folder.iterdir():
        if f.is_file():
            (copy / f.name).write_bytes(f.read_bytes())
    assert defsim("export", copy).code == 0
    assert (copy / "run.xlsx").is_file()
    assert defsim("export", copy).code == 2


def test_without_openpyxl_the_message_names_the_extra(folder: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError, match=r"defsim\[excel\]"):
        write_workbook(folder, tmp_path / "x.xlsx")
