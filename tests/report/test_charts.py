"""sim.report.charts: a figure as PNG, SVG or PDF bytes, and nothing else."""

from __future__ import annotations

import pytest

from sim.report import charts, plots
from sim.results.read import RunFolder


@pytest.mark.parametrize(("fmt", "magic"),
                         [("png", b"\x89PNG"), ("svg", b"<?xml"), ("pdf", b"%PDF")])
def test_formats(run: RunFolder, fmt: str, magic: bytes) -> None:
    assert charts.figure_bytes(charts.figure_of(plots.plot_firms(run)), fmt).startswith(magic)
    with pytest.raises(ValueError, match="unknown format"):
        charts.figure_bytes(charts.figure_of(plots.plot_firms(run)), "gif")
