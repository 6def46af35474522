"""Global sensitivity analysis: which levers and uncertainties move the outcomes most.

Built on SALib and split by role as SALib is: ``design`` (factors, SALib's
samples), ``indices`` (SALib's analysers, and the indices in words), ``run`` (the
simulation as a function of the factors), ``files`` and ``plots``. The names below
are the public API.
"""

from sim.analysis.sensitivity.design import (
    Factor,
    Method,
    as_method,
    parse_factor,
    require_salib,
    sample,
)
from sim.analysis.sensitivity.files import write_sensitivity
from sim.analysis.sensitivity.indices import (
    PLOTTED_OUTCOMES,
    SensitivityResult,
    analyse,
    ranking_lines,
)
from sim.analysis.sensitivity.run import DEFAULT_REPLICATIONS, ScenarioModel, run_sensitivity

__all__ = [
    "DEFAULT_REPLICATIONS",
    "PLOTTED_OUTCOMES",
    "Factor",
    "Method",
    "ScenarioModel",
    "SensitivityResult",
    "analyse",
    "as_method",
    "parse_factor",
    "ranking_lines",
    "require_salib",
    "run_sensitivity",
    "sample",
    "write_sensitivity",
]
