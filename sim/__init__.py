"""defsim: a discrete-event simulation of a national defence industry.

How much of the surplus capacity that a domestic budget leaves unbought do
licensed exports absorb, when, in which sectors, and which firms exit waiting?
"""

from sim.errors import InputError, ScenarioError
from sim.results import RunResult
from sim.runner import simulate
from sim.scenario.io import load_scenario
from sim.scenario.schema import Scenario

__all__ = ["InputError", "RunResult", "Scenario", "ScenarioError", "load_scenario", "simulate"]
