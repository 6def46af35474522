"""Reading scenario files: safe YAML with line numbers, overrides, precise errors.

This is the only module that reads scenario files. Every problem is reported as
``FILE:LINE: dotted.path: message``; several problems are reported together.
"""

from __future__ import annotations

import difflib
import itertools
import re
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import Problem, ScenarioError
from sim.schema import CrossReferenceError, Scenario

__all__ = [
    "MAX_FILE_BYTES",
    "load_scenario",
    "parse_override",
    "scenario_from_text",
    "scenario_to_yaml",
]

MAX_FILE_BYTES = 1_000_000
"""Scenario files are hand-written; anything larger is a mistake or an attack."""
MAX_NODES = 50_000
"""Bound on YAML nodes visited, aliases expanded: stops 'billion laughs' documents."""

MAX_DEPTH = 40
"""Bound on nesting (the schema needs 6 levels): stops aliases that contain themselves."""

Loc = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """Safe loader that also reads YAML 1.2 floats such as ``20e9`` (YAML 1.1 wants ``20.0e+9``)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Turn a value that cannot be built (``2026-13-01``) into an error at its line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r}: {err}", node.start_mark
            ) from None


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


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
    return scenario_from_text(_read_text(path), str(path), overrides)


def scenario_from_text(
    text: str,
    filename: str = "<scenario>",
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Validate a scenario given as YAML text (see ``load_scenario``)."""
    data, lines = _parse_yaml(text, filename)
    pairs = _override_pairs(overrides)
    problems: list[Problem] = []
    for i, (dotted, value, where) in enumerate(pairs, start=1):
        try:
            loc = _resolve_path(dotted, data)
        except _PathError as err:
            problems.append(Problem(where or f"--set {i}", _key_text(dotted), str(err)))
            continue
        _assign(data, loc, value)
        lines[loc] = where or f"--set {i}"
    if problems:
        raise ScenarioError(problems)
    return _validate(data, lines, filename)


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
        raise ScenarioError([Problem(where, _key_text(text), "expected dotted.path=VALUE")])
    dotted = dotted.strip()
    try:
        value = yaml.load(raw, Loader=_Loader) if raw.strip() else ""
    except yaml.YAMLError as err:
        if isinstance(err, yaml.MarkedYAMLError):
            reason = " ".join(str(m) for m in (err.context, err.problem) if m)
        else:
            reason = " ".join(str(err).split())
        message = f"cannot read value {raw!r}: {reason}"
        raise ScenarioError([Problem(where, _key_text(dotted), message)]) from None
    return dotted, value


