"""Errors a user can act on: each names where the problem is and what it is."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "InputError",
    "MissingExtraError",
    "Problem",
    "RunError",
    "ScenarioError",
    "require",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: ``WHERE: dotted.path: message``."""

    where: str
    """``FILE:LINE`` for scenario files, ``--set N`` for command-line overrides."""
    path: str
    """Dotted path of the field, or ``yaml`` for a document that does not parse."""
    message: str

    def __str__(self) -> str:
        """``WHERE: dotted.path: message``, control characters escaped so it stays one line."""
        path = _escape(self.path, r"\s") or "scenario"
        return f"{_escape(self.where)}: {path}: {_escape(self.message) or 'invalid'}"


def _escape(text: str, pattern: str = "[\x00-\x1f\x7f\x85\u2028\u2029]") -> str:
    r"""Keep a problem on one line: control characters (and, in paths, spaces) as ``\xNN``."""
    return re.sub(pattern, lambda m: f"\\x{ord(m.group()):02x}", text)


class InputError(Exception):
    """Bad input (a path, an option): the CLI reports it in one line and exits 2."""


class ScenarioError(InputError):
    """A scenario that cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class RunError(Exception):
    """A run that failed for a reason outside its input (a worker died): exit 1, one line."""


class MissingExtraError(RunError):
    """An optional dependency is not installed: exit 1, one line naming the pip command.

    Not bad input (exit 2): the command and its options are right; the environment
    lacks a package that ``pip install -e '.[EXTRA]'`` adds.
    """

    def __init__(self, what: str, module: str, extra: str) -> None:
        super().__init__(
            f"{what} needs {module}, which is not installed; add the '{extra}' extra: "
            f"pip install -e '.[{extra}]' in a clone (pip install 'defsim[{extra}]' otherwise)"
        )
        self.module = module
        self.extra = extra


def require(module: str, extra: str, what: str) -> None:
    """MissingExtraError unless ``module`` can be imported; called before any work starts."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(what, module, extra)
