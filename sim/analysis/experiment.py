"""What sweeps, explorations and sensitivity analyses share: varied fields, the scenario at
each point, one pool for many points, where results go (their points run through
``sim.api.simulate_many``).

In EMA Workbench's words, an experiment varies *levers* (what policy sets: budget,
approval rates, commission cadence, export caps) or *uncertainties* (what nobody
sets: export demand, firm sizes) and reports the *outcomes*.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from sim.results.folder import default_out_dir
from sim.run.executors import worker_pool
from sim.scenario.io import ScenarioText, scenario_to_yaml
from sim.scenario.paths import field_annotation
from sim.scenario.schema import Scenario

__all__ = [
    "UNCERTAINTY_PREFIXES",
    "factor_kind",
    "field_type",
    "out_dir",
    "point_scenarios",
    "shared_pool",
]

UNCERTAINTY_PREFIXES = ("markets.", "sectors.", "export_centres.demand_uplift", "exits.outcomes")
"""Dotted paths that describe the world rather than policy (EMA Workbench: uncertainties)."""


def field_type(path: str) -> Any:
    """The Python type a dotted scenario path holds (``int``, ``float``, ``str``...), or None."""
    return field_annotation(tuple(path.split(".")))


def factor_kind(path: str) -> str:
    """``uncertainty`` for fields describing the world (demand, firms), else ``lever``."""
    return "uncertainty" if path.startswith(UNCERTAINTY_PREFIXES) else "lever"


def shared_pool(workers: int | None, scheduler: str | None) -> AbstractContextManager[Any]:
    """One local process pool for all runs (none with a Dask scheduler or one worker)."""
    return nullcontext(None) if scheduler is not None else worker_pool(workers)


def out_dir(scenario: Scenario, kind: str, root: Path = Path("results")) -> Path:
    """Default folder of a sweep, exploration or sensitivity: ``results/<name>-<kind>/<time>``."""
    return default_out_dir(f"{scenario.name}-{kind}", root)


def point_scenarios(
    base: Scenario, settings: Sequence[dict[str, Any]], label: str = "point"
) -> list[Scenario]:
    """The scenario at every point (``settings``: dotted path -> value), all validated
    before anything runs.

    A point is one future: the base's ``uncertainties`` are not carried into it.
    """
    text = ScenarioText(scenario_to_yaml(base.model_copy(update={"uncertainties": {}})))
    return [
        text.scenario(point, filename=f"{base.name} ({label} {i})")
        for i, point in enumerate(settings)
    ]
