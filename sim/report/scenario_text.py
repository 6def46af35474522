"""The scenario as run, for reviewers: readable numbers, and the file's comments beside them.

A run folder's ``scenario.yaml`` is written for machines (every field, exact
floats such as ``20000000000.0``). Reviewers read the report for where each figure
comes from: this writes the same scenario as YAML with numbers as people write
them (``20e9``) and each field's comment from the scenario file (its source or
"assumption"), noting fields the file did not set (defaults) and values that
differ from the file (``--set`` overrides). The text loads again with defsim.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import ScenarioError
from sim.scenario.comments import ScenarioComments, scenario_comments
from sim.scenario.yaml_lines import parse_yaml

__all__ = ["ScenarioLine", "readable_number", "scenario_html", "scenario_lines"]

FLOW_ITEMS = 6
"""A mapping of at most this many plain values is written on one line (``{uav: 0.4, ...}``)."""
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:/+-]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


@dataclass(frozen=True)
class ScenarioLine:
    """One line of the scenario: its YAML text, the file's comment, and a note of ours."""

    code: str
    comment: str = ""
    note: str = ""
    """``default`` (not in the file) or ``file: VALUE`` (overridden)."""


def scenario_lines(scenario: Mapping[str, Any], source: str = "") -> tuple[str, list[ScenarioLine]]:
    """The file's header comment and the scenario as lines, annotated from ``source``."""
    comments = scenario_comments(source) if source else ScenarioComments()
    written = _source_data(source)
    lines: list[ScenarioLine] = []
    _mapping(scenario, (), 0, lines, comments, written)
    return comments.header, lines


def readable_number(value: float) -> str:
    """A number as people write it in a scenario: ``20e9``, ``2.5e6``, ``0.15``, ``450``.

    Integers (counts, seeds) stay as they are; floats from 100,000 up get an exponent
    that is a multiple of three, as the shipped scenarios write money.
    """
    if isinstance(value, bool) or not math.isfinite(value):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if value != 0 and (abs(value) >= 100_000 or abs(value) < 1e-4):
        exponent = 3 * math.floor(math.log10(abs(value)) / 3)
        return f"{value / 10**exponent:.6g}e{exponent}"
    return f"{value:.6g}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def _source_data(source: str) -> dict[str, Any] | None:
    if not source:
        return None
    try:
        data, _ = parse_yaml(source, "<scenario>")
    except ScenarioError:
        return None
    return data


def _mapping(data: Mapping[str, Any], path: tuple[str, ...], indent: int,
             lines: list[ScenarioLine], comments: ScenarioComments,
             written: dict[str, Any] | None) -> None:
    pad = " " * indent
    for key, value in data.items():
        here = (*path, str(key))
        note = _note(here, value, written)
        comment = comments.by_path.get(".".join(here), "")
        if isinstance(value, Mapping) and value and not _flow(value):
            lines.append(ScenarioLine(f"{pad}{key}:", comment, "default" if note == "default"
                                      else ""))
            _mapping(value, here, indent + 2, lines, comments, written)
        elif isinstance(value, Sequence) and not isinstance(value, str) and value and any(
                isinstance(v, Mapping) for v in value):
            lines.append(ScenarioLine(f"{pad}{key}:", comment, "default" if note == "default"
                                      else ""))
            for i, item in enumerate(value):
                first = next(iter(item), "") if isinstance(item, Mapping) else ""
                item_comment = comments.by_path.get(".".join((*here, str(i), str(first))), "")
                lines.append(ScenarioLine(f"{pad}  - {_value(item)}", item_comment,
                                          _note((*here, str(i)), item, written)))
        else:
            lines.append(ScenarioLine(f"{pad}{key}: {_value(value)}", comment, note))


def _flow(value: Mapping[str, Any]) -> bool:
    return len(value) <= FLOW_ITEMS and not any(
        isinstance(v, Mapping | list | tuple) for v in value.values())


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return readable_number(value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED:
        return text
    return json.dumps(text, ensure_ascii=False)


def _note(path: tuple[str, ...], value: Any, written: dict[str, Any] | None) -> str:
    """``default`` when the file does not set ``path``, ``file: X`` when it set another value.

    A mapping the file sets in part (``reinvestment: {export_levy: 0.1}``) is the same
    when the keys it sets are: the others are defaults.
    """
    if written is None:
        return ""
    node: Any = written
    for part in path:
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return "default"
    if _same(node, value):
        return ""
    if isinstance(value, Mapping | list):
        return "differs from the file (--set)"
    return f"file: {_value(node)}"


def _same(a: Any, b: Any) -> bool:
    def plain(v: Any) -> Any:
        return json.loads(json.dumps(v, default=str))

    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return all(k in b and _same(v, b[k]) for k, v in a.items())
    return bool(plain(a) == plain(b))


def scenario_html(scenario: Mapping[str, Any], source: str = "") -> str:
    """The "Scenario as run" section of a report: fields beside the file's comments.

    ``source`` is the scenario file as written (``scenario_file.yaml``), shown in full
    under the table; without it the fields are listed alone.
    """
    header, lines = scenario_lines(scenario, source)
    rows = "".join(
        f'<tr><td class="code">{_escape(line.code)}</td><td>{_escape(line.comment)}'
        + (f' <span class="note">({_escape(line.note)})</span>' if line.note else "")
        + "</td></tr>"
        for line in lines
    )
    intro = "Every field as run (overrides applied, defaults filled in)."
    original = ""
    if source:
        intro += (" Beside each, the comment the scenario file gives it: its source, or the "
                  "word assumption.")
        original = ("<details><summary>The scenario file as written (scenario_file.yaml)"
                    f"</summary><pre>{_escape(source)}</pre></details>")
    return (f"<h2>Scenario as run</h2><p>{_escape(intro)}</p>"
            + (f'<p class="meta">{_escape(header)}</p>' if header else "")
            + '<table class="scenario"><thead><tr><th>field</th><th>source or assumption</th>'
            f"</tr></thead><tbody>{rows}</tbody></table>{original}")


def _escape(text: str) -> str:
    return html.escape(text, quote=True)
