"""Reporters for diagnostics and compile results: text for people, json for scripts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping

from ..errors import Diagnostic, Location
from ..source.load import display_path


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


# Where a bug is reported; the same address is [project.urls] Issues in pyproject.toml (a test
# keeps the two equal).
ISSUE_TRACKER = "https://github.com/acme/inferplane/issues"
# EX_SOFTWARE of sysexits.h: not 1 (a user's mistake) nor 2 (a wrong command line), so CI can tell
# a bug in the compiler from a bad input (docs/security-errors.md).
EXIT_INTERNAL_ERROR = 70


def internal_error_line(exc: BaseException, debug: bool) -> str:
    """One line for a bug: what broke, where to report it, how to see more."""
    what = " ".join(str(exc).split())  # one line, whatever the exception's text holds
    more = "" if debug else "; rerun with --debug for the traceback"
    return f"inferplane: internal error: {type(exc).__name__}{': ' + what if what else ''} — please report this at {ISSUE_TRACKER} with the command you ran{more}"


def os_error_line(exc: OSError) -> str:
    """A file the command could not read or write (a folder named like a spec, no permission):
    located at that file, like any other input error."""
    where = Location(display_path(Path(exc.filename)))
    reason = (exc.strerror or str(exc)).lower()
    return Diagnostic("IO", reason, "check that the path is a readable file (or a writable folder for rendered/)", where).format()
