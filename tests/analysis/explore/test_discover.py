"""Scenario discovery on an experiment folder: PRIM finds the closed-form threshold."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from builders import CAP_LIMITED, closed_form_absorption, write_scenario
from helpers import defsim

from sim.analysis.explore.discover import _choose

SAMPLES = 30
BELOW = 0.4
THRESHOLD_CAP = BELOW / closed_form_absorption(1.0)
"""The export cap below which absorption_share is below ``BELOW``: 0.436."""


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("discover")
    scenario = write_scenario(root, "cap.yaml", **CAP_LIMITED)
    out = root / "experiment"
    done = defsim("explore", scenario, "--samples", SAMPLES, "-n", 1, "--workers", 1,
                  "--quiet", "--out", out)
    assert done.code == 0, done.err
    return out


def test_discover_restricts_the_one_field_that_matters_at_the_closed_form_threshold(
    folder: Path,
) -> None:
    done = defsim("discover", folder, "--metric", "absorption_share", "--below", BELOW)
    assert done.code == 0, done.err
    found = json.loads((folder / "discovery.json").read_text(encoding="utf-8"))
    assert [row["uncertainty"] for row in found["limits"]] == ["licensing.export_cap_share"]
    with (folder / "experiments.csv").open(encoding="utf-8") as file:
        caps = sorted(float(r["licensing.export_cap_share"]) for r in csv.DictReader(file))
    inside = max(c for c in caps if c < THRESHOLD_CAP)
    outside = min(c for c in caps if c > THRESHOLD_CAP)
    assert inside <= found["limits"][0]["high"] < outside
    assert found["box"]["coverage"] == 1.0 and found["box"]["density"] == 1.0
    assert found["ranking"][0]["uncertainty"] == "licensing.export_cap_share"
    assert found["ranking"][0]["pawn_median"] > found["ranking"][0]["noise"]
    assert "in 100% of futures where licensing.export_cap_share <= 0.4" in done.out
    for chart in ("discover_peeling", "discover_box", "discover_ranking"):
        assert (folder / "plots" / f"{chart}.png").stat().st_size > 0


def test_a_second_discovery_is_refused_unless_it_goes_to_a_new_folder(folder: Path) -> None:
    if not (folder / "discovery.json").exists():
        assert defsim("discover", folder, "--metric", "export_usd", "--above", 5e8).code == 0
    before = (folder / "discovery.json").read_bytes()
    again = defsim("discover", folder, "--metric", "absorption_share", "--above", 0.5)
    assert again.code == 2 and "exists" in again.err
    assert (folder / "discovery.json").read_bytes() == before
    elsewhere = folder.parent / "other"
    done = defsim("discover", folder, "--metric", "export_usd", "--above", 5e8,
                  "--out", elsewhere)
    assert done.code == 0, done.err
    assert (elsewhere / "discovery.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--metric", "absorption_share"), "exactly one of --below"),
        (("--metric", "absorption_share", "--below", 1, "--above", 0), "exactly one of --below"),
        (("--metric", "absorption", "--below", 0.5), "not an outcome"),
        (("--metric", "absorption_share", "--below", 0.0), "nothing to discover"),
        (("--metric", "absorption_share", "--below", 0.5, "--policy", "open"), "not in this"),
    ],
)
def test_bad_discover_options_exit_2_in_one_line(
    folder: Path, args: tuple[object, ...], message: str
) -> None:
    done = defsim("discover", folder, *args, "--out", folder.parent / "never")
    assert done.code == 2 and message in done.err
    assert len(done.err.strip().splitlines()) == 1
    assert not (folder.parent / "never").exists()


def test_a_folder_that_is_not_an_experiment_is_bad_input(tmp_path: Path) -> None:
    done = defsim("discover", tmp_path, "--metric", "absorption_share", "--below", 0.5)
    assert done.code == 2 and "not an experiment folder" in done.err


def test_the_box_chosen_is_the_densest_that_keeps_enough_cases_then_the_widest() -> None:
    trajectory = [
        {"coverage": 1.0, "density": 0.3},
        {"coverage": 0.95, "density": 0.6},
        {"coverage": 0.9, "density": 0.6},
        {"coverage": 0.7, "density": 0.9},
    ]
    assert _choose(trajectory, 0.8) == 1
    assert _choose(trajectory, 0.5) == 3
    assert _choose(trajectory, 1.0) == 0


def test_restrictions_that_are_not_significant_are_dropped_from_the_box() -> None:
    """Cases where ``a < 0.3``, one label in ten flipped, six uncertainties that do not
    matter: PRIM's densest box also peels some of them; their quasi-p-values drop them."""
    import pandas as pd

    from sim.analysis.explore.discover import _prim

    rng = np.random.default_rng(3)
    x = pd.DataFrame({f"noise{i}": rng.uniform(size=300) for i in range(6)})
    x["a"] = rng.uniform(size=300)
    cases = (x["a"] < 0.3).to_numpy() ^ (rng.uniform(size=300) < 0.1)
    *_, kept_all = _prim(x, cases, 0.5, 1.0)
    assert len(kept_all) > 1, "the densest box peels noise too: the test would prove nothing"
    _, _, box, dropped, limits = _prim(x, cases, 0.5, 0.05)
    assert [row["uncertainty"] for row in limits] == ["a"]
    assert limits[0]["high"] == pytest.approx(0.3, abs=0.05)
    assert set(dropped) == {row["uncertainty"] for row in kept_all} - {"a"}
    assert box["restricted"] == 1


@pytest.mark.parametrize("futures", [12, 40, 60, 90, 95, 100, 500])
def test_pawn_ranks_any_number_of_futures(futures: int) -> None:
    """SALib's PAWN fails for 6 and 9 slices (its quantile grid ends past 1): 60 and 90
    futures used to ask for those."""
    import pandas as pd

    from sim.analysis.explore.discover import _ranking
    from sim.analysis.explore.files import ExperimentTable

    rng = np.random.default_rng(futures)
    x = pd.DataFrame({"a": rng.uniform(size=futures), "b": rng.uniform(size=futures)})
    table = ExperimentTable(Path(), {}, ("a", "b"), (), [])
    ranking = _ranking(table, x, x["a"].to_numpy() + 0.1 * rng.uniform(size=futures))
    assert ranking[0]["uncertainty"] == "a"
