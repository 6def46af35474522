"""Explorations over whole runs: a closed-form answer, common random numbers, policies,
and the same bytes whatever runs the replications."""

from __future__ import annotations

import csv
import json
import signal
import subprocess
import time
from pathlib import Path

import pytest
from builders import CAP_LIMITED, closed_form_absorption, write_scenario
from helpers import as_if_at_a_terminal, defsim

SAMPLES = 12


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("explore")
    scenario = write_scenario(root, "cap.yaml",
                              **{**CAP_LIMITED, "licensing.approval_rate": {"default": 0.5}})
    out = root / "experiment"
    done = defsim("explore", scenario, "--samples", SAMPLES, "-n", 2, "--workers", 1, "--quiet",
                  "--policy", "null:procurement.tranche=monthly",
                  "--policy", "approve_all:licensing.approval_rate.default=1.0",
                  "--out", out)
    assert done.code == 0, done.err
    return out


def _rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "experiments.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_the_folder_holds_every_file(folder: Path) -> None:
    for name in ("experiments.csv", "summary.json", "manifest.json", "scenario.yaml",
                 "report.html", "plots/futures_export_usd.png", "plots/variance_shares.png",
                 "plots/policies.png"):
        assert (folder / name).stat().st_size > 0, name
    assert len(_rows(folder)) == SAMPLES * 3
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"] == "explore" and manifest["futures"] == SAMPLES
    report = (folder / "report.html").read_text(encoding="utf-8")
    assert "approve_all: better than the base in most futures on export_usd" in report
    assert report.count("data:image/png;base64,") == 7


def test_explore_reproduces_the_closed_form_at_every_sampled_point(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, "cap.yaml", **CAP_LIMITED)
    done = defsim("explore", scenario, "--samples", 10, "-n", 2, "--workers", 1, "--quiet",
                  "--out", tmp_path / "x")
    assert done.code == 0, done.err
    rows = _rows(tmp_path / "x")
    assert len(rows) == 10
    for row in rows:
        cap = float(row["licensing.export_cap_share"])
        assert float(row["absorption_share_mean"]) == pytest.approx(closed_form_absorption(cap),
                                                                    rel=1e-9)
    summary = json.loads((tmp_path / "x" / "summary.json").read_text(encoding="utf-8"))
    shares = summary["outcomes"]["base"]["absorption_share"]["variance_share"]
    assert shares["assumptions"] == pytest.approx(1.0) and shares["noise"] < 1e-12


def test_a_policy_that_changes_nothing_gains_exactly_zero_in_every_future(folder: Path) -> None:
    rows = _rows(folder)
    base = {r["future"]: r for r in rows if r["policy"] == "base"}
    null = [r for r in rows if r["policy"] == "null"]
    outcomes = [c for c in rows[0] if c.endswith("_mean")]
    for row in null:
        assert [row[c] for c in outcomes] == [base[row["future"]][c] for c in outcomes]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for outcome, policies in summary["comparison"].items():
        gain = policies["null"]["gain"]
        assert (gain["mean"], gain["ci_low"], gain["ci_high"]) == (0.0, 0.0, 0.0), outcome
        assert policies["null"]["share_better"] == policies["null"]["share_worse"] == 0.0


def test_a_policy_built_to_help_beats_the_base_in_every_future(folder: Path) -> None:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    for outcome in ("export_usd", "absorption_share", "absorption_of_initial_surplus"):
        row = summary["comparison"][outcome]["approve_all"]
        assert row["share_better"] == 1.0, outcome
        assert row["gain"]["ci_low"] > 0
        assert row["max_regret"] == 0.0
    assert summary["comparison"]["export_usd"]["base"]["max_regret"] > 0


