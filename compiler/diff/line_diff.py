"""The unified line diff of one resource's YAML, as reviewers read it in a pull request."""

from __future__ import annotations

import difflib

from ..source.yaml_io import dump
from .fields import align
from .result import DiffResult, EnvironmentDiff, ResourceChange

CONTEXT_LINES = 3


def line_diff(change: ResourceChange, old_prefix: str, new_prefix: str, context: int = CONTEXT_LINES) -> list[str]:
    """`--- rendered/<env>/...`, `+++ rendered/<env>/...`, hunks: only this resource, redacted and
    without noise. The headers are the files' paths in the repository (no git-style a/ and b/), so a
    reviewer can open or search them as written."""
    old_text, new_text = yaml_texts(change)
    from_file = f"rendered/{old_prefix}/{change.old.path}" if change.old else "/dev/null"
    to_file = f"rendered/{new_prefix}/{change.new.path}" if change.new else "/dev/null"
    return list(
        difflib.unified_diff(
            old_text.splitlines(),
            new_text.splitlines(),
            fromfile=from_file,
            tofile=to_file,
            lineterm="",
            n=context,
        )
    )


def yaml_texts(change: ResourceChange) -> tuple[str, str]:
    """Canonical YAML of both sides ('' when absent); the new side keeps the old side's spellings of equal values."""
    old_body = change.old.body if change.old else None
    new_body = change.new.body if change.new else None
    old_text = dump(old_body) if old_body is not None else ""
    if new_body is None:
        return old_text, ""
    return old_text, dump(align(old_body, new_body) if old_body is not None else new_body)


def side_prefixes(result: DiffResult, environment: EnvironmentDiff) -> tuple[str, str]:
    """Folder names for the two sides: the environment, or for drift the two environments."""
    if result.kind == "environments":
        return result.base, result.head
    return environment.name, environment.name
