"""What ``defsim explore`` costs on this machine: wall time, and memory as futures grow.

Run by hand (not part of the tests):  python benchmarks/explore.py [--quick | --target]

- wall time of ``defsim explore`` on the 2026 scenario (a fresh process, as a user
  runs it: start-up, the futures' validation, the runs, the report), and the time
  of ``--samples 500 -n 20`` extrapolated from it by replications per second
  (``--target``: measured, the whole 500 x 20, about as long as it takes);
- peak RSS of the process that gathers an exploration (VmHWM, as in ``run.py``) at
  100 and at 1,000 futures of a small scenario, one replication each, run by two
  workers as a user runs it (the futures overlap in the pool): the memory an
  exploration holds grows with the futures by a few numbers per replication only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from run import PRINT_PEAK_RSS  # benchmarks/run.py: this folder is the script's path

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "ukraine-2026-controlled-export.yaml"
SMALL = REPO / "scenarios" / "teaching-minimal.yaml"
TARGET = (500, 20)
"""The size the issue asks about: 500 futures, 20 replications."""


def explore_wall(samples: int, replications: int, workers: int) -> float:
    """Seconds of ``defsim explore`` in a fresh process, the report included."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            ["defsim", "explore", str(SCENARIO), "--samples", str(samples), "-n",
             str(replications), "--workers", str(workers), "--quiet", "--out", f"{tmp}/x"],
            check=True, capture_output=True, env={**os.environ},
        )
        return time.perf_counter() - start


def peak_rss_mb(futures: int) -> float:
    """Peak RSS (MB) of a fresh process that explores ``futures`` futures of a small scenario."""
    code = (
        "import resource, tempfile; from pathlib import Path\n"
        "from sim import load_scenario\n"
        "from sim.analysis.explore import run_explore, write_exploration\n"
        "from sim.scenario.schema import Uncertainty\n"
        "if __name__ == '__main__':\n"
        f"    sc = load_scenario({str(SMALL)!r})\n"
        "    unc = {'licensing.export_cap_share': Uncertainty(uniform=(0.2, 1.0)),\n"
        "           'procurement.allocation': Uncertainty(choice=('random', 'pro_rata'))}\n"
        "    sc = sc.model_copy(update={'uncertainties': unc})\n"
        f"    exp = run_explore(sc, {futures}, 1, workers=2)\n"
        "    with tempfile.TemporaryDirectory() as tmp:\n"
        "        write_exploration(Path(tmp), exp)\n"
        + PRINT_PEAK_RSS
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="20 futures x 5 replications, memory at 50 and 500 futures")
    parser.add_argument("--target", action="store_true",
                        help=f"time the whole --samples {TARGET[0]} -n {TARGET[1]}, nothing else")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    if args.target:
        wall = explore_wall(*TARGET, args.workers)
        print(f"| `defsim explore` 2026, --samples {TARGET[0]} -n {TARGET[1]}, "
              f"{args.workers} workers (s) | {wall:.0f} ({wall / 60:.1f} min) |")
        return
    samples, replications = (20, 5) if args.quick else (50, 10)
    small, large = (50, 500) if args.quick else (100, 1000)
    wall = explore_wall(samples, replications, args.workers)
    rate = samples * replications / wall
    target = TARGET[0] * TARGET[1] / rate
    low, high = peak_rss_mb(small), peak_rss_mb(large)
    print(f"| measure | value |\n| --- | --- |\n"
          f"| `defsim explore` 2026, --samples {samples} -n {replications}, "
          f"{args.workers} workers (s) | {wall:.1f} |\n"
          f"| replications per second, start-up and report included | {rate:.2f} |\n"
          f"| --samples {TARGET[0]} -n {TARGET[1]}, extrapolated (s) | {target:.0f} "
          f"({target / 60:.1f} min) |\n"
          f"| peak RSS, {small} futures (MB) | {low:.0f} |\n"
          f"| peak RSS, {large} futures (MB) | {high:.0f} ({(high / low - 1) * 100:+.1f}%) |")


if __name__ == "__main__":
    main()
