"""sim.report.plots: each chart of a saved run draws a non-empty image and refuses missing data
clearly."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics import series_label
from sim.report import charts, plots
from sim.results.read import Monthly, RunFolder

AXES_PLOTS: list[Callable[[RunFolder], Axes]] = [
    plots.plot_capacity, plots.plot_absorption, plots.plot_firms, plots.plot_licences,
    plots.plot_markets,
]


def _figure(ax: Axes) -> Figure:
    fig = ax.get_figure()
    assert isinstance(fig, Figure)
    return fig


def _assert_drawn(fig: Figure) -> None:
    png = charts.figure_bytes(fig, "png")
    assert png.startswith(b"\x89PNG")
    pixels = matplotlib.image.imread(io.BytesIO(png))
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert float(np.std(pixels[..., :3])) > 0.05, "image is (nearly) blank"


def _without(run: RunFolder, drop: Callable[[str, str], bool]) -> RunFolder:
    m = run.monthly
    kept = {key: v for key, v in m.values.items() if not drop(*key)}
    return dataclasses.replace(run, monthly=Monthly(m.months, m.stats, kept))


@pytest.mark.parametrize("plot", AXES_PLOTS, ids=lambda f: f.__name__)
def test_each_plot_draws_a_titled_labelled_image(run: RunFolder,
                                                 plot: Callable[[RunFolder], Axes]) -> None:
    ax = plot(run)
    assert ax.get_title() and ax.get_xlabel()
    assert ax.get_legend() is not None
    _assert_drawn(_figure(ax))


@pytest.mark.parametrize("plot", AXES_PLOTS, ids=lambda f: f.__name__)
def test_each_plot_draws_into_a_given_axes(run: RunFolder,
                                           plot: Callable[[RunFolder], Axes]) -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plot(run, ax) is ax  # type: ignore[call-arg]


def test_capacity_by_sector_has_one_panel_per_sector(run: RunFolder) -> None:
    fig = plots.plot_capacity_by_sector(run)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [s.replace("_", " ") for s in run.sectors]
    _assert_drawn(fig)


@pytest.mark.parametrize(("plot", "metric"), [
    (plots.plot_capacity, "idle_usd"),
    (plots.plot_absorption, "absorption_share"),
    (plots.plot_firms, "firms_bankrupt"),
    (plots.plot_licences, "queue_length"),
])
def test_a_missing_series_raises_value_error_naming_it(
        run: RunFolder, plot: Callable[[RunFolder], Axes], metric: str) -> None:
    with pytest.raises(ValueError, match=metric):
        plot(_without(run, lambda _, m: m == metric))


def test_a_series_without_values_raises(run: RunFolder) -> None:
    m = run.monthly
    values = dict(m.values)
    values["all", "export_usd"] = np.full_like(values["all", "export_usd"], np.nan)
    with pytest.raises(ValueError, match="no values of 'export_usd'"):
        plots.plot_capacity(dataclasses.replace(run, monthly=Monthly(m.months, m.stats, values)))


def test_markets_and_sectors_missing_raise(run: RunFolder) -> None:
    with pytest.raises(ValueError, match="no export markets"):
        plots.plot_markets(_without(run, lambda g, _: g.startswith("market:")))
    with pytest.raises(ValueError, match="no sector series"):
        plots.plot_capacity_by_sector(_without(run, lambda g, _: g != "all" and ":" not in g))


def test_one_colour_per_quantity_across_charts(run: RunFolder) -> None:
    def colours(ax: Axes) -> set[str]:
        return {matplotlib.colors.to_hex(p.get_facecolor()) for p in ax.patches}

    export = charts.COLOURS["export"]
    assert export in colours(plots.plot_capacity(run))
    assert export in colours(plots.plot_markets(run))


def test_render_run_plots_reports_what_it_could_not_draw(run: RunFolder, tmp_path: Path) -> None:
    rendered = plots.render_run_plots(_without(run, lambda g, _: g.startswith("market:")))
    by_stem = {r.stem: r for r in rendered}
    assert by_stem["export_markets"].data is None
    assert "no export markets" in (by_stem["export_markets"].error or "")
    assert all(r.data for r in rendered if r.stem != "export_markets")


def test_the_surplus_is_outlined_above_the_domestic_block_not_inside_it(run: RunFolder) -> None:
    """Capacity − domestic spans from the top of domestic orders up to capacity."""
    ax = plots.plot_capacity(run)
    outline = next(p for p in ax.patches if p.get_label() == series_label("surplus_usd"))
    data = outline.get_data()
    scale, _ = charts.usd_scale(charts.series(run, "all", "capacity_usd"))  # the axis's unit
    domestic = charts.series(run, "all", "domestic_usd") / scale
    capacity = charts.series(run, "all", "capacity_usd") / scale
    assert data.baseline is not None and np.allclose(data.baseline, domestic)
    assert np.allclose(data.values, capacity)


def test_every_run_chart_names_the_scenario_and_its_replications(
    run: RunFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plots, "render", lambda stem, title, draw, fmt: draw())
    figures = plots.render_run_plots(run)
    caption = f"{run.name} · {run.replication_count} replications · seed {run.seed}"
    assert len(figures) == 6
    for fig in figures:
        assert isinstance(fig, Figure) and caption in fig.get_suptitle()
