#!/usr/bin/env bash
# Instructions per replication of the 2026 scenario, counted by valgrind's callgrind:
# unlike seconds, the count hardly moves with the machine's load, so it is the measure
# to compare two versions of the engine with. It runs the replications twice under
# callgrind (1 and 1+N of them) and divides the difference by N, so start-up cancels.
# Needs valgrind; takes a few minutes.   Usage: benchmarks/instructions.sh [N]
set -euo pipefail
export PYTHONHASHSEED=0  # string hashing, and so dict probing, the same in every run
# numpy's and scipy's OpenBLAS start idle threads that spin for a while; valgrind runs
# threads in turn and counts their spinning, which moved the difference below by up to
# 8 M instructions a replication between runs. The engine calls no BLAS routine, so
# one thread changes nothing it computes.
export OPENBLAS_NUM_THREADS=1
n="${1:-3}"
here="$(cd "$(dirname "$0")/.." && pwd)"
code='import sys
from sim import load_scenario
from sim.model import run_replication
scenario = load_scenario(sys.argv[2])
for k in range(int(sys.argv[1])):
    run_replication(scenario, k)'
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null python -c "$code" "$1" \
    "$here/scenarios/ukraine-2026-controlled-export.yaml" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# numba's cache is keyed on the CPU, and valgrind's emulated CPU is not this one: a
# first run under valgrind compiles the engine's loops for it, so that both counts
# load them from the cache instead of one of them compiling them.
count 1 >/dev/null
one="$(count 1)"
more="$(count $((n + 1)))"
python -c "print(f'instructions per replication: {($more - $one) / $n / 1e6:.1f} M')"
