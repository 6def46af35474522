"""defsim: a discrete-event simulation of a national defence industry.

How much of the surplus capacity that a domestic budget leaves unbought do
licensed exports absorb, when, in which sectors, and which firms exit waiting?

The public API: ``load_scenario`` reads a scenario, ``simulate`` runs it and
returns a ``RunResult`` (``.summary``, ``.save(path)``), ``simulate_many`` runs
several through one pool, ``read_run`` reads a saved
run folder back and ``compare_runs`` compares saved runs. In a notebook each of these
shows as a short table of its key metrics, and ``to_pandas()`` gives its tables as
DataFrames (``pip install 'defsim[notebook]'``).
"""

from sim.analysis.compare import Comparison, compare_runs
from sim.api import RunResult, simulate, simulate_many
from sim.errors import InputError, RunError, ScenarioError
from sim.results.read import RunFolder, read_run
from sim.scenario.io import load_scenario
from sim.scenario.schema import Scenario

__all__ = [
    "Comparison",
    "InputError",
    "RunError",
    "RunFolder",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "compare_runs",
    "load_scenario",
    "read_run",
    "simulate",
    "simulate_many",
]
