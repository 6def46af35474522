"""Exploration: the answer across the plausible values of the scenario's assumptions.

In EMA Workbench's words: the scenario's ``uncertainties:`` span the futures, a
Latin hypercube samples them, every future runs under the base and each policy
(levers) with common random numbers, and scenario discovery (PRIM) finds the
conditions under which an outcome fails. Split by role: ``design`` (futures and
policies), ``run``, ``summary`` (spread, variance shares, policies against the base),
``plots``, ``report``, ``files`` (the experiment folder) and ``discover``.
"""

from sim.analysis.explore.design import BASE, Dimension, Policy, dimensions, futures, parse_policy
from sim.analysis.explore.discover import Discovery, discover, write_discovery
from sim.analysis.explore.files import read_experiments, write_exploration
from sim.analysis.explore.run import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SAMPLES,
    Exploration,
    run_explore,
)
from sim.analysis.explore.summary import (
    COMPARISON_HEADERS,
    POLICY_OUTCOMES,
    SPREAD_HEADERS,
    comparison_rows,
    spread_rows,
    summary,
    verdicts,
)

__all__ = [
    "BASE",
    "COMPARISON_HEADERS",
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SAMPLES",
    "POLICY_OUTCOMES",
    "SPREAD_HEADERS",
    "Dimension",
    "Discovery",
    "Exploration",
    "Policy",
    "comparison_rows",
    "dimensions",
    "discover",
    "futures",
    "parse_policy",
    "read_experiments",
    "run_explore",
    "spread_rows",
    "summary",
    "verdicts",
    "write_discovery",
    "write_exploration",
]
