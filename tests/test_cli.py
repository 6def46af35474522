"""The command line: what it writes, what it refuses, its exit codes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from builders import write_scenario
from helpers import defsim


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    return write_scenario(tmp_path)


def test_run_writes_the_complete_run_folder(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    ran = defsim("run", tiny_file, "-n", "3", "--workers", "1", "--out", out)
    assert ran.code == 0, ran.err
    for name in (
        "scenario.yaml",
        "manifest.json",
        "summary.json",
        "replications.csv",
        "monthly.csv",
    ):
        assert (out / name).is_file(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 3
    assert set(summary["metrics"]) >= {"absorption_share", "firms_bankrupt", "mean_days_to_licence"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 11 and manifest["stop"]["reason"] == "fixed"
    assert "absorption_share" in ran.out and str(out) in ran.out
    assert not list(tmp_path.glob(".run.partial-*"))


def test_target_halfwidth_adds_replications_until_reached(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    ran = defsim(
        "run",
        tiny_file,
        "-n",
        "3",
        "--workers",
        "1",
        "--out",
        out,
        "--quiet",
        "--target-halfwidth",
        "0.02",
        "--max-replications",
        "40",
    )
    assert ran.code == 0, ran.err
    manifest = json.loads((out / "manifest.json").read_text())
    stop = manifest["stop"]
    assert stop["reason"] in {"target_reached", "max_replications"}
    assert stop["replications"] == manifest["replications"]
    if stop["reason"] == "target_reached":
        assert stop["halfwidth"] <= 0.02
    else:
        assert manifest["replications"] == 40


def test_each_run_gets_its_own_default_folder_and_leaves_the_others_alone(
    tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``results/NAME/TIME``; a run of a saved run's scenario.yaml makes a second one."""
    monkeypatch.chdir(tmp_path)

    def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
        return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in [folder, *folder.rglob("*")]}

    assert defsim("run", tiny_file, "--quiet", "-n", "2", "--workers", "1").code == 0
    (first,) = (tmp_path / "results" / "tiny").iterdir()
    before = snapshot(first)
    again = defsim("run", first / "scenario.yaml", "--quiet", "-n", "2", "--workers", "1")
    assert again.code == 0, again.err
    assert snapshot(first) == before
    assert len(list((tmp_path / "results" / "tiny").iterdir())) == 2


def test_sensitivity_without_salib_names_the_extra(
    tiny_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's first set-up installs no extras: one line saying which to add, exit 1."""
    monkeypatch.setitem(sys.modules, "SALib", None)  # import SALib now fails, as if absent
    out = tmp_path / "sa"
    ran = defsim("sensitivity", tiny_file, "--vary", "procurement.budget_usd=1e8:1e9",
                 "--out", out, "--workers", "1")
    assert ran.code == 1
    assert ran.err.strip().count("\n") == 0, ran.err
    assert "pip install -e '.[sensitivity]'" in ran.err and "SALib" in ran.err
    assert "Traceback" not in ran.err and not out.exists()


def test_target_halfwidth_missed_says_so(tiny_file: Path, tmp_path: Path) -> None:
    """A cap that stops the run short of its target: a warning line, exit 0, folder written."""
    out = tmp_path / "run"
    ran = defsim("run", tiny_file, "-n", "3", "--workers", "1", "--out", out, "--quiet",
                 "--target-halfwidth", "1e-9", "--max-replications", "5")
    assert ran.code == 0, ran.err
    stop = json.loads((out / "manifest.json").read_text())["stop"]
    assert stop["reason"] == "max_replications" and stop["replications"] == 5
    warning = [line for line in ran.err.splitlines() if "warning" in line]
    assert len(warning) == 1, ran.err
    assert "absorption_share" in warning[0] and "after 5 replications" in warning[0]
    assert f"{stop['halfwidth']:.4g}" in warning[0] and "1e-09" in warning[0]
    reached = defsim("run", tiny_file, "-n", "3", "--workers", "1", "--out", tmp_path / "ok",
                     "--quiet", "--target-halfwidth", "1", "--max-replications", "5")
    assert reached.code == 0 and "warning" not in reached.err
