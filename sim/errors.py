"""Errors a user can act on: each names where the problem is and what it is."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["InputError", "Problem", "ScenarioError"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: ``WHERE: dotted.path: message``."""

    where: str
    """``FILE:LINE`` for scenario files, ``--set N`` for command-line overrides."""
    path: str
    """Dotted path of the field, or ``yaml`` for a document that does not parse."""
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.path}: {self.message}"


class InputError(Exception):
    """Bad input (a path, an option): the CLI reports it in one line and exits 2."""


class ScenarioError(InputError):
    """A scenario that cannot be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems
