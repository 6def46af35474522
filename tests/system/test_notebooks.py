"""The notebooks run in a real Jupyter kernel: ``examples/budget.ipynb`` and the API's display.

Each notebook is executed by nbclient in a kernel of this interpreter (a kernel spec
written for the test, so no installed ``python3`` kernel is needed), with the
notebook's folder as the working directory, as Jupyter runs it. Replication counts
are set small and runs use one worker process, to keep the test to seconds.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import REPO

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("ipywidgets")

KERNEL = "defsim-test"


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec that starts ``sys.executable``: the interpreter running the tests."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "defsim tests", "language": "python"}), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    return KERNEL


def execute(notebook: Any, cwd: Path, kernel: str) -> Any:
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name=kernel,
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return notebook


def outputs(cell: Any, mime: str = "text/plain") -> str:
    """Everything a cell showed: streams and the ``mime`` part of displays and results."""
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif mime in out.get("data", {}):
            parts.append(out["data"][mime])
    return "\n".join(parts)


@pytest.mark.slow
def test_budget_notebook_shows_paired_differences_against_the_base(kernel: str) -> None:
    notebook = nbformat.read(REPO / "examples" / "budget.ipynb", as_version=4)
    settings = notebook.cells[1]
    assert "REPLICATIONS = " in settings.source and "WORKERS = " in settings.source
    settings.source = re.sub(r"REPLICATIONS = \d+", "REPLICATIONS = 4", settings.source)
    settings.source = re.sub(r"WORKERS = \w+", "WORKERS = 1", settings.source)
    execute(notebook, REPO / "examples", kernel)
    cells = [c for c in notebook.cells if c.cell_type == "code"]
    base = next(c for c in cells if "base = simulate(" in c.source)
    assert "replications 4/4" in outputs(base), "simulate shows its progress in the notebook"
    html = outputs(base, "text/html")
    assert "exports / surplus" in html and len(html) < 5_000
    differences = next(c for c in cells if "def difference" in c.source)
    assert outputs(differences, "image/png"), "the differences chart is drawn in the cell"
    shown = outputs(differences)
    assert "paired differences (common random numbers" in shown
    for label in ("exports (domestic prices)", "exports / surplus", "firms that exited"):
        assert re.search(rf"{re.escape(label)}: \S+ in the base, [^(]+ \(95% CI ", shown), label
    slider = next(c for c in cells if "FloatSlider" in c.source)
    views = [o for o in slider.outputs if "application/vnd.jupyter.widget-view+json" in
             o.get("data", {})]
    assert len(views) == 2, "the slider and its output area are widgets"
