"""Reporters for diagnostics and compile results: text for people, json for scripts."""

from __future__ import annotations

import json
from typing import Iterable, Mapping

from ..errors import Diagnostic


def diagnostics_text(diagnostics: Iterable[Diagnostic], environments: Iterable[str] = ()) -> str:
    """One line per diagnostic; names the environments when only some of them are affected."""
    compiled = set(environments)
    lines = []
    for diag in diagnostics:
        line = diag.format()
        affected = set(diag.environment.split(",")) if diag.environment else set()
        if affected and len(compiled) > 1 and affected != compiled:
            line += f" [environment {', '.join(sorted(affected))}]"
        lines.append(line)
    return "\n".join(lines)


def summary_line(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"


def to_json(payload: dict) -> str:
    return json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False)


def use_color(flag: bool | None, is_terminal: bool, environ: Mapping[str, str]) -> bool:
    """--color/--no-color when given; otherwise colour on a terminal unless NO_COLOR holds any
    non-empty value (https://no-color.org: the command-line flag still overrides it)."""
    if flag is not None:
        return flag
    return is_terminal and not environ.get("NO_COLOR")


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """--quiet: what fails the run, nothing else."""
    return [d for d in diagnostics if d.is_error]
