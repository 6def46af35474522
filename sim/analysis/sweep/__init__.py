"""Parameter sweeps: the same scenario run over a line or grid of lever settings.

Split by role: ``design`` (levers and the full-factorial design), ``run`` (every
point with the same seed: common random numbers), ``files`` (``sweep.csv``,
manifest, a run folder per point) and ``plots`` (outcomes against levers). The
names below are the public API.
"""

from sim.analysis.sweep.design import Lever, full_factorial, parse_vary, point_scenarios
from sim.analysis.sweep.files import point_writer, sweep_csv, write_sweep
from sim.analysis.sweep.run import DEFAULT_REPLICATIONS, Sweep, SweepPoint, iter_rows, run_sweep

__all__ = [
    "DEFAULT_REPLICATIONS",
    "Lever",
    "Sweep",
    "SweepPoint",
    "full_factorial",
    "iter_rows",
    "parse_vary",
    "point_scenarios",
    "point_writer",
    "run_sweep",
    "sweep_csv",
    "write_sweep",
]
