"""sim.report.compare_plots: charts of several runs at once."""

from __future__ import annotations

import pytest

from sim.report import compare_plots
from sim.results.read import RunFolder


def test_overlay_draws_one_line_per_run_and_refuses_unknown_series(run: RunFolder) -> None:
    ax = compare_plots.plot_overlay([run, run], "export_usd", labels=["a", "b"])
    assert [line.get_label() for line in ax.patches if line.get_label() in ("a", "b")] == ["a", "b"]
    with pytest.raises(ValueError, match="no run has"):
        compare_plots.plot_overlay([run], "no_such_metric")
