"""The assumptions of a scenario as ranges: each ``uncertainties:`` entry checked against its field.

The shape of an entry (one distribution, ``low <= high``) is checked by the schema
(``sim.scenario.schema.Uncertainty``); what depends on the field it names is checked
here, once the scenario itself is valid: the path must name a value of this scenario
(with the closest valid path suggested), the distribution must suit the field's type
(a range for a number, ``choice`` for a choice field), and every value it can give
(both ends of a range, every choice) must make a valid scenario on its own.
"""

from __future__ import annotations

import copy
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.paths import PathError, assign, child, field_annotation, resolve_path
from sim.scenario.schema import CrossReferenceError, Scenario, Uncertainty
from sim.scenario.yaml_lines import Loc, dotted

__all__ = ["NOT_ASSUMPTIONS", "uncertainty_problems"]

NOT_ASSUMPTIONS = ("name", "description", "seed", "replications", "uncertainties")
"""Top-level fields that say how to run or label a scenario, not what it assumes."""

SECTION = "uncertainties"


def uncertainty_problems(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    """``(location, message)`` for every entry of ``data['uncertainties']`` that does not fit.

    ``data`` is the scenario as read (overrides applied) and already valid; the
    location is the entry's (``("uncertainties", PATH)``), so a problem names its line.
    """
    entries = data.get(SECTION) or {}
    base = {key: value for key, value in data.items() if key != SECTION}
    found: list[tuple[Loc, str]] = []
    for path, raw in entries.items():
        message = _entry_problem(str(path), Uncertainty.model_validate(raw), base)
        if message:
            found.append(((SECTION, path), message))
    return found


def _entry_problem(path: str, uncertainty: Uncertainty, base: dict[str, Any]) -> str | None:
    if path.split(".")[0] in NOT_ASSUMPTIONS:
        return f"{path.split('.')[0]!r} says how to run the scenario; it is not an assumption"
    try:
        loc = resolve_path(path, base)
    except PathError as err:
        return str(err)
    missing = _missing_value(loc, base)
    if missing:
        return missing
    kind_problem = _kind_problem(uncertainty, field_annotation(loc))
    if kind_problem:
        return kind_problem
    integer = field_annotation(loc) is int and uncertainty.kind != "choice"
    for value in uncertainty.extremes:
        # An integer field gets whole numbers (explore rounds what it draws): check those.
        if integer and isinstance(value, float):
            value = round(value)
        problem = _value_problem(base, loc, value)
        if problem:
            return problem
    return None


def _missing_value(loc: Loc, base: dict[str, Any]) -> str | None:
    """The entry must vary a value the scenario has (its base case), not create one."""
    node: Any = base
    for depth, key in enumerate(loc[:-1]):
        node = child(node, key)
        if not isinstance(node, dict | list):
            return f"the scenario has no {dotted(loc[: depth + 1])!r} to vary"
    if isinstance(node, dict) and loc[-1] not in node and _is_entry(loc):
        return f"the scenario has no {dotted(loc)!r} to vary"
    return None


def _is_entry(loc: Loc) -> bool:
    """Whether ``loc`` names an entry of a mapping (a sector's demand) rather than a field."""
    annotation = field_annotation(loc[:-1])
    return typing.get_origin(annotation) is dict


def _kind_problem(uncertainty: Uncertainty, annotation: Any) -> str | None:
    """A range needs a number field; ``choice`` needs values of the field's own kind."""
    kind = uncertainty.kind
    if _is_section(annotation):
        return "names a section, not a value: give the path of one of its fields"
    options = typing.get_args(annotation) if typing.get_origin(annotation) is typing.Literal else ()
    number = annotation in (int, float)
    if kind != "choice":
        if number:
            return None
        if options:
            return f"{kind} needs a number field; this one is one of {_listed(options)}: use choice"
        return f"{kind} needs a number field; this one holds {_type_name(annotation)}: use choice"
    for value in uncertainty.choice or ():
        if options and value not in options:
            return f"choice {value!r} is not one of {_listed(options)}"
        if number and (isinstance(value, bool) or not isinstance(value, int | float)):
            return f"choice {value!r} is not a number, and this field holds one"
        if annotation is bool and not isinstance(value, bool):
            return f"choice {value!r} is not true or false, and this field is"
    return None


def _value_problem(base: dict[str, Any], loc: Loc, value: Any) -> str | None:
    """Why ``value`` at ``loc`` makes the scenario invalid (the field's bounds, a sum), or None."""
    data = copy.deepcopy(base)
    assign(data, loc, value)
    try:
        Scenario.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where: Loc = tuple(p for p in first["loc"] if p != "[key]")
        reason = str(first["msg"]).removeprefix("Value error, ")
    except CrossReferenceError as err:
        where, reason = err.problems[0]
    else:
        return None
    if where == loc:
        return f"{value!r} is outside the field's bounds: {reason}"
    return f"{value!r} would make the scenario invalid at {dotted(where)}: {reason}"


def _is_section(annotation: Any) -> bool:
    model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return model or typing.get_origin(annotation) in (dict, tuple)


def _type_name(annotation: Any) -> str:
    names = {str: "text", bool: "true or false"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _listed(options: tuple[Any, ...]) -> str:
    return ", ".join(repr(o) for o in options)
