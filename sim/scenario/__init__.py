"""Scenarios: the validated description of one industry and its policies (``schema``),
and the only code that reads and writes scenario files (``io``)."""

from sim.scenario.io import load_scenario, scenario_from_text, scenario_to_yaml
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "scenario_from_text", "scenario_to_yaml"]
