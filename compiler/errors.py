"""Diagnostics: what the compiler tells a user about their input.

Every user mistake becomes one `Diagnostic`, printed as
`path:line:col: error[RULE-ID]: what is wrong — how to fix it`.
Stages collect diagnostics and return them as data; only reporters format them
and only the CLI decides the exit code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Location:
    """A place in a user's file. line and column are 1-based, as editors show them."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        return self.path


@dataclass(frozen=True)
class Diagnostic:
    rule: str
    message: str
    hint: str = ""
    location: Location | None = None
    severity: Severity = "error"
    key_path: tuple[str | int, ...] = field(default=())
    environment: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def format(self) -> str:
        where = f"{self.location}: " if self.location else ""
        text = f"{where}{self.severity}[{self.rule}]: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def sort_key(self) -> tuple:
        loc = self.location or Location("")
        return (loc.path, loc.line, loc.column, self.rule, self.message, self.environment or "")

    def to_dict(self) -> dict:
        loc = self.location
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
            "path": loc.path if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "keyPath": "/".join(str(part) for part in self.key_path),
            "environment": self.environment,
        }


def sorted_unique(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order, each diagnostic once.

    A mistake in a service file shows in every environment that compiles it: it is reported
    once, naming the environments it affects (comma-separated in `environment`).
    """
    merged: dict[tuple, tuple[Diagnostic, set[str]]] = {}
    for diag in diagnostics:
        loc = diag.location or Location("")
        key = (loc.path, loc.line, loc.column, diag.rule, diag.message, diag.severity, diag.hint)
        first, envs = merged.setdefault(key, (diag, set()))
        if diag.environment:
            envs.update(diag.environment.split(","))
    result = [replace(first, environment=",".join(sorted(envs)) or None) for first, envs in merged.values()]
    return sorted(result, key=lambda d: d.sort_key())


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


class UsageError(Exception):
    """The command was used wrongly (exit 2): a missing environment, a bad flag value."""


def unknown_names(what: str, names: Iterable[str], known: Iterable[str], of: str = "") -> UsageError:
    """Names given on the command line (an environment, a service, a version `of` a service) that
    the project does not have: a usage error, worded alike by every command."""
    names, known = list(names), sorted(known)
    quoted = ", ".join(repr(name) for name in names)
    close = difflib.get_close_matches(names[0], known, n=1) if len(names) == 1 else []
    suggestion = f" — did you mean {close[0]!r}?" if close else ""
    return UsageError(f"unknown {what}{'s' if len(names) > 1 else ''} {quoted}{' ' + of if of else ''}{suggestion} (known: {', '.join(known) or 'none'})")


class InputError(Exception):
    """Carries diagnostics out of a stage that cannot go on (exit 1)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("; ".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics
