"""The saved run whose charts the report tests draw: every chart has data (``EVERY_CHART``).

One run for all of ``tests/report/`` (session scope, seen only here); no test changes it.
"""

from __future__ import annotations

import pytest
from builders import EVERY_CHART, write_scenario
from helpers import save_run

from sim.results.read import RunFolder, read_run


@pytest.fixture(scope="session")
def run(tmp_path_factory: pytest.TempPathFactory) -> RunFolder:
    folder = tmp_path_factory.mktemp("plots")
    return read_run(save_run(write_scenario(folder, **EVERY_CHART), folder / "run"))
