"""Comparing runs: paired differences under common random numbers, Welch otherwise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import matplotlib.dates as mdates
import pytest
from builders import BASE, EVERY_CHART, write_scenario
from helpers import defsim, save_run

from sim.analysis.compare import PAIRED, WELCH, compare_runs
from sim.errors import InputError
from sim.metrics import KEY_METRICS, format_value
from sim.report.compare_plots import plot_overlay
from sim.results.read import read_run
from sim.stats import paired_difference, welch_difference

BUDGET = "procurement.budget_usd"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Base, a nearby budget on the same seed (CRN), and the base on another seed."""
    folder = tmp_path_factory.mktemp("compare")
    scenario = write_scenario(folder, **EVERY_CHART)
    return {
        "base": save_run(scenario, folder / "base", replications=8),
        "budget": save_run(scenario, folder / "budget", replications=8, overrides={BUDGET: 1.0e9}),
        "other_seed": save_run(scenario, folder / "other_seed", replications=8, seed=99),
    }


def test_paired_interval_is_narrower_than_unpaired_for_crn_runs(runs: dict[str, Path]) -> None:
    comparison = compare_runs([runs["base"], runs["budget"]])
    assert comparison.methods == ["base", PAIRED]
    assert "paired" in comparison.method_text(1)
    assert "common random numbers" in comparison.method_text(1)
    base, budget = comparison.runs
    for metric in ("absorption_share", "export_usd"):
        a, b = budget.replications.column(metric), base.replications.column(metric)
        paired, welch = paired_difference(a, b), welch_difference(a, b)
        assert paired.mean == pytest.approx(welch.mean)
        assert paired.halfwidth < welch.halfwidth, metric
    used = {d.metric: d for d in comparison.differences}
    assert used["absorption_share"].method == PAIRED
    share = "absorption_share"
    assert used[share].estimate == paired_difference(
        budget.replications.column(share), base.replications.column(share))


def test_a_run_compared_with_itself_differs_by_exactly_zero(runs: dict[str, Path]) -> None:
    comparison = compare_runs([runs["base"], runs["base"]])
    assert comparison.labels == ["base", "base #2"]
    assert {d.metric for d in comparison.differences} == set(KEY_METRICS)
    for d in comparison.differences:
        assert d.method == PAIRED
        assert (d.estimate.mean, d.estimate.ci_low, d.estimate.ci_high) == (0.0, 0.0, 0.0), d.metric


def test_different_seeds_use_welch(runs: dict[str, Path]) -> None:
    comparison = compare_runs([runs["base"], runs["other_seed"]])
    assert comparison.methods == ["base", WELCH]
    assert "Welch" in comparison.method_text(1)


