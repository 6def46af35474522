"""The package's layers: imports run one way, as the import-linter contracts in pyproject.toml say.

``lint-imports`` (import-linter, in the ``test`` extra) checks that each layer of
``sim`` imports only the layers below it, lazy and ``TYPE_CHECKING`` imports
included, and that no package has an import circle between its modules.
"""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO

LINT = "import sys; from importlinter.cli import lint_imports_command as c; sys.exit(c())"


def test_every_import_contract_is_kept() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LINT, "--no-cache", "--no-logo", "pyproject.toml"],
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_engine_does_not_import_the_layers_above_it() -> None:
    import grimp

    graph = grimp.build_graph("sim")
    above = ("sim.cli", "sim.analysis", "sim.api", "sim.report", "sim.results", "sim.run")
    for module in graph.find_descendants("sim.model") | {"sim.model"}:
        imported = graph.find_modules_directly_imported_by(module)
        assert not [m for m in imported if m.startswith(above)], module
