"""The command line: what it writes, what it refuses, its exit codes."""

from __future__ import annotations

import json
import os
import stat
import sys
from importlib import metadata
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


def test_run_names_its_report_and_says_money_is_a_horizon_total(tmp_path: Path) -> None:
    """A 36-month total is not a yearly figure: the table says so and divides by the years."""
    scenario = write_scenario(tmp_path, months=36)
    out = tmp_path / "run"
    ran = defsim("run", scenario, "-n", "2", "--workers", "1", "--out", out)
    assert ran.code == 0, ran.err
    lines = ran.out.splitlines()
    assert lines[-1] == str(out)  # scripts read the folder from the last line
    assert f"report: {out / 'report.html'}" in lines
    assert "USD: totals over 36 months; per year = total / 3" in ran.out
    assert "per year" in ran.out
    assert "1 replications" not in defsim("run", scenario, "-n", "1", "--workers", "1",
                                          "--out", tmp_path / "one").out


def test_progress_says_it_is_starting_instead_of_0_of_unknown() -> None:
    """While the engine compiles (no replication done yet) the line says why nothing moves."""
    from rich.console import Console
    from rich.progress import Progress

    from sim.cli import STARTING, progress_columns

    console = Console(record=True, width=100, force_terminal=False)
    with Progress(*progress_columns(), console=console, auto_refresh=False) as bar:
        task = bar.add_task(STARTING, total=None)
        console.print(bar.make_tasks_table(bar.tasks))
        bar.update(task, completed=0, total=20)
        console.print(bar.make_tasks_table(bar.tasks))
        bar.update(task, completed=3, total=20, description="replications")
        console.print(bar.make_tasks_table(bar.tasks))
    first, second, third = console.export_text().splitlines()[:3]
    assert "compiles the engine" in first and "0/?" not in first
    assert "0/20" not in second and "compiles" in second
    assert "3/20" in third


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750), (0o077, 0o700)])
def test_run_folder_follows_the_umask(tiny_file: Path, tmp_path: Path, umask: int,
                                      mode: int) -> None:
    """Colleagues on a shared server open a run folder as they open the user's other folders."""
    out = tmp_path / "run"
    old = os.umask(umask)
    try:
        ran = defsim("run", tiny_file, "-n", "2", "--workers", "1", "--out", out, "--quiet")
    finally:
        os.umask(old)
    assert ran.code == 0, ran.err
    for folder in (out, out / "plots"):
        assert stat.S_IMODE(folder.stat().st_mode) == mode, folder
    assert stat.S_IMODE((out / "report.html").stat().st_mode) == 0o666 & ~umask


def test_manifest_records_the_compiler_versions(tiny_file: Path, tmp_path: Path) -> None:
    """The engine is compiled by numba on llvmlite: both can change results, both are recorded."""
    out = tmp_path / "run"
    assert defsim("run", tiny_file, "-n", "2", "--workers", "1", "--out", out, "--quiet").code == 0
    packages = json.loads((out / "manifest.json").read_text())["packages"]
    assert packages["numba"] == metadata.version("numba")
    assert packages["llvmlite"] == metadata.version("llvmlite")


def test_unknown_command_points_at_defsim_help() -> None:
    ran = defsim("frobnicate")
    assert ran.code == 2
    assert ran.err.strip() == "defsim: No such command 'frobnicate'. (see 'defsim --help')"
    assert "(see 'defsim run --help')" in defsim("run", "--bogus").err


def _commands() -> list[str]:
    from sim.cli import cli

    return sorted(cli.list_commands(None))  # type: ignore[arg-type]


@pytest.mark.parametrize("command", [None, *_commands()])
def test_every_help_has_examples_that_name_real_files(command: str | None) -> None:
    from helpers import REPO

    shown = defsim(*([command] if command else []), "--help")
    assert shown.code == 0
    examples = shown.out.split("Examples:\n", 1)
    assert len(examples) == 2, f"defsim {command or ''} --help has no examples"
    lines = [line.strip() for line in examples[1].splitlines() if line.startswith("    ")]
    assert lines and all(line.startswith(("defsim ", "pip ", "eval ")) for line in lines), lines
    for line in lines:
        for word in line.split():
            if word.startswith("scenarios/") and word.endswith(".yaml") and "*" not in word:
                assert (REPO / word).is_file() or "budget-cut" in word, word


def test_shell_completion_as_documented() -> None:
    """README: eval "$(_DEFSIM_COMPLETE=bash_source defsim)"; then 'defsim ne<TAB>' is 'new'."""
    import subprocess

    entry = [sys.executable, "-c", "from sim.cli import main; main()"]
    script = subprocess.run(entry, env={**os.environ, "_DEFSIM_COMPLETE": "bash_source"},
                            capture_output=True, text=True, check=True, timeout=60)
    assert "_defsim_completion" in script.stdout and "complete " in script.stdout
    words = {**os.environ, "_DEFSIM_COMPLETE": "bash_complete", "COMP_WORDS": "defsim ne",
             "COMP_CWORD": "1"}
    done = subprocess.run(entry, env=words, capture_output=True, text=True, check=True,
                          timeout=60)
    assert done.stdout.split() == ["plain,new"]
