"""sim.analysis.sensitivity.plots: tornado charts people can read, saying which run."""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import numpy as np

from sim.analysis.sensitivity import plots
from sim.analysis.sensitivity.indices import SensitivityResult
from sim.metrics import label_of


def _result() -> SensitivityResult:
    rows = [{"parameter": p, "mu_star": m, "mu_star_conf": m / 10, "sigma": m, "mu": m}
            for p, m in (("procurement.budget_usd", 0.2), ("licensing.approval_rate.uav", 0.05))]
    return SensitivityResult("morris", [r["parameter"] for r in rows], [(0, 1), (0, 1)],
                             np.zeros((4, 2)), {"absorption_share": np.zeros(4)},
                             {"absorption_share": rows})


def test_tornado_is_large_labelled_in_words_and_names_the_run(tmp_path: Path) -> None:
    result = _result()
    ax = plots.plot_indices(result, "absorption_share")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "procurement › budget" in labels and not any("." in t for t in labels)
    assert label_of("absorption_share") in ax.get_xlabel()
    written = plots.write_indices_plots(tmp_path, result, ["absorption_share"],
                                        "tiny · 4 evaluations x 2 replications")
    height, width = matplotlib.image.imread(written[0]).shape[:2]
    assert width >= 1200 and height >= 400
