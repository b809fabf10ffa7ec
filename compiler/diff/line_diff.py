"""The unified line diff of one resource's YAML, as reviewers read it in a pull request."""

from __future__ import annotations

import difflib

from .result import DiffResult, EnvironmentDiff, ResourceChange

CONTEXT_LINES = 3


def line_diff(change: ResourceChange, old_prefix: str, new_prefix: str, context: int = CONTEXT_LINES) -> list[str]:
    """`--- a/...`, `+++ b/...`, hunks: only this resource, redacted and without noise."""
    from_file = f"a/{old_prefix}/{change.old.path}" if change.old else "/dev/null"
    to_file = f"b/{new_prefix}/{change.new.path}" if change.new else "/dev/null"
    return list(
        difflib.unified_diff(
            change.old_text.splitlines(),
            change.new_text.splitlines(),
            fromfile=from_file,
            tofile=to_file,
            lineterm="",
            n=context,
        )
    )


def side_prefixes(result: DiffResult, environment: EnvironmentDiff) -> tuple[str, str]:
    """Folder names for the two sides: the environment, or for drift the two environments."""
    if result.kind == "environments":
        return result.base, result.head
    return environment.name, environment.name