def test_cli_compare_writes_report_and_prints_table(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    compared = defsim("compare", runs["base"], runs["budget"], runs["other_seed"], "--out", out)
    assert compared.code == 0, compared.err
    printed = compared.out
    assert "absorption_share" in printed and "paired" in printed and "Welch" in printed
    assert str(out) in printed
    assert (out / "report.html").is_file()
    charts = {p.stem for p in (out / "plots").glob("*.png")}
    assert charts == {"differences", "capacity_use", "absorption_share", "firms",
                      "licence_pipeline", "export_markets"}
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "https://" not in html and html.count("<img") == len(charts)
    assert "paired differences" in html and "Welch" in html
    assert "<td>exports / surplus</td>" in html, "metrics by their labels"
    assert defsim("compare", runs["base"], runs["budget"], "--out", out).code == 2


def test_different_horizons_are_compared_with_a_warning(runs: dict[str, Path],
                                                        tmp_path: Path) -> None:
    short = save_run(write_scenario(tmp_path, **{**EVERY_CHART, "months": 9}), tmp_path / "short",
                     replications=8)
    comparison = compare_runs([runs["base"], short])
    assert any("horizons differ" in w for w in comparison.warnings)
    compared = defsim("compare", runs["base"], short, "--out", tmp_path / "cmp")
    assert compared.code == 0 and "horizons differ" in compared.err
    overlay = plot_overlay([read_run(runs["base"]), read_run(short)], "export_usd")
    start, end = (mdates.num2date(x).date() for x in overlay.get_xlim())
    assert (start, end) == (dt.date(2026, 1, 1), dt.date(2026, 10, 1))  # the 9 shared months
    assert "the months all runs share" in overlay.get_title()
    text = " ".join(compared.out.split())
    assert "differs from A in months: 15 → 9" in text
    assert "USD figures are totals over each run's own horizon (9, 15 months)" in text


def test_runs_sharing_no_month_are_compared_as_totals(runs: dict[str, Path],
                                                      tmp_path: Path) -> None:
    """A 2031 run against a 2026 one: totals compare; only the monthly charts cannot overlap."""
    later_start = {"start": "2031-01-01", "licensing.opens": "2031-01-01"}
    later = save_run(write_scenario(tmp_path, **{**EVERY_CHART, **later_start}),
                     tmp_path / "later", replications=8)
    comparison = compare_runs([runs["base"], later])
    assert any("no month is shared" in w for w in comparison.warnings)
    assert comparison.methods == ["base", PAIRED]
    compared = defsim("compare", runs["base"], later, "--out", tmp_path / "cmp")
    assert compared.code == 0, compared.err
    assert "start: 2026-01-01 → 2031-01-01" in compared.out
    assert (tmp_path / "cmp" / "report.html").is_file()
    overlay = plot_overlay([read_run(runs["base"]), read_run(later)], "export_usd")
    start, end = (mdates.num2date(x).date() for x in overlay.get_xlim())
    assert (start, end) == (dt.date(2026, 1, 1), dt.date(2032, 4, 1))  # each on its own months
    assert defsim("compare", runs["base"]).code == 2
    assert defsim("compare", runs["base"], tmp_path / "missing").code == 2


def test_runs_sharing_no_sector_are_refused(runs: dict[str, Path], tmp_path: Path) -> None:
    renamed = {"sectors": {"drones": BASE["sectors"]["uav"]},
               "procurement.sector_shares": {"drones": 1.0},
               "licensing.approval_rate": {"default": 0.5},
               "markets.north.demand_usd": {"drones": 0.4e9}}
    other = save_run(write_scenario(tmp_path, **renamed), tmp_path / "other", replications=2)
    with pytest.raises(InputError, match="share no sectors"):
        compare_runs([runs["base"], other])
    compared = defsim("compare", runs["base"], other, "--out", tmp_path / "cmp")
    assert compared.code == 2 and "share no sectors" in compared.err
    assert not (tmp_path / "cmp").exists()


@pytest.mark.parametrize("columns", [80, 100])
def test_compare_table_fits_the_terminal_and_names_each_run(
    runs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    compared = defsim("compare", runs["base"], runs["budget"], runs["other_seed"],
                      "--out", tmp_path / "cmp")
    assert compared.code == 0, compared.err
    lines = compared.out.splitlines()[:-2]  # the report's path and the folder's, whole
    assert compared.out.splitlines()[-1] == str(tmp_path / "cmp")
    assert max(len(line) for line in lines) <= columns
    assert not any("…" in line for line in lines if line.startswith("  "))
    _, budget, _ = compare_runs([runs["base"], runs["budget"], runs["other_seed"]]).runs
    mean = format_value("export_usd", float(budget.replications.column("export_usd").mean()))
    rows = [line.split() for line in lines if line.startswith("  B budget")]
    assert rows and rows[0][2] == mean, rows
    assert any(line.startswith("  C other_seed") for line in lines)
    # what differs, per run, in words
    text = " ".join(compared.out.split())
    assert "differs from A in procurement.budget_usd: 900,000,000 → 1,000,000,000" in text
    assert "seed: 11 → 99" in text
    assert "totals over the 15 months of the horizon" in text
    assert "-0.0" not in compared.out and "+0.0 pp" not in compared.out


def test_compare_report_says_what_differs(runs: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    assert defsim("compare", runs["base"], runs["budget"], "--out", out).code == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "differs from the first run" in html
    assert "procurement.budget_usd: 900,000,000 → 1,000,000,000" in html


def test_a_comparison_in_a_notebook_is_short_and_has_a_dataframe(runs: dict[str, Path]) -> None:
    pd = pytest.importorskip("pandas")
    comparison = compare_runs([runs["base"], runs["budget"]])
    text = repr(comparison)
    assert len(text) < 300 and "\n" not in text and "paired" in text
    page = comparison._repr_html_()
    assert len(page) < 20_000 and "<table>" in page and "common random numbers" in page
    frame = comparison.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    row = frame.loc[("budget", "export_usd")]
    d = next(d for d in comparison.differences if d.metric == "export_usd")
    assert row["difference"] == pytest.approx(d.estimate.mean)
    assert row["method"] == PAIRED
