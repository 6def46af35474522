"""The design of an exploration: futures drawn from the uncertainties, and the policies.

A *future* is one point of the uncertainty space: a value for every entry of the
scenario's ``uncertainties:`` section. Futures are a Latin hypercube (SciPy's
``qmc.LatinHypercube``, seeded): each of the N equal-probability strata of every
uncertainty holds exactly one future, so few futures still cover every range. A
*policy* sets levers on top of every future (``--policy NAME:PATH=VALUE,...``); the
base case is the policy that sets nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.experiment import field_type
from sim.errors import InputError, ScenarioError
from sim.scenario.io import ScenarioText, parse_override, scenario_to_yaml
from sim.scenario.schema import NAME_PATTERN, Scenario, Uncertainty

__all__ = [
    "BASE",
    "MAX_POINTS",
    "Dimension",
    "Policy",
    "check_policies",
    "dimensions",
    "futures",
    "latin_hypercube",
    "parse_policy",
    "value_at",
]

MAX_POINTS = 100_000
"""Futures times policies: more is almost certainly a typo in --samples."""

BASE = "base"
"""The name of the policy that sets nothing: the scenario's own levers."""


@dataclass(frozen=True)
class Dimension:
    """One uncertainty of the scenario: the field it varies and how its values are drawn."""

    path: str
    uncertainty: Uncertainty
    integer: bool = False
    """The field holds whole numbers: a drawn number is rounded."""

    @property
    def categorical(self) -> bool:
        """Whether its values are options (``choice``) rather than a numeric range."""
        return self.uncertainty.choice is not None and not all(
            isinstance(v, int | float) and not isinstance(v, bool)
            for v in self.uncertainty.choice
        )


@dataclass(frozen=True)
class Policy:
    """Levers set on top of every future; the base policy sets none."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)


def dimensions(scenario: Scenario) -> tuple[Dimension, ...]:
    """The scenario's uncertainties in file order; an exploration needs at least one."""
    if not scenario.uncertainties:
        raise InputError(
            f"{scenario.name}: the scenario has no uncertainties: section to explore "
            "(see docs/explore.md)"
        )
    return tuple(
        Dimension(path, unc, integer=field_type(path) is int)
        for path, unc in scenario.uncertainties.items()
    )


def latin_hypercube(samples: int, width: int, seed: int) -> np.ndarray:
    """``samples`` points in the unit cube ``[0, 1)^width``, one in each stratum of every axis."""
    from scipy.stats import qmc  # scipy.stats takes a second to import: only when sampling

    return np.asarray(qmc.LatinHypercube(d=width, seed=np.random.default_rng(seed)).random(samples))


def value_at(dimension: Dimension, u: float) -> Any:
    """The value of ``dimension`` at quantile ``u`` of its distribution (inverse CDF)."""
    unc = dimension.uncertainty
    if unc.choice is not None:
        return unc.choice[min(int(u * len(unc.choice)), len(unc.choice) - 1)]
    if unc.uniform is not None:
        low, high = unc.uniform
        value = low + u * (high - low)
    elif unc.loguniform is not None:
        low, high = unc.loguniform
        value = math.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        from scipy.stats import triang

        assert unc.triangular is not None, "an uncertainty has exactly one distribution"
        low, mode, high = unc.triangular
        width = high - low
        value = low if width == 0 else float(triang.ppf(u, (mode - low) / width, low, width))
    return round(value) if dimension.integer else float(value)


def futures(dims: Sequence[Dimension], samples: int, seed: int) -> list[dict[str, Any]]:
    """``samples`` futures: the Latin hypercube of ``seed`` mapped through each distribution."""
    unit = latin_hypercube(samples, len(dims), seed)
    return [{d.path: value_at(d, float(u)) for d, u in zip(dims, row, strict=True)} for row in unit]


_NEXT_SETTING = re.compile(r",(?=\s*[A-Za-z_][\w.-]*\s*=)")
"""A comma that starts the next PATH=VALUE (a comma inside a value, ``[1, 2]``, does not)."""


def parse_policy(text: str) -> Policy:
    """Read ``NAME:PATH=VALUE[,PATH=VALUE...]``; each VALUE is read as YAML, as ``--set`` does."""
    name, sep, body = text.partition(":")
    name = name.strip()
    if not sep or not body.strip():
        raise InputError(f"--policy {text}: expected NAME:PATH=VALUE[,PATH=VALUE...]")
    if not re.match(NAME_PATTERN, name) or name == BASE:
        raise InputError(
            f"--policy {text}: the name {name!r} must be letters, digits, _ or - and not {BASE!r}"
        )
    settings: dict[str, Any] = {}
    for item in _NEXT_SETTING.split(body):
        try:
            path, value = parse_override(item.strip())
        except ScenarioError as err:
            raise InputError(f"--policy {text}: {err.problems[0].message}") from None
        if "=" not in item or path in settings:
            raise InputError(
                f"--policy {text}: {item.strip()!r}: expected PATH=VALUE, once per path"
            )
        settings[path] = value
    return Policy(name, settings)


def check_policies(base: Scenario, policies: Sequence[Policy]) -> None:
    """Every policy names fields of the scenario, with values it accepts, and names differ."""
    names = [p.name for p in policies]
    if len(set(names)) != len(names):
        raise InputError(f"--policy: two policies share a name ({', '.join(names)})")
    text = ScenarioText(scenario_to_yaml(base.model_copy(update={"uncertainties": {}})), base.name)
    for policy in policies:
        try:
            text.scenario(policy.settings)
        except ScenarioError as err:
            lines = (f"--policy {policy.name}: {p.path}: {p.message}" for p in err.problems)
            raise InputError("\n".join(lines)) from None
