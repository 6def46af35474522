"""Faults: a run killed, interrupted, or losing a worker never leaves a folder that looks done.

Each signal test starts a real ``defsim run`` subprocess on the tiny scenario with
far more replications than it will finish, injects the fault once the run is under
way (its hidden ``.NAME.partial-*`` folder exists), and checks what is left. Faults
of the file system (a file in the way, a read-only folder, a full disk) need no
process of their own and run in this one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import write_scenario
from helpers import as_if_at_a_terminal, defsim

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc"),
]


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    return write_scenario(tmp_path, "faulty.yaml", name="faulty")


def start_run(scenario: Path, out: Path, *options: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["defsim", "run", str(scenario), "--out", str(out), "--quiet", "-n", "1000000", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_if_at_a_terminal,
    )


def wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[str], timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            err = proc.stderr.read() if proc.stderr else ""
            pytest.fail(f"defsim ended early ({proc.returncode}): {err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run never got under way")
        time.sleep(0.05)


def partials(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.partial-*"))


def descendants(pid: int) -> dict[int, int]:
    """Processes below ``pid``, with their depth (1 = child)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, int] = {}
    frontier = {pid: 0}
    while frontier:
        nxt = {child: depth + 1 for child, parent in parents.items()
               for p, depth in frontier.items() if parent == p}
        found.update(nxt)
        frontier = nxt
    return found


def finish(proc: subprocess.Popen[str], timeout: float = 60) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in descendants(proc.pid):
            _kill(pid)
        proc.kill()
        proc.communicate()
        pytest.fail("defsim hung")
    return proc.returncode, err


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def rerun_works(scenario: Path, out: Path) -> None:
    ran = defsim("run", scenario, "--out", out, "--quiet", "-n", "2", "--workers", "1")
    assert ran.code == 0, ran.err
    assert (out / "summary.json").is_file() and (out / "manifest.json").is_file()


def test_sigkill_mid_run_leaves_only_a_hidden_partial_and_a_rerun_works(
    scenario: Path, workdir: Path
) -> None:
    out = workdir / "run"
    proc = start_run(scenario, out, "--workers", "1")
    wait_for(lambda: bool(partials(out)), proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    code, _ = finish(proc)
    assert code == -signal.SIGKILL
    assert not out.exists()
    assert all(p.name.startswith(f".{out.name}.partial-") for p in workdir.iterdir())
    rerun_works(scenario, out)


@pytest.mark.parametrize(("workers", "delay"), [("1", 1.0), ("2", 0.0), ("2", 1.5)])
def test_sigint_mid_run_exits_130_and_leaves_nothing(
    scenario: Path, workdir: Path, workers: str, delay: float
) -> None:
    """Ctrl-C while the pool starts (delay 0) used to hang for ever; now it exits 130."""
    out = workdir / "run"
    proc = start_run(scenario, out, "--workers", workers)
    wait_for(lambda: bool(partials(out)), proc)
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert code == 130, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("defsim: interrupted")
    assert list(workdir.iterdir()) == []
    rerun_works(scenario, out)


def test_a_worker_dying_fails_the_run_in_one_line(scenario: Path, workdir: Path) -> None:
    out = workdir / "run"
    proc = start_run(scenario, out, "--workers", "2")
    wait_for(lambda: bool(partials(out)) and any(d == 2 for d in descendants(proc.pid).values()),
             proc)
    time.sleep(1.0)
    workers = [pid for pid, depth in descendants(proc.pid).items() if depth == 2]
    _kill(workers[0])
    code, err = finish(proc)
    assert code == 1, err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "defsim: a worker process died (killed, or out of memory?); no run folder was written"
    ]
    assert list(workdir.iterdir()) == []


def test_an_out_folder_below_a_file_is_a_clear_error(scenario: Path, workdir: Path) -> None:
    blocker = workdir / "results"
    blocker.write_text("not a folder\n", encoding="utf-8")
    for args in (["--out", str(blocker / "run")], []):
        ran = defsim("run", scenario, "--workers", "1", "-n", "1", *args)
        assert ran.code == 2, ran.err
        assert "cannot write here" in ran.err and "Traceback" not in ran.err
        assert len(ran.err.strip().splitlines()) == 1
    assert [p.name for p in workdir.iterdir()] == ["results"]
    assert blocker.read_text(encoding="utf-8") == "not a folder\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_a_read_only_results_folder_is_a_clear_error(scenario: Path, workdir: Path) -> None:
    results = workdir / "results"
    results.mkdir()
    results.chmod(0o555)
    try:
        ran = defsim("run", scenario, "--workers", "1", "-n", "1")
    finally:
        results.chmod(0o755)
    assert ran.code == 2, ran.err
    assert "cannot write here" in ran.err and "Traceback" not in ran.err
    assert list(results.iterdir()) == []


def test_a_full_disk_while_writing_is_a_clear_error_and_leaves_nothing(
    scenario: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sim.api import RunResult

    def disk_full(self: RunResult, folder: Path) -> None:
        (folder / "summary.json").write_text("{", encoding="utf-8")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(RunResult, "write_files", disk_full)
    ran = defsim("run", scenario, "-n", "1", "--workers", "1", "--quiet")
    assert ran.code == 2
    assert ran.err.strip().endswith("cannot write the run folder (No space left on device)")
    assert "Traceback" not in ran.err
    assert list(workdir.iterdir()) == [], "no results/ folder, not even an empty one"
