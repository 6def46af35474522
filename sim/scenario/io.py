"""Reading scenario files: safe YAML with line numbers, overrides, precise errors.

This is the only module that reads scenario files. Every problem is reported as
``FILE:LINE: dotted.path: message``; several problems are reported together.
"""

from __future__ import annotations

import copy
import typing
import weakref
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import Problem, ScenarioError
from sim.scenario.paths import (
    PathError,
    assign,
    field_annotation,
    resolve_path,
    suggest,
    unwrap_optional,
)
from sim.scenario.schema import CrossReferenceError, Scenario
from sim.scenario.uncertainties import uncertainty_problems
from sim.scenario.yaml_lines import (
    MAX_FILE_BYTES,
    Loader,
    Loc,
    key_text,
    parse_yaml,
    read_text,
)
from sim.scenario.yaml_lines import (
    dotted as path_text,
)

__all__ = [
    "MAX_FILE_BYTES",
    "ScenarioText",
    "load_scenario",
    "parse_override",
    "scenario_from_text",
    "scenario_source",
    "scenario_to_yaml",
]

_SOURCES: dict[int, str] = {}
"""The text each loaded scenario was read from, by ``id``, while the scenario lives."""

def load_scenario(
    path: str | Path,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Load, override and validate a scenario file.

    Parameters
    ----------
    path
        The YAML scenario file.
    overrides
        Either a mapping ``{"procurement.budget_usd": 12e9}`` of Python values, or
        ``"dotted.path=VALUE"`` strings as given to ``--set`` (VALUE is read as YAML).
        They are applied in order, after the file is read and before validation.

    Raises
    ------
    ScenarioError
        With one ``Problem`` per thing wrong.
    """
    path = Path(path)
    return scenario_from_text(read_text(path), str(path), overrides)


def scenario_from_text(
    text: str,
    filename: str = "<scenario>",
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Validate a scenario given as YAML text (see ``load_scenario``)."""
    return ScenarioText(text, filename).scenario(overrides)


class ScenarioText:
    """A scenario's YAML text, parsed once, to validate under many sets of overrides.

    Parsing is most of the cost of loading a scenario (some 50 ms, pure-Python
    YAML with line numbers; validating takes a few): the points of a sweep, an
    exploration or a sensitivity analysis each validate the same text with their
    own overrides, so they parse it once here.
    """

    def __init__(self, text: str, filename: str = "<scenario>") -> None:
        self.text, self.filename = text, filename
        self._data, self._lines = parse_yaml(text, filename)

    def scenario(
        self,
        overrides: Mapping[str, Any] | Iterable[str] | None = None,
        *,
        filename: str | None = None,
    ) -> Scenario:
        """The scenario with ``overrides`` applied (see ``load_scenario``); problems are
        named after ``filename``, by default the text's."""
        filename = self.filename if filename is None else filename
        data, lines = copy.deepcopy(self._data), dict(self._lines)
        pairs = _override_pairs(overrides)
        problems: list[Problem] = []
        for i, (dotted, value, where) in enumerate(pairs, start=1):
            try:
                loc = resolve_path(dotted, data)
            except PathError as err:
                problems.append(Problem(where or f"--set {i}", key_text(dotted), str(err)))
                continue
            assign(data, loc, value)
            lines[loc] = where or f"--set {i}"
        if problems:
            raise ScenarioError(problems)
        scenario = _validate(data, lines, filename)
        _SOURCES[id(scenario)] = self.text
        weakref.finalize(scenario, _SOURCES.pop, id(scenario), None)
        return scenario


def scenario_source(scenario: Scenario) -> str | None:
    """The text ``scenario`` was read from, comments and all (before overrides); None if built.

    Kept beside the scenario rather than in it: the scenario's fields are what was
    run, and two scenarios with the same fields are equal whatever file they came from.
    """
    return _SOURCES.get(id(scenario))


def scenario_to_yaml(scenario: Scenario) -> str:
    """The scenario as run: every field, defaults filled in, loadable again."""
    body = yaml.safe_dump(scenario.model_dump(mode="json"), sort_keys=False, width=100)
    return f"# Scenario as run by defsim (overrides applied, defaults filled in).\n{body}"


def parse_override(text: str, number: int = 1) -> tuple[str, Any]:
    """Split ``dotted.path=VALUE`` and read VALUE as a YAML scalar or flow collection.

    ``number`` is the override's position among the ``--set`` options, for messages.
    """
    where = f"--set {number}"
    dotted, sep, raw = text.partition("=")
    if not sep or not dotted.strip():
        raise ScenarioError([Problem(where, key_text(text), "expected dotted.path=VALUE")])
    dotted = dotted.strip()
    try:
        value = yaml.load(raw, Loader=Loader) if raw.strip() else ""
    except yaml.YAMLError as err:
        if isinstance(err, yaml.MarkedYAMLError):
            reason = " ".join(str(m) for m in (err.context, err.problem) if m)
        else:
            reason = " ".join(str(err).split())
        message = f"cannot read value {raw!r}: {reason}"
        raise ScenarioError([Problem(where, key_text(dotted), message)]) from None
    return dotted, value


# --- overrides -----------------------------------------------------------------------


def _override_pairs(
    overrides: Mapping[str, Any] | Iterable[str] | None,
) -> list[tuple[str, Any, str | None]]:
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [(k, v, f"override {k}") for k, v in overrides.items()]
    if isinstance(overrides, str):
        overrides = [overrides]
    return [(*parse_override(text, i), None) for i, text in enumerate(overrides, start=1)]


# --- validation ----------------------------------------------------------------------


def _validate(data: dict[str, Any], lines: dict[Loc, int | str], filename: str) -> Scenario:
    wrong = [
        Problem(_where(loc, lines, filename), path_text(loc), msg)
        for loc, msg in _bool_numbers(data)
    ]
    if wrong:
        raise ScenarioError(wrong)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems = [_problem_from_pydantic(e, lines, filename) for e in err.errors()]
    except CrossReferenceError as err:
        problems = [
            Problem(_where(loc, lines, filename), path_text(loc), msg) for loc, msg in err.problems
        ]
    else:
        problems = [
            Problem(_where(loc, lines, filename), path_text(loc), msg)
            for loc, msg in uncertainty_problems(data)
        ]
        if not problems:
            return scenario
    raise ScenarioError(_dedupe(problems))


def _bool_numbers(value: Any, annotation: Any = Scenario, loc: Loc = ()) -> list[tuple[Loc, str]]:
    """``true``/``false`` where a number belongs: pydantic would read them as 1 and 0."""
    annotation = unwrap_optional(annotation)
    origin = typing.get_origin(annotation)
    if annotation in (int, float):
        if isinstance(value, bool):
            return [(loc, f"expected a number, got {str(value).lower()}")]
        return []
    found: list[tuple[Loc, str]] = []
    is_model = isinstance(annotation, type) and issubclass(annotation, BaseModel)
    if is_model and isinstance(value, dict):
        fields = annotation.model_fields
        for key, child in value.items():
            if key in fields:
                found += _bool_numbers(child, fields[key].annotation, (*loc, key))
    elif origin is dict and isinstance(value, dict):
        for key, child in value.items():
            found += _bool_numbers(child, typing.get_args(annotation)[1], (*loc, key))
    elif origin is tuple and isinstance(value, list):
        for i, child in enumerate(value):
            found += _bool_numbers(child, typing.get_args(annotation)[0], (*loc, i))
    return found


def _problem_from_pydantic(error: Any, lines: dict[Loc, int | str], filename: str) -> Problem:
    loc: Loc = tuple(part for part in error["loc"] if part != "[key]")
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = f"unknown key{suggest(str(loc[-1]), _known_fields(loc[:-1]))}"
    elif error["type"] == "missing":
        message = "required field is missing"
    return Problem(_where(loc, lines, filename), path_text(loc) or "scenario", message)


def _known_fields(loc: Loc) -> list[str]:
    """Field names of the section at ``loc``, to suggest the closest to a misspelt key."""
    annotation = field_annotation(loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _where(loc: Loc, lines: dict[Loc, int | str], filename: str) -> str:
    """Where the problem at ``loc`` was written: the ``--set`` that changed it, else a line.

    A rule over a whole section (shares that must sum to 1) broken by a ``--set`` of
    one entry (``procurement.sector_shares.uav=0.7``) is blamed on that ``--set``,
    not on the file's line of the section, which was fine as written.
    """
    if loc and not isinstance(lines.get(loc), str):
        inside = [where for key, where in lines.items()
                  if isinstance(where, str) and len(key) > len(loc) and key[: len(loc)] == loc]
        if inside:
            return ", ".join(inside)
    for end in range(len(loc), 0, -1):
        found = lines.get(loc[:end])
        if isinstance(found, str):
            return found
        if found is not None:
            return f"{filename}:{found}"
    return f"{filename}:1"


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
