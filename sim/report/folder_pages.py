"""Pieces of the pages of sweep and sensitivity folders, shared with the run report's look.

A sweep or a sensitivity analysis writes its charts to ``plots/`` first; its
``report.html`` embeds them from there, so the page and the files are the same
images, and a page opens from disk like a run's.
"""

from __future__ import annotations

from pathlib import Path

from sim.report.charts import Rendered
from sim.report.html import plots_section

__all__ = ["folder_plots_section"]


def folder_plots_section(plots: Path, titles: dict[str, str] | None = None) -> str:
    """Every PNG of ``plots`` embedded in file order, captioned by ``titles[stem]`` or its stem."""
    rendered = []
    for path in sorted(plots.glob("*.png")):
        data = path.read_bytes()
        title = (titles or {}).get(path.stem, path.stem.replace("_", " "))
        rendered.append(Rendered(path.stem, title, "png", data, data))
    return plots_section(rendered)
