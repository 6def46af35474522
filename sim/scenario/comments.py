"""The comments of a scenario file: its sources and assumptions, by dotted path.

Scenario files say where each figure comes from and what is assumed in YAML
comments (DESIGN.md, "Scenario file"); a report of the scenario as run keeps them
next to the values they explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sim.errors import ScenarioError
from sim.scenario.yaml_lines import dotted, parse_yaml

__all__ = ["ScenarioComments", "scenario_comments"]

_TRAILING = re.compile(r"""^(?:[^#'"]|'[^']*'|"[^"]*")*?\s#\s?(?P<text>.*)$""")
"""A comment after a value: a ``#`` outside quotes, preceded by a space."""


@dataclass(frozen=True)
class ScenarioComments:
    """The file's opening comment block, and the comment of each key (lines above and beside)."""

    header: str = ""
    by_path: dict[str, str] = field(default_factory=dict)


def scenario_comments(text: str) -> ScenarioComments:
    """The comments of scenario ``text``; none if it does not parse as YAML.

    A comment belongs to the first key on its line; full-line comments belong to the
    key below them, unless indented past it: then they continue the comment of the
    line above (a long source wrapped onto the next lines).
    """
    try:
        _, lines = parse_yaml(text, "<scenario>")
    except ScenarioError:
        return ScenarioComments()
    first_key: dict[int, str] = {}
    for loc, line in sorted(lines.items(), key=lambda item: len(item[0])):
        if isinstance(line, int) and isinstance(loc[-1], str):
            first_key.setdefault(line, dotted(loc))
    rows = text.splitlines()
    notes: dict[int, list[str]] = {}
    header: list[str] = []
    pending: list[str] = []
    last_key = 0
    for number, row in enumerate(rows, start=1):
        stripped = row.lstrip()
        if stripped.startswith("#"):
            words = stripped.lstrip("#").strip()
            follows = last_key and len(row) - len(stripped) > _indent(rows, number)
            (notes[last_key] if follows else pending if last_key else header).append(words)
        elif number in first_key:
            match = _TRAILING.match(row)
            notes[number] = [*pending, *([match.group("text").strip()] if match else [])]
            pending, last_key = [], number
        elif stripped:
            pending = []
    by_path = {first_key[n]: " ".join(w for w in words if w) for n, words in notes.items()}
    return ScenarioComments("\n".join(header), {p: c for p, c in by_path.items() if c})


def _indent(rows: list[str], number: int) -> int:
    """Indent of the next line after ``number`` (1-based) that is neither blank nor a comment."""
    for row in rows[number:]:
        stripped = row.lstrip()
        if stripped and not stripped.startswith("#"):
            return len(row) - len(stripped)
    return 0
