"""Performance of defsim on this machine, printed as a Markdown table.

Run by hand (not part of the tests):  python benchmarks/run.py [--quick]

Every figure is measured in this run, and speeds are also given as ratios to a
baseline measured in the same run (the bare SimPy floor, one worker, x1 firms,
the smaller run's memory), so a loaded or slow machine shifts the seconds but
much less the ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import simpy

from sim import load_scenario, simulate
from sim.model import run_replication
from sim.run.executors import worker_pool
from sim.scenario.schema import Scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine-2026-controlled-export.yaml"

PRINT_PEAK_RSS = (
    "    status = Path('/proc/self/status')\n"
    "    peak = [line.split()[1] for line in status.read_text().splitlines()\n"
    "            if line.startswith('VmHWM:')] if status.exists() else []\n"
    "    print(peak[0] if peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
)
"""Source lines, indented for a ``__main__`` block, that print the process's own peak RSS
(kB): ``VmHWM``, since Linux carries ``ru_maxrss`` through fork and exec."""


def seconds_per_replication(
    scenario: Scenario, replications: int, trials: int = 3
) -> tuple[float, float]:
    """Median over ``trials`` of seconds per replication (engine only), and events per one."""
    run_replication(scenario, 0)
    times, events = [], 0
    for _ in range(trials):
        start = time.perf_counter()
        events = sum(run_replication(scenario, k).events for k in range(replications))
        times.append((time.perf_counter() - start) / replications)
    return statistics.median(times), events / replications


def simpy_floor(events: int, repeats: int = 20) -> float:
    """A bare SimPy loop: one process yielding timeouts, the same number of events."""

    def loop(env: simpy.Environment, n: int) -> Generator[simpy.Event, Any, None]:
        for _ in range(n):
            yield env.timeout(1.0)

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        env = simpy.Environment()
        env.process(loop(env, events - 1))  # the process's start is an event too
        env.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def wall_for(scenario: Scenario, replications: int, workers: int) -> float:
    """Wall time of a cold run: its worker processes start (and set numba up) inside it."""
    start = time.perf_counter()
    simulate(scenario, replications=replications, workers=workers)
    return time.perf_counter() - start


def warm_wall_for(scenario: Scenario, replications: int, workers: int) -> float:
    """Wall time with the workers already started, as in a sweep or a session's later runs."""
    with worker_pool(workers) as pool:
        simulate(scenario, replications=2 * workers, workers=workers, pool=pool)
        start = time.perf_counter()
        simulate(scenario, replications=replications, workers=workers, pool=pool)
        return time.perf_counter() - start


def process_start_up() -> float:
    """Seconds a fresh process spends before its first replication can start: importing
    the engine and setting its compiler (numba) up, what every worker process pays."""
    code = (
        "import time; start = time.perf_counter(); import sim.run.worker_start; "
        "print(time.perf_counter() - start)"
    )
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(3)
    ]
    return statistics.median(runs)


def peak_rss_mb(replications: int, workers: int) -> float:
    """Peak RSS of the process that gathers the results (a fresh one, so runs do not share
    a high-water mark). Workers only ever hold one chunk of replications.

    Read from /proc/self/status (VmHWM) where there is one: Linux carries a forked
    child's ``ru_maxrss`` through exec, so a child of this (large) process would
    report this process's size, not its own.
    """
    code = (
        "import resource; from pathlib import Path; from sim import load_scenario, simulate\n"
        "if __name__ == '__main__':\n"
        f"    simulate(load_scenario({str(SCENARIO)!r}), replications={replications}, "
        f"workers={workers})\n"
        + PRINT_PEAK_RSS
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def scaled(scenario: Scenario, factor: int) -> Scenario:
    """The scenario with factor x the firms, and capacities and budget scaled alike."""
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
        "--quick",
        action="store_true",
        help="100 instead of 1,000 replications, memory at 100 and 1,000, no x100 firms",
    )
    args = parser.parse_args()
    sc = load_scenario(SCENARIO)
    cores = os.cpu_count() or 1
    n_wall = 100 if args.quick else 1000
    rows: list[tuple[str, str]] = []

    per_rep, events = seconds_per_replication(sc, 10 if args.quick else 30)
    floor = simpy_floor(round(events))
    rows += [
        ("events per replication (2026 scenario)", f"{events:,.0f}"),
        ("seconds per replication, 1 worker", f"{per_rep:.4f}"),
        ("events per second, 1 worker", f"{events / per_rep:,.0f}"),
        ("bare SimPy floor, same events (s)", f"{floor:.4f}"),
        ("model / floor", f"{per_rep / floor:.1f}x (target <= 2x)"),
    ]
    one = wall_for(sc, n_wall, 1)
    many = wall_for(sc, n_wall, cores)
    warm = warm_wall_for(sc, n_wall, cores)
    rows += [
        (f"{n_wall:,} replications, 1 worker (s)", f"{one:.1f}"),
        (
            f"{n_wall:,} replications, {cores} workers (s)",
            f"{many:.1f}" + (" (target <= 20 s)" if n_wall == 1000 else ""),
        ),
        ("replications per second, 1 worker", f"{n_wall / one:.1f}"),
        (f"replications per second, {cores} workers", f"{n_wall / many:.1f}"),
        (f"speed-up {cores} workers / 1", f"{one / many:.2f}x (target >= 1.8x)"),
        ("start-up of a process: import, numba set-up (s)", f"{process_start_up():.2f}"),
        (f"{n_wall:,} replications, {cores} workers already started (s)", f"{warm:.1f}"),
        (f"speed-up {cores} workers already started / 1", f"{one / warm:.2f}x"),
    ]
    small, large = (100, 1000) if args.quick else (1000, 10000)
    rss_small = peak_rss_mb(small, cores)
    rss_large = peak_rss_mb(large, cores)
    rows += [
        (f"peak RSS, {small:,} replications (MB)", f"{rss_small:.0f}"),
        (
            f"peak RSS, {large:,} replications (MB)",
            f"{rss_large:.0f} ({rss_large / rss_small - 1:+.1%}; target within 10%)",
        ),
    ]
    base = None
    for factor in (1, 10) if args.quick else (1, 10, 100):
        t, _ = seconds_per_replication(scaled(sc, factor), 3 if factor < 100 else 1, trials=1)
        base = base or t
        target = " (target <= 3x)" if factor == 10 else ""
        rows.append(
            (
                f"firms x{factor}: seconds per replication",
                f"{t:.3f} ({t / base:.1f}x of x1{target})",
            )
        )

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"defsim benchmarks, {time.strftime('%Y-%m-%d')}, {platform.machine()}, {cores} cores, "
        f"{memory_gib:.0f} GiB, Python {platform.python_version()}"
        + (", --quick" if args.quick else "")
    )
    print()
    print("| measure | value |")
    print("| --- | --- |")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
