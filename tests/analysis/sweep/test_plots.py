"""sim.analysis.sweep.plots: charts people can read: large, in plain words, saying which run."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import pytest
from builders import TINY_SWEEP, make_scenario
from matplotlib.axes import Axes

from sim.analysis.sweep import parse_vary, run_sweep
from sim.analysis.sweep import plots as sweep_plots
from sim.metrics import KEY_METRICS, label_of


def test_sweep_charts_are_large_labelled_in_words_and_name_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lever = parse_vary("procurement.budget_usd=0.5e9:1e9:2")
    sweep = run_sweep(make_scenario(**TINY_SWEEP), [lever], replications=2, seed=3, workers=1)
    drawn: list[Axes] = []
    save = sweep_plots.save_png

    def keep(ax: Axes, path: Path) -> None:
        drawn.append(ax)
        save(ax, path)

    monkeypatch.setattr(sweep_plots, "save_png", keep)
    written = sweep_plots.write_sweep_plots(tmp_path, sweep)
    assert len(written) == len(KEY_METRICS) == len(drawn)
    height, width = matplotlib.image.imread(written[0]).shape[:2]
    assert width >= 1200 and height >= 700
    for metric, ax in zip(KEY_METRICS, drawn, strict=True):
        assert ax.get_ylabel().startswith(label_of(metric))
        assert "procurement.budget_usd" not in ax.get_xlabel() + ax.get_title()
        assert "budget" in ax.get_xlabel()
        title = ax.get_figure().get_suptitle()  # type: ignore[union-attr]
        assert "tiny-sweep" in title and "2 replications per point" in title
