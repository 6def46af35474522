"""Dotted paths into a scenario: checked against the schema, resolved, assigned.

``--set``, sweeps, sensitivity factors and the ``uncertainties:`` section all name
scenario fields by dotted path (``licensing.commission.decisions_per_meeting``,
``markets.nordic_baltic.demand_usd.uav``); this module is the one place that reads
such a path against the schema, suggests the closest name for a misspelt one, and
sets a value there.
"""

from __future__ import annotations

import difflib
import itertools
import types
import typing
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from sim.scenario.schema import Scenario
from sim.scenario.yaml_lines import Loc

__all__ = [
    "PathError",
    "assign",
    "child",
    "field_annotation",
    "resolve_path",
    "suggest",
    "unwrap_optional",
]


class PathError(Exception):
    """A dotted path that does not name a field of the scenario; the message says why."""


def resolve_path(dotted: str, data: dict[str, Any]) -> Loc:
    """Check a dotted path against the schema; list indices become ints."""
    loc: list[str | int] = []
    annotation: Any = Scenario
    node: Any = data
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        annotation = unwrap_optional(annotation)
        origin = typing.get_origin(annotation)
        is_last = depth == len(parts) - 1
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields
            if part not in fields:
                raise PathError(f"unknown field {part!r}{suggest(part, fields)}")
            annotation = fields[part].annotation
            key: str | int = part
        elif origin is dict:
            known = list(node) if isinstance(node, dict) else []
            if part not in known and not is_last:
                raise PathError(f"no entry {part!r} here{suggest(part, known)}")
            annotation = typing.get_args(annotation)[1]
            key = part
        elif origin is tuple:
            if not part.isdigit():
                raise PathError(f"{part!r} should be a list index (0, 1, ...)")
            key = int(part)
            if not isinstance(node, list) or key >= len(node):
                raise PathError(f"index {key} is beyond the end of the list")
            annotation = typing.get_args(annotation)[0]
        else:
            raise PathError(f"{'.'.join(parts[:depth])!r} is a value, not a section")
        loc.append(key)
        node = child(node, key)
    return tuple(loc)


def unwrap_optional(annotation: Any) -> Any:
    """Strip ``Annotated[...]`` and ``X | None`` down to the type that holds the value."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def child(node: Any, key: str | int) -> Any:
    """The value at ``key`` of a mapping or list, or None when there is none."""
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def assign(data: dict[str, Any], loc: Loc, value: Any) -> None:
    """Set ``value`` at ``loc``, making sections on the way (a name needs a mapping)."""
    node: Any = data
    for key, below in itertools.pairwise(loc):
        nxt = child(node, key)
        if isinstance(below, str) and not isinstance(nxt, dict):
            nxt = {}
            node[key] = nxt
        node = nxt
    node[loc[-1]] = value


def suggest(word: str, options: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` with the option closest to ``word``, or nothing."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def field_annotation(loc: Loc) -> Any:
    """The type held at a path of the schema (dict keys and list indices pass through), or None."""
    annotation: Any = Scenario
    for part in loc:
        annotation = unwrap_optional(annotation)
        origin = typing.get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(part))
            if field is None:
                return None
            annotation = field.annotation
        elif origin in (dict, tuple):
            args = typing.get_args(annotation)
            annotation = args[1] if origin is dict else args[0]
        else:
            return None
    return unwrap_optional(annotation)
