"""sim.report.compare_plots: charts of several runs at once."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure

from sim.metrics import label_of
from sim.report import compare_plots
from sim.report.charts import COLOURS, RUN_COLOURS
from sim.results.read import RunFolder
from sim.stats import Difference, Estimate


def test_overlay_draws_one_line_per_run_and_refuses_unknown_series(run: RunFolder) -> None:
    ax = compare_plots.plot_overlay([run, run], "export_usd", labels=["a", "b"])
    assert [line.get_label() for line in ax.patches if line.get_label() in ("a", "b")] == ["a", "b"]
    with pytest.raises(ValueError, match="no run has"):
        compare_plots.plot_overlay([run], "no_such_metric")


def test_run_colours_are_not_the_colours_of_exports_or_domestic_orders() -> None:
    def rgb(colour: str) -> np.ndarray:
        return np.array(to_rgb(colour))

    quantities = [rgb(COLOURS[k]) for k in ("export", "domestic", "surplus", "idle")]
    for colour in RUN_COLOURS:
        assert min(np.abs(rgb(colour) - q).sum() for q in quantities) > 0.3, colour


def _difference(metric: str, mean: float, half: float) -> Difference:
    est = Estimate(mean, half, mean - half, mean + half, 10)
    return Difference(metric, 1, "budget", "paired", est, 100.0)


def test_differences_stay_readable_when_one_metric_moves_by_280_percent() -> None:
    """Each metric on its own scale: a +2% change is not a dot beside a +280% one."""
    differences = [_difference("export_usd", 280.0, 30.0), _difference("domestic_usd", 2.0, 1.0),
                   _difference("capacity_usd", -1.0, 0.5)]
    drawn = compare_plots.plot_differences(differences)
    fig = drawn if isinstance(drawn, Figure) else drawn.get_figure()
    assert isinstance(fig, Figure)
    for d in differences[1:]:
        label = label_of(d.metric)
        rows = [a for a in fig.axes if a.get_ylabel().replace("\n", " ") == label]
        ax = rows[0] if rows else fig.axes[0]
        low, high = ax.get_xlim()
        assert 2 * d.estimate.halfwidth / (high - low) > 0.2, f"{label}: interval is a dot"
        assert low <= 0 <= high, "zero stays in view"


def test_every_comparison_chart_names_the_runs_and_their_replications(
    run: RunFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compare_plots, "render", lambda stem, title, draw, fmt: draw())
    differences = [_difference("export_usd", 5.0, 1.0)]
    figures = compare_plots.render_compare_plots([run, run], ["a", "b"], differences)
    for fig in figures:
        assert f"a: {run.name} · {run.replication_count} replications" in fig.get_suptitle()
