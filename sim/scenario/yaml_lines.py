"""Scenario files as YAML: read safely, with the line of every key.

Scenario files are small and hand-written, yet they come from users: the reader
bounds their size, their nodes and their nesting, allows no tags, and keeps the
line of every key and list item so that every problem can name ``FILE:LINE``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from sim.errors import Problem, ScenarioError

__all__ = ["MAX_FILE_BYTES", "Loader", "Loc", "dotted", "key_text", "parse_yaml", "read_text"]

MAX_FILE_BYTES = 1_000_000
"""Scenario files are hand-written; anything larger is a mistake or an attack."""
MAX_NODES = 50_000
"""Bound on YAML nodes visited, aliases expanded: stops 'billion laughs' documents."""

MAX_DEPTH = 40
"""Bound on nesting (the schema needs 6 levels): stops aliases that contain themselves."""

Loc = tuple[str | int, ...]
"""Where a value sits in the document: its keys and list indices from the root."""


class Loader(yaml.SafeLoader):
    """Safe loader that also reads YAML 1.2 floats such as ``20e9`` (YAML 1.1 wants ``20.0e+9``)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Turn a value that cannot be built (``2026-13-01``) into an error at its line."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as err:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {node.value!r}: {err}", node.start_mark
            ) from None


Loader.add_implicit_resolver(
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




def read_text(path: Path) -> str:
    """A scenario file's text; refused (``FILE:1``) if missing, not a file, too large, not UTF-8."""
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


def parse_yaml(text: str, filename: str) -> tuple[dict[str, Any], dict[Loc, int | str]]:
    """The document as a mapping and the line of every key; errors name the line."""
    try:
        loader = Loader(text)
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
    return dotted(max(here, key=len)) if here else "yaml"


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
            raise ScenarioError([Problem(f"{filename}:{line}", dotted(loc[:3]), message)])
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
                    problems.append(Problem(f"{filename}:{line}", dotted(child), "duplicate key"))
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



def dotted(loc: Loc) -> str:
    """``a.b.0.c``; a key with spaces or control characters is quoted so the line stays one line."""
    return ".".join(key_text(part) for part in loc)


def key_text(part: str | int) -> str:
    """A key or index as text; quoted and escaped if empty or spaced (a problem stays one line)."""
    text = str(part)
    if text and not re.search(r"\s", text):
        return text
    return "'" + text.encode("unicode_escape").decode("ascii").replace(" ", "\\x20") + "'"
