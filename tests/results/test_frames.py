"""Run folders in a notebook: a short repr, a small HTML table, DataFrames of the files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from builders import write_scenario
from helpers import save_run

from sim import read_run
from sim.errors import InputError
from sim.metrics import OUTCOMES, label_of
from sim.results.show import SHOWN_METRICS

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("frames")
    return save_run(write_scenario(where), where / "run", replications=3)


def test_run_folder_repr_is_one_short_line(folder: Path) -> None:
    text = repr(read_run(folder))
    assert len(text) < 200 and "\n" not in text
    assert "tiny" in text and "3 replications" in text and str(folder) in text


def test_run_folder_shows_its_key_metrics_as_a_small_html_table(folder: Path) -> None:
    page = read_run(folder)._repr_html_()
    assert len(page) < 5_000 and "<table>" in page
    for name in SHOWN_METRICS:
        assert label_of(name).replace("&", "&amp;") in page


def test_run_folder_tables_as_dataframes(folder: Path) -> None:
    run = read_run(folder)
    summary = run.to_pandas()
    assert summary.loc[("all", "absorption_share"), "mean"] == pytest.approx(
        run.summary["metrics"]["absorption_share"]["mean"])
    assert list(summary.columns) == ["label", "unit", "mean", "ci_low", "ci_high", "std", "n"]
    replications = run.to_pandas("replications")
    assert replications.shape[0] == 3 and set(OUTCOMES) <= set(replications.columns)
    monthly = run.to_pandas("monthly")
    assert monthly.loc[("2026-01", "all", "capacity_usd"), "mean"] > 0
    assert list(monthly.columns) == ["mean", "p05", "p50", "p95"]
    with pytest.raises(InputError, match="unknown table"):
        run.to_pandas("everything")


def test_a_folder_without_summary_csv_still_gives_its_summary(folder: Path,
                                                              tmp_path: Path) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for f in folder.iterdir():
        if f.is_file() and f.name != "summary.csv":
            (old / f.name).write_bytes(f.read_bytes())
    assert read_run(old).to_pandas().equals(read_run(folder).to_pandas())


def test_without_pandas_the_message_names_the_extra(folder: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(InputError, match=r"defsim\[notebook\]"):
        read_run(folder).to_pandas()
