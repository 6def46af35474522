"""Bad inputs: every one exits 2 with an exact one-line reason, no traceback, nothing written.

The catalogue lives in ``tests/bad_scenarios/``: each file starts with one
``# expect: LINE: dotted.path: message`` comment per line of stderr it must
produce (the file's path is prepended). Files that cannot be committed (empty,
50 MB, directories, missing paths) are made here in ``tmp_path``.
Most cases run ``defsim`` in this process (``helpers.defsim``); a few go through a
real ``defsim`` subprocess to check the exit code and stderr end to end.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import REPO, defsim

CATALOGUE = REPO / "tests" / "bad_scenarios"
BAD_FILES = sorted(CATALOGUE.glob("*.yaml"))

GOOD = """\
name: good
start: 2026-01-01
months: 3
replications: 1
seed: 3
sectors:
  uav: {firms: 3, capacity_usd: 1.0e9, margin: 0.15}
  ew: {firms: 2, capacity_usd: 0.5e9, margin: 0.1}
procurement:
  budget_usd: 0.8e9
  sector_shares: {uav: 0.6, ew: 0.4}
licensing:
  opens: 2026-01-01
  commission: {meeting_every_days: 30, decisions_per_meeting: 10}
  approval_rate: {default: 0.5}
markets:
  eu: {demand_usd: {uav: 1.0e9}, order_usd: 10.0e6}
joint_production:
  - {partner: de, sector: uav, start: 2026-02-01, capacity_usd: 1.0e8, royalty: 0.05, serves: eu}
"""


def expected_lines(path: Path) -> list[str]:
    """The ``# expect:`` lines at the top of a catalogue file, with the path prepended."""
    found = []
    for raw in path.read_bytes().splitlines():
        line = raw.decode("ascii")
        if not line.startswith("# expect: "):
            break
        found.append(f"{path}:{line.removeprefix('# expect: ')}")
    return found


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folder`` with its size and modification time."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def assert_bad_input(code: int, out: str, err: str, expected: list[str] | None = None) -> None:
    assert code == 2, err
    assert "Traceback" not in err and "Traceback" not in out
    assert err.strip(), "a reason must be given"
    if expected is not None:
        assert err.splitlines() == expected


# --- the catalogue -------------------------------------------------------------------


