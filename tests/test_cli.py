"""The command line: what it writes, what it refuses, its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from builders import scenario_dict

from sim.cli import main


def _cli(*args: str) -> int:
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
        raise SystemExit(0)
    return int(exit_.value.code or 0)


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(scenario_dict()))
    return path


def test_run_writes_the_complete_run_folder(
    tiny_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert _cli("run", str(tiny_file), "-n", "3", "--workers", "1", "--out", str(out)) == 0
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
    printed = capsys.readouterr().out
    assert "absorption_share" in printed and str(out) in printed
    assert not list(tmp_path.glob(".run.partial-*"))


def test_run_refuses_a_non_empty_out_and_leaves_it_alone(
    tiny_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert _cli("run", str(tiny_file), "-n", "1", "--out", str(out)) == 2
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert "exists and is not empty" in capsys.readouterr().err


def test_validate_bad_budget_exits_2_with_one_line(
    tiny_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tiny_file.read_text().replace("budget_usd: 900000000.0", "budget_usd: -5")
    tiny_file.write_text(text)
    assert _cli("validate", str(tiny_file)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and ": procurement.budget_usd: " in err[0]
    assert "Traceback" not in err[0]


def test_target_halfwidth_adds_replications_until_reached(tiny_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    code = _cli(
        "run",
        str(tiny_file),
        "-n",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--target-halfwidth",
        "0.02",
        "--max-replications",
        "40",
    )
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    stop = manifest["stop"]
    assert stop["reason"] in {"target_reached", "max_replications"}
    assert stop["replications"] == manifest["replications"]
    if stop["reason"] == "target_reached":
        assert stop["halfwidth"] <= 0.02
    else:
        assert manifest["replications"] == 40


def test_bad_option_exits_2(tiny_file: Path) -> None:
    assert _cli("run", str(tiny_file), "--workers", "0") == 2
    assert _cli("frobnicate") == 2