@pytest.mark.slow
def test_the_same_seed_gives_identical_folders_with_one_worker_two_and_dask(
    tmp_path: Path,
) -> None:
    distributed = pytest.importorskip("distributed")
    scenario = write_scenario(tmp_path, "tiny.yaml", **{
        "uncertainties": {
            "licensing.export_cap_share": {"uniform": [0.2, 1.0]},
            "procurement.allocation": {"choice": ["random", "pro_rata"]},
        },
    })
    args = ("explore", scenario, "--samples", 3, "-n", 2, "--quiet", "--seed", 4,
            "--policy", "open:licensing.commission.decisions_per_meeting=100")
    assert defsim(*args, "--workers", 1, "--out", tmp_path / "one").code == 0
    assert defsim(*args, "--workers", 2, "--out", tmp_path / "two").code == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  silence_logs=40) as cluster:
        done = defsim(*args, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "dask")
        assert done.code == 0, done.err
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*")
                   if p.is_file() and p.name != "manifest.json")
    assert len(files) >= 8
    for name in files:
        first = (tmp_path / "one" / name).read_bytes()
        assert first == (tmp_path / "two" / name).read_bytes(), name
        assert first == (tmp_path / "dask" / name).read_bytes(), name


@pytest.mark.parametrize(
    ("changes", "args", "message"),
    [
        ({}, (), "has no uncertainties: section to explore"),
        ({"uncertainties": {"markets.north.demand_usd.uav": {"uniform": [0.4e9, 1e12]},
                            "markets.north.order_usd": {"uniform": [1e6, 10e6]}}},
         (), "tiny: future "),
        ({"uncertainties": {"licensing.export_cap_share": {"uniform": [0.2, 1.0]}}},
         ("--policy", "p:licensing.export_cap_shar=1"), "did you mean 'export_cap_share'"),
        ({"uncertainties": {"licensing.export_cap_share": {"uniform": [0.2, 1.0]}}},
         ("--policy", "p:licensing.export_cap_share=2"), "--policy p: licensing.export_cap_share"),
    ],
    ids=["no-uncertainties", "futures-that-clash", "policy-path", "policy-value"],
)
def test_bad_explorations_exit_2_before_anything_runs(
    workdir: Path, changes: dict[str, object], args: tuple[str, ...], message: str
) -> None:
    scenario = write_scenario(workdir, "tiny.yaml", **changes)
    done = defsim("explore", scenario, "--samples", 20, "-n", 1, "--workers", 1, *args)
    assert done.code == 2, done.err
    assert message in done.err
    assert not (workdir / "results").exists()


def test_an_integer_field_takes_a_range_of_whole_numbers(tmp_path: Path) -> None:
    scenario = write_scenario(tmp_path, "tiny.yaml", uncertainties={
        "licensing.commission.decisions_per_meeting": {"uniform": [2.5, 30.4]},
    })
    done = defsim("explore", scenario, "--samples", 4, "-n", 1, "--workers", 1, "--quiet",
                  "--out", tmp_path / "x")
    assert done.code == 0, done.err
    values = [r["licensing.commission.decisions_per_meeting"] for r in _rows(tmp_path / "x")]
    assert all(v.isdigit() and 2 <= int(v) <= 30 for v in values), values


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 4.0])
def test_ctrl_c_mid_exploration_exits_130_and_leaves_nothing(workdir: Path, delay: float) -> None:
    """Interrupted while the futures are checked (delay 0) or while the pool runs them."""
    scenario = write_scenario(workdir.parent, "tiny.yaml", uncertainties={
        "licensing.export_cap_share": {"uniform": [0.2, 1.0]},
    })
    out = workdir / "experiment"
    proc = subprocess.Popen(
        ["defsim", "explore", str(scenario), "--samples", "300", "-n", "20", "--workers", "2",
         "--quiet", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=as_if_at_a_terminal,
    )
    deadline = time.monotonic() + 60
    while not list(workdir.glob(".experiment.partial-*")):
        assert proc.poll() is None and time.monotonic() < deadline, "never got under way"
        time.sleep(0.05)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip().startswith("defsim: interrupted")
    assert list(workdir.iterdir()) == []