# --- reading -------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    where = f"{path}:1"
    try:
        if not path.exists():
            raise ScenarioError([Problem(where, "scenario", "no such file")])
        if path.is_dir():
            raise ScenarioError([Problem(where, "scenario", "is a directory, not a scenario file")])
        if not path.is_file():
            raise ScenarioError([Problem(where, "scenario", "not a regular file")])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = f"the limit is {MAX_FILE_BYTES:,}"
            raise ScenarioError([Problem(where, "scenario", f"file is {size:,} bytes; {limit}")])
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ScenarioError([Problem(where, "scenario", f"cannot read ({err.strerror})")]) from None
    if len(raw) > MAX_FILE_BYTES:
        too_big = f"file is larger than {MAX_FILE_BYTES:,} bytes"
        raise ScenarioError([Problem(where, "scenario", too_big)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ScenarioError(
            [Problem(f"{path}:{line}", "scenario", f"not UTF-8 text (byte {raw[err.start]:#04x})")]
        ) from None


def _parse_yaml(text: str, filename: str) -> tuple[dict[str, Any], dict[Loc, int | str]]:
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        message = f"character {err.character:#06x} is not allowed (a control character)"
        raise ScenarioError([Problem(f"{filename}:{line}", "yaml", message)]) from None
    lines: dict[Loc, int | str] = {}
    try:
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError([Problem(f"{filename}:1", "scenario", "the file is empty")])
        lines = _key_lines(node, filename)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(str(m) for m in (err.context, err.problem) if m)
        if "'\\t'" in message:
            message = "a tab character: indent YAML with spaces, not tabs"
        if message.startswith(_UNKNOWN_TAG):
            tag = message.removeprefix(_UNKNOWN_TAG).strip(" '").replace("tag:yaml.org,2002:", "!!")
            message = f"the tag {tag} is not allowed (scenarios hold plain YAML values only)"
        where = f"{filename}:{line}"
        raise ScenarioError([Problem(where, _path_at(lines, line), message)]) from None
    except yaml.YAMLError as err:
        reason = " ".join(str(err).split())
        raise ScenarioError([Problem(f"{filename}:1", "yaml", reason)]) from None
    except RecursionError:
        raise ScenarioError([Problem(f"{filename}:1", "yaml", "nested too deeply")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError(
            [Problem(f"{filename}:1", "scenario", f"expected a mapping of sections, got {kind}")]
        )
    return data, lines


_UNKNOWN_TAG = "could not determine a constructor for the tag"


def _path_at(lines: dict[Loc, int | str], line: int) -> str:
    """The deepest key on ``line``, or ``yaml`` when the document did not parse that far."""
    here = [loc for loc, found in lines.items() if found == line and isinstance(loc[-1], str)]
    return _dotted(max(here, key=len)) if here else "yaml"


def _key_lines(root: yaml.Node, filename: str) -> dict[Loc, int | str]:
    """Line of every key and list item, by path; rejects duplicate keys and alias bombs."""
    lines: dict[Loc, int | str] = {}
    problems: list[Problem] = []
    stack: list[tuple[Loc, yaml.Node]] = [((), root)]
    visited = 0
    while stack:
        loc, node = stack.pop()
        visited += 1
        if len(loc) > MAX_DEPTH:
            line = node.start_mark.line + 1
            message = f"nested more than {MAX_DEPTH} levels deep (an alias inside itself?)"
            raise ScenarioError([Problem(f"{filename}:{line}", _dotted(loc[:3]), message)])
        if visited > MAX_NODES:
            raise ScenarioError(
                [
                    Problem(
                        f"{filename}:1",
                        "yaml",
                        f"more than {MAX_NODES:,} nodes (aliases expanding, or inside themselves?)",
                    )
                ]
            )
        if isinstance(node, yaml.MappingNode):
            seen: set[object] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
                child = (*loc, key)
                line = key_node.start_mark.line + 1
                if key in seen:
                    problems.append(Problem(f"{filename}:{line}", _dotted(child), "duplicate key"))
                seen.add(key)
                lines.setdefault(child, line)
                stack.append((child, value_node))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                child = (*loc, i)
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((child, item))
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.where))
    return lines


# --- overrides -----------------------------------------------------------------------


class _PathError(Exception):
    pass


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


def _resolve_path(dotted: str, data: dict[str, Any]) -> Loc:
    """Check a dotted path against the schema; list indices become ints."""
    loc: list[str | int] = []
    annotation: Any = Scenario
    node: Any = data
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        annotation = _unwrap_optional(annotation)
        origin = typing.get_origin(annotation)
        is_last = depth == len(parts) - 1
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = annotation.model_fields
            if part not in fields:
                raise _PathError(f"unknown field {part!r}{_suggest(part, fields)}")
            annotation = fields[part].annotation
            key: str | int = part
        elif origin is dict:
            known = list(node) if isinstance(node, dict) else []
            if part not in known and not is_last:
                raise _PathError(f"no entry {part!r} here{_suggest(part, known)}")
            annotation = typing.get_args(annotation)[1]
            key = part
        elif origin is tuple:
            if not part.isdigit():
                raise _PathError(f"{part!r} should be a list index (0, 1, ...)")
            key = int(part)
            if not isinstance(node, list) or key >= len(node):
                raise _PathError(f"index {key} is beyond the end of the list")
            annotation = typing.get_args(annotation)[0]
        else:
            raise _PathError(f"{'.'.join(parts[:depth])!r} is a value, not a section")
        loc.append(key)
        node = _child(node, key)
    return tuple(loc)


def _unwrap_optional(annotation: Any) -> Any:
    """Strip ``Annotated[...]`` and ``X | None`` down to the type that holds the value."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    return None


def _assign(data: dict[str, Any], loc: Loc, value: Any) -> None:
    """Set ``value`` at ``loc``, making sections on the way (a name needs a mapping)."""
    node: Any = data
    for key, below in itertools.pairwise(loc):
        nxt = _child(node, key)
        if isinstance(below, str) and not isinstance(nxt, dict):
            nxt = {}
            node[key] = nxt
        node = nxt
    node[loc[-1]] = value


def _suggest(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- validation ----------------------------------------------------------------------


def _validate(data: dict[str, Any], lines: dict[Loc, int | str], filename: str) -> Scenario:
    wrong = [
        Problem(_where(loc, lines, filename), _dotted(loc), msg) for loc, msg in _bool_numbers(data)
    ]
    if wrong:
        raise ScenarioError(wrong)
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        problems = [_problem_from_pydantic(e, lines, filename) for e in err.errors()]
    except CrossReferenceError as err:
        problems = [
            Problem(_where(loc, lines, filename), _dotted(loc), msg) for loc, msg in err.problems
        ]
    raise ScenarioError(_dedupe(problems))


def _bool_numbers(value: Any, annotation: Any = Scenario, loc: Loc = ()) -> list[tuple[Loc, str]]:
    """``true``/``false`` where a number belongs: pydantic would read them as 1 and 0."""
    annotation = _unwrap_optional(annotation)
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
        message = f"unknown key{_suggest(str(loc[-1]), _known_fields(loc[:-1]))}"
    elif error["type"] == "missing":
        message = "required field is missing"
    return Problem(_where(loc, lines, filename), _dotted(loc) or "scenario", message)


def field_annotation(loc: Loc) -> Any:
    """The type held at a path of the schema (dict keys and list indices pass through), or None."""
    annotation: Any = Scenario
    for part in loc:
        annotation = _unwrap_optional(annotation)
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
    return _unwrap_optional(annotation)


def _known_fields(loc: Loc) -> list[str]:
    """Field names of the section at ``loc``, to suggest the closest to a misspelt key."""
    annotation = field_annotation(loc)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _where(loc: Loc, lines: dict[Loc, int | str], filename: str) -> str:
    for end in range(len(loc), 0, -1):
        found = lines.get(loc[:end])
        if isinstance(found, str):
            return found
        if found is not None:
            return f"{filename}:{found}"
    return f"{filename}:1"


def _dotted(loc: Loc) -> str:
    """``a.b.0.c``; a key with spaces or control characters is quoted so the line stays one line."""
    return ".".join(_key_text(part) for part in loc)


def _key_text(part: str | int) -> str:
    text = str(part)
    if text and not re.search(r"\s", text):
        return text
    return "'" + text.encode("unicode_escape").decode("ascii").replace(" ", "\\x20") + "'"


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
