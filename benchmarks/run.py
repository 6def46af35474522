"""Performance of defsim on this machine, printed as a Markdown table.

Run by hand (not part of the tests):  python benchmarks/run.py [--quick]

Every figure is measured in this run, and speeds are also given as ratios to a
baseline measured in the same run (the bare SimPy floor, one worker, x1 firms).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import simpy

from sim import load_scenario, simulate
from sim.model import run_replication
from sim.schema import Scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine-2026-controlled-export.yaml"


def seconds_per_replication(scenario: Scenario, replications: int) -> tuple[float, float]:
    run_replication(scenario, 0)
    start = time.perf_counter()
    events = 0
    for k in range(replications):
        events += run_replication(scenario, k).events
    elapsed = time.perf_counter() - start
    return elapsed / replications, events / replications


def simpy_floor(events: int, repeats: int = 20) -> float:
    """A bare SimPy loop: one process yielding timeouts, the same number of events."""

    def loop(env: simpy.Environment, n: int):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1.0)

    start = time.perf_counter()
    for _ in range(repeats):
        env = simpy.Environment()
        env.process(loop(env, events // 2))  # each timeout is scheduled and resumes the process
        env.run()
    return (time.perf_counter() - start) / repeats


def wall_for(scenario: Scenario, replications: int, workers: int) -> float:
    start = time.perf_counter()
    simulate(scenario, replications=replications, workers=workers)
    return time.perf_counter() - start


def peak_rss_mb(replications: int) -> float:
    """Peak RSS of a fresh process running the scenario (so runs do not share a high-water mark)."""
    code = (
        "import resource, sys; from sim import load_scenario, simulate;"
        f"simulate(load_scenario({str(SCENARIO)!r}), replications={replications}, workers=1);"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip()) / 1024


def scaled(scenario: Scenario, factor: int) -> Scenario:
    sectors = {
        name: s.model_copy(
            update={"firms": s.firms * factor, "capacity_usd": s.capacity_usd * factor}
        )
        for name, s in scenario.sectors.items()
    }
    procurement = scenario.procurement.model_copy(
        update={"budget_usd": scenario.procurement.budget_usd * factor}
    )
    return scenario.model_copy(update={"sectors": sectors, "procurement": procurement})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="fewer replications, no x100 or 1,000-replication runs"
    )
    args = parser.parse_args()
    sc = load_scenario(SCENARIO)
    cores = os.cpu_count() or 1
    n_wall = 100 if args.quick else 1000
    rows: list[tuple[str, str]] = []

    per_rep, events = seconds_per_replication(sc, 10 if args.quick else 30)
    floor = simpy_floor(int(events))
    rows += [
        ("events per replication (2026 scenario)", f"{events:,.0f}"),
        ("seconds per replication, 1 worker", f"{per_rep:.4f}"),
        ("events per second, 1 worker", f"{events / per_rep:,.0f}"),
        ("bare SimPy floor, same events (s)", f"{floor:.4f}"),
        ("model / floor", f"{per_rep / floor:.1f}x (target <= 2x)"),
    ]
    one = wall_for(sc, n_wall, 1)
    many = wall_for(sc, n_wall, cores)
    rows += [
        (f"{n_wall} replications, 1 worker (s)", f"{one:.1f}"),
        (f"{n_wall} replications, {cores} workers (s)", f"{many:.1f} (target <= 20 s for 1,000)"),
        ("replications per second, 1 worker", f"{n_wall / one:.1f}"),
        (f"replications per second, {cores} workers", f"{n_wall / many:.1f}"),
        (f"speed-up {cores} workers / 1", f"{one / many:.2f}x (target >= 1.8x)"),
    ]
    for n in (100, 1000) if not args.quick else (100,):
        rows.append((f"peak RSS, {n} replications (MB)", f"{peak_rss_mb(n):.0f}"))
    base = None
    for factor in (1, 10) if args.quick else (1, 10, 100):
        t, _ = seconds_per_replication(scaled(sc, factor), 3 if factor < 100 else 1)
        base = base or t
        rows.append(
            (f"firms x{factor}: seconds per replication", f"{t:.3f} ({t / base:.1f}x of x1)")
        )

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"defsim benchmarks, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {cores} cores, "
        f"{memory_gib:.0f} GiB, Python {platform.python_version()}"
    )
    print()
    print("| measure | value |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")
    _ = resource


if __name__ == "__main__":
    main()