def test_the_catalogue_is_complete() -> None:
    assert len(BAD_FILES) >= 40
    for path in BAD_FILES:
        assert expected_lines(path), f"{path.name} has no '# expect:' line"


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_validate_rejects_catalogue_file(path: Path) -> None:
    code, out, err = defsim("validate", str(path))
    assert_bad_input(code, out, err, expected_lines(path))
    assert out == ""


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_run_rejects_catalogue_file_and_writes_nothing(path: Path, workdir: Path) -> None:
    out_dir = workdir / "out"
    code, out, err = defsim("run", str(path), "--out", str(out_dir), "--workers", "1")
    assert_bad_input(code, out, err, expected_lines(path))
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize(
    "name", ["type_seed_boolean", "alias_bomb", "python_object_tag", "non_utf8"]
)
def test_subprocess_exit_2_and_the_same_line(name: str, workdir: Path) -> None:
    path = CATALOGUE / f"{name}.yaml"
    for command in ("validate", "run"):
        proc = subprocess.run(
            ["defsim", command, str(path)], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2
        assert proc.stderr.splitlines() == expected_lines(path)
        assert "Traceback" not in proc.stderr
    assert list(workdir.iterdir()) == []


MEASURE = """
import resource, sys
from pathlib import Path
from sim.cli import main
try:
    main(sys.argv[1:])
finally:
    status = Path("/proc/self/status")
    peak = [line.split()[1] for line in status.read_text().splitlines()
            if line.startswith("VmHWM:")] if status.exists() else []
    print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
"""Prints the process's own peak memory in KiB: ``VmHWM``, since ``ru_maxrss`` survives the
fork and exec and so reports the pytest process's peak when that was larger."""


def test_alias_bomb_is_rejected_fast_with_bounded_memory() -> None:
    path = CATALOGUE / "alias_bomb.yaml"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", MEASURE, "validate", str(path)],
                          capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    assert proc.returncode == 2, proc.stderr
    assert "more than 50,000 nodes" in proc.stderr
    assert elapsed < 20
    peak_kib = int(proc.stdout.split()[-1])
    assert peak_kib < 500_000, "expanding the aliases would take gigabytes"


def test_alias_bomb_in_a_set_value_is_rejected(good: Path) -> None:
    bomb = "[" + ", ".join(["&a [x, x, x, x, x, x, x, x, x]"] + ["*a"] * 8) + "]"
    code, out, err = defsim("validate", str(good), "--set", f"description={bomb}")
    assert_bad_input(code, out, err, ["--set 1: description: Input should be a valid string"])


# --- files that are not committed ------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_bytes(b"")
    code, out, err = defsim("validate", str(path))
    assert_bad_input(code, out, err, [f"{path}:1: scenario: the file is empty"])


def test_a_50_mb_file_is_refused_by_size(tmp_path: Path, workdir: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as file:
        file.write(GOOD.encode())
        file.truncate(50 * 1024 * 1024)
    expected = [f"{path}:1: scenario: file is 52,428,800 bytes; the limit is 1,000,000"]
    for command in ("validate", "run"):
        started = time.perf_counter()
        code, out, err = defsim(command, str(path))
        assert_bad_input(code, out, err, expected)
        assert time.perf_counter() - started < 5
    assert list(workdir.iterdir()) == []


def test_a_directory_instead_of_a_file(tmp_path: Path) -> None:
    code, out, err = defsim("validate", str(tmp_path))
    expected = [f"{tmp_path}:1: scenario: is a directory, not a scenario file"]
    assert_bad_input(code, out, err, expected)


def test_a_missing_path(tmp_path: Path, workdir: Path) -> None:
    path = tmp_path / "nowhere" / "missing.yaml"
    for command in ("validate", "run"):
        code, out, err = defsim(command, str(path))
        assert_bad_input(code, out, err, [f"{path}:1: scenario: no such file"])
    assert list(workdir.iterdir()) == []


def test_a_path_too_long_for_the_system() -> None:
    path = "/tmp/" + "x" * 5000 + ".yaml"
    code, out, err = defsim("validate", path)
    assert_bad_input(code, out, err)
    assert err.count("\n") == 1 and ": scenario: " in err


def test_a_device_is_not_a_scenario_file() -> None:
    code, out, err = defsim("validate", "/dev/null")
    assert_bad_input(code, out, err, ["/dev/null:1: scenario: not a regular file"])


def test_validate_reports_every_bad_file_and_still_exits_2(good: Path) -> None:
    first, second = CATALOGUE / "horizon_zero.yaml", CATALOGUE / "negative_firms.yaml"
    code, out, err = defsim("validate", str(first), str(good), str(second))
    assert_bad_input(code, out, err, expected_lines(first) + expected_lines(second))
    assert out.startswith(f"{good}: ok")


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    code, out, _ = defsim("validate", str(path))
    assert code == 0 and "ok" in out


# --- bad --set values ------------------------------------------------------------------

BAD_SETS = [
    (["months=0"], "--set 1: months: Input should be greater than or equal to 1"),
    (["months=-3"], "--set 1: months: Input should be greater than or equal to 1"),
    (["months"], "--set 1: months: expected dotted.path=VALUE"),
    (["=5"], "--set 1: =5: expected dotted.path=VALUE"),
    ([""], "--set 1: '': expected dotted.path=VALUE"),
    (["monhts=5"], "--set 1: monhts: unknown field 'monhts' (did you mean 'months'?)"),
    (["sectors.uav.margn=0.1"],
     "--set 1: sectors.uav.margn: unknown field 'margn' (did you mean 'margin'?)"),
    (["sectors.uva.firms=3"],
     "--set 1: sectors.uva.firms: no entry 'uva' here (did you mean 'uav'?)"),
    (["sectors.uav.firms=abc"],
     "--set 1: sectors.uav.firms: Input should be a valid integer, "
     "unable to parse string as an integer"),
    (["sectors.uav.firms=.nan"], "--set 1: sectors.uav.firms: Input should be a finite number"),
    (["procurement.budget_usd=.inf"],
     "--set 1: procurement.budget_usd: Input should be a finite number"),
    (["procurement.budget_usd=-1"],
     "--set 1: procurement.budget_usd: Input should be greater than or equal to 0"),
    (["seed=true"], "--set 1: seed: expected a number, got true"),
    (["procurement.sector_shares={uav: 0.5, ew: 0.4}"],
     "--set 1: procurement.sector_shares: shares must sum to 1 (they sum to 0.9)"),
    (["procurement.sector_shares={uav: 0.6, eww: 0.4}"],
     "--set 1: procurement.sector_shares.eww: sector 'eww' is not defined (defined: ew, uav)"),
    (["joint_production.0.serves=asia"],
     "--set 1: joint_production.0.serves: market 'asia' is not defined (defined: eu)"),
    (["joint_production.3.royalty=0.1"],
     "--set 1: joint_production.3.royalty: index 3 is beyond the end of the list"),
    (["joint_production.first.royalty=0.1"],
     "--set 1: joint_production.first.royalty: 'first' should be a list index (0, 1, ...)"),
    (["months.x=1"], "--set 1: months.x: 'months' is a value, not a section"),
    (["months=[1"],
     "--set 1: months: cannot read value '[1': while parsing a flow sequence "
     "expected ',' or ']', but got '<stream end>'"),
    (["start=2026-13-01"],
     "--set 1: start: cannot read value '2026-13-01': cannot read '2026-13-01': "
     "month must be in 1..12"),
    (["start=2026-01-15"],
     "--set 1: start: must be the first day of a month (results are monthly), not 2026-01-15"),
    (["name=!!python/object/apply:os.system [ls]"],
     "--set 1: name: cannot read value '!!python/object/apply:os.system [ls]': could not "
     "determine a constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system'"),
    (["months=4", "sectors=null"], "--set 2: sectors: Input should be a valid dictionary"),
    (["months=4", "x=*a"], "--set 2: x: cannot read value '*a': found undefined alias 'a'"),
    (["sectors.uav={firms: 0, capacity_usd: 1, margin: 0.1}"],
     "--set 1: sectors.uav: a sector with 0 firms cannot have capacity_usd > 0"),
    (["licensing.commission.pauses=[{start: 2026-03-01, end: 2026-02-01}]"],
     "--set 1: licensing.commission.pauses.0: end 2026-02-01 is before start 2026-03-01"),
]


@pytest.mark.parametrize(("sets", "expected"), BAD_SETS, ids=[s[0][-1][:30] for s in BAD_SETS])
def test_bad_set_values(sets: list[str], expected: str, good: Path, workdir: Path) -> None:
    args = [a for s in sets for a in ("--set", s)]
    code, out, err = defsim("validate", str(good), *args)
    assert_bad_input(code, out, err, [expected])
    code, out, err = defsim("run", str(good), *args, "--workers", "1")
    assert_bad_input(code, out, err, [expected])
    assert list(workdir.iterdir()) == []


# --- bad command-line options ----------------------------------------------------------

BAD_OPTIONS = [
    (["-n", "0"],
     "Invalid value for '-n' / '--replications': 0 is not in the range 1<=x<=1000000."),
    (["-n", "99999999999999999999"], "Invalid value for '-n' / '--replications'"),
    (["-n", "two"], "Invalid value for '-n' / '--replications': 'two' is not a valid integer"),
    (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range"),
    (["--seed", str(2**64)], "Invalid value for '--seed'"),
    (["--workers", "0"], "Invalid value for '--workers': 0 is not in the range"),
    (["--workers", "100000"], "Invalid value for '--workers'"),
    (["--target-halfwidth", "0"], "Invalid value for '--target-halfwidth': '0' must be a finite"),
    (["--target-halfwidth", "nan"], "'--target-halfwidth': 'nan' must be a finite"),
    (["--target-halfwidth", "inf"], "'--target-halfwidth': 'inf' must be a finite"),
    (["--target-halfwidth", "-0.1"], "Invalid value for '--target-halfwidth'"),
    (["--max-replications", "0"], "Invalid value for '--max-replications'"),
    (["--bogus"], "No such option '--bogus'"),
    (["--out"], "Option '--out' requires an argument"),
    (["--set"], "Option '--set' requires an argument"),
    (["extra-argument"], "Got unexpected extra argument"),
]


@pytest.mark.parametrize(
    ("options", "expected"), BAD_OPTIONS, ids=[" ".join(o) for o, _ in BAD_OPTIONS]
)
def test_bad_run_options(options: list[str], expected: str, good: Path, workdir: Path) -> None:
    code, out, err = defsim("run", str(good), "--out", str(workdir / "out"), *options)
    assert_bad_input(code, out, err)
    assert expected in err
    assert len(err.strip().splitlines()) == 1
    assert list(workdir.iterdir()) == []


def test_a_run_refused_after_loading_leaves_no_empty_results_folder(
    good: Path, workdir: Path
) -> None:
    """The metric is checked once the scenario is read: still no default results/ folder."""
    code, out, err = defsim("run", good, "-n", "1", "--workers", "1", "--target-metric", "nonsense")
    assert_bad_input(code, out, err)
    assert "--target-metric: unknown metric 'nonsense'" in err
    assert len(err.strip().splitlines()) == 1
    assert list(workdir.iterdir()) == []


SHARED_BOUNDS = [
    (["-n", "99999999999999999999"], "is not in the range 1<=x<=1000000"),
    (["--seed", str(2**64)], f"is not in the range 0<=x<={2**63 - 1}"),
    (["--workers", "100000"], "is not in the range 1<=x<=1024"),
]


@pytest.mark.parametrize("command", ["sweep", "sensitivity"])
@pytest.mark.parametrize(
    ("options", "expected"), SHARED_BOUNDS, ids=[" ".join(o) for o, _ in SHARED_BOUNDS]
)
def test_sweep_and_sensitivity_share_runs_bounds(
    command: str, options: list[str], expected: str, good: Path, workdir: Path
) -> None:
    lever = "procurement.budget_usd=1e8:2e8" + (":2" if command == "sweep" else "")
    code, out, err = defsim(
        command, str(good), "--vary", lever, "--out", str(workdir / "out"), *options
    )
    assert_bad_input(code, out, err)
    assert expected in err
    assert list(workdir.iterdir()) == []


@pytest.mark.parametrize("args", [["run"], ["validate"], ["frobnicate"], ["run", "--quiet"]])
def test_bad_commands(args: list[str]) -> None:
    code, out, err = defsim(*args)
    assert_bad_input(code, out, err)
    assert err.startswith("defsim: ") and len(err.strip().splitlines()) == 1


# --- existing folders are left alone ---------------------------------------------------


def test_an_existing_run_folder_is_refused_and_unchanged(good: Path, workdir: Path) -> None:
    out_dir = workdir / "previous"
    out_dir.mkdir()
    (out_dir / "summary.json").write_text("{}\n", encoding="utf-8")
    before = snapshot(workdir)
    code, out, err = defsim("run", str(good), "--out", str(out_dir), "--workers", "1")
    assert_bad_input(code, out, err, [f"{out_dir}: exists and is not empty; choose another --out"])
    assert snapshot(workdir) == before


def test_a_file_as_out_is_refused_and_unchanged(good: Path, workdir: Path) -> None:
    target = workdir / "notes.txt"
    target.write_text("mine\n", encoding="utf-8")
    before = snapshot(workdir)
    code, out, err = defsim("run", str(good), "--out", str(target), "--workers", "1")
    assert_bad_input(code, out, err)
    assert snapshot(workdir) == before


def test_bad_input_leaves_an_existing_results_folder_unchanged(good: Path, workdir: Path) -> None:
    code, _, err = defsim("run", str(good), "--workers", "1", "--quiet")
    assert code == 0, err
    before = snapshot(workdir)
    assert any(name.endswith("summary.json") for name in before)
    for path in BAD_FILES[:10]:
        code, out, err = defsim("run", str(path), "--workers", "1")
        assert_bad_input(code, out, err)
    code, out, err = defsim("run", str(good), "--set", "months=0")
    assert_bad_input(code, out, err)
    assert snapshot(workdir) == before

