"""sim.report.charts: a figure as PNG, SVG or PDF bytes, and nothing else."""

from __future__ import annotations

import re

import pytest
from helpers import REPO, save_run

from sim.report import charts, compare_plots, plots
from sim.results.read import RunFolder, read_run


@pytest.mark.parametrize(("fmt", "magic"),
                         [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_formats(run: RunFolder, fmt: str, magic: bytes) -> None:
    assert charts.figure_bytes(charts.figure_of(plots.plot_firms(run)), fmt).startswith(magic)
    with pytest.raises(ValueError, match="unknown format"):
        charts.figure_bytes(charts.figure_of(plots.plot_firms(run)), "gif")


@pytest.mark.parametrize(
    ("values", "scale"),
    [
        ([2e6, 0.5e6], (1e6, "USD millions")),
        ([3.1e9, 1e8], (1e9, "USD billions")),
        ([-4e4, 900.0], (1e3, "USD thousands")),
        ([120.0], (1.0, "USD")),
        ([], (1e9, "USD billions")),
        ([float("nan")], (1e9, "USD billions")),
    ],
)
def test_usd_scale_comes_from_the_data(values: list[float], scale: tuple[float, str]) -> None:
    assert charts.usd_scale(values) == scale


def test_axis_scale_is_the_one_unit_choice() -> None:
    assert charts.axis_scale("capacity_usd", [2e6]) == (1e6, " (USD millions)")
    assert charts.axis_scale("procurement.budget_usd", [1e10, 3e10]) == (1e9, " (USD billions)")
    assert charts.axis_scale("absorption_share", [0.3]) == (0.01, " (%)")
    assert charts.axis_scale("firms_exited", [3.0]) == (1.0, "")


@pytest.fixture(scope="module")
def teaching(tmp_path_factory: pytest.TempPathFactory) -> RunFolder:
    """The teaching scenario: money in millions, the scale students see first."""
    folder = tmp_path_factory.mktemp("teaching")
    return read_run(save_run(REPO / "scenarios" / "teaching-minimal.yaml", folder / "run",
                             replications=2))


def test_a_small_scenario_is_drawn_in_millions_not_thousandths_of_billions(
    teaching: RunFolder,
) -> None:
    ax = plots.plot_capacity(teaching)
    assert ax.get_ylabel() == "USD millions per month"
    assert 1.0 <= ax.get_ylim()[1] <= 10.0  # $3M a month: ticks 0..3, not 0..0.003
    markets = plots.plot_markets(teaching)
    assert markets.get_xlabel().startswith("USD millions over the horizon")
    overlay = compare_plots.plot_overlay([teaching, teaching], "capacity_usd")
    assert overlay.get_ylabel() == "USD millions per month"
    bars = compare_plots.plot_markets_compare([teaching, teaching])
    assert bars.get_xlabel().startswith("USD millions over the horizon")


def test_the_teaching_report_prints_money_in_millions_and_thousands(teaching: RunFolder) -> None:
    """The scenario students start from: no ``$0.00B``, no ``$-0.00B``, no negative zero."""
    from sim.report.run_report import write_report

    html = write_report(teaching.path).read_text(encoding="utf-8")
    amounts = re.findall(r"[-+]?\$[-0-9.,]+[BMK]?", html)
    assert amounts and any(a.endswith("M") for a in amounts)
    assert not [a for a in amounts if a.endswith("B")], amounts
    assert not [a for a in amounts if re.fullmatch(r"[-+]\$0(\.0+)?[BMK]?|\$-.*", a)], amounts
