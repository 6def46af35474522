"""sim.analysis.sensitivity.plots: tornado charts people can read, saying which run."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
from builders import morris_result

from sim.analysis.sensitivity import plots
from sim.metrics import label_of


def test_tornado_is_large_labelled_in_words_and_names_the_run(tmp_path: Path) -> None:
    result = morris_result()
    ax = plots.plot_indices(result, "absorption_share")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "procurement › budget" in labels and not any("." in t for t in labels)
    assert label_of("absorption_share") in ax.get_xlabel()
    written = plots.write_indices_plots(tmp_path, result, ["absorption_share"],
                                        "tiny · 4 evaluations x 2 replications")
    height, width = matplotlib.image.imread(written[0]).shape[:2]
    assert width >= 1200 and height >= 400
