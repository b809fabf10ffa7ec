"""Terminal output: per environment, the summary, then each changed resource with its changed fields.

ANSI colours only when `color=True`; the CLI decides (a tty, `--color`), this module never looks.
"""

from __future__ import annotations

import json
from typing import Any

from .line_diff import line_diff, side_prefixes
from .result import ChangeGroup, DiffResult, EnvironmentDiff, FieldChange, ResourceChange
from .risk import budget_figure, risks

_STYLES = {"added": "32", "removed": "31", "changed": "33", "renamed": "36", "title": "1", "dim": "2"}
_MARKS = {"added": "+", "removed": "-", "changed": "~", "renamed": "→"}
_FIELD_MARKS = {"add": "+", "remove": "-", "replace": "~", "reorder": "↕"}
_FIELD_STYLES = {"add": "added", "remove": "removed", "replace": "changed", "reorder": "changed"}
MAX_VALUE_CHARS = 160  # a whole added container on one line is unreadable; the YAML diff has it all
SERVICES_NAMED = 3  # a group names its first services, then counts the rest


def render_text(result: DiffResult, color: bool = False, line_diffs: bool = False) -> str:
    """Plain text; `line_diffs=True` adds each resource's unified YAML diff under its fields."""
    paint = _painter(color)
    lines = [paint("title", f"inferplane diff: {result.base} → {result.head}")]
    lines += [paint("dim", f"note: {note}") for note in result.notes]
    if not result.changed:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    found = risks(result)
    if found:
        lines += ["", paint("title", f"review first ({len(found)}, highest risk first):")]
        lines += [f"  ! {risk.environment}: {risk.text}" for risk in found]
    for environment in result.environments:
        if environment.changed:
            lines.append("")
            lines += _environment(result, environment, paint, line_diffs)
    return "\n".join(lines) + "\n"


def _environment(result: DiffResult, environment: EnvironmentDiff, paint, line_diffs: bool) -> list[str]:
    counts = ", ".join(f"{count} {status}" for status, count in environment.counts().items() if count)
    lines = [paint("title", f"== {environment.name}: {counts or 'images changed'} ==")]
    for line in environment.gpu_budget:
        quota = f" of quota {line.quota}" if line.quota is not None else ""
        lines.append(f"  GPU budget {line.gpu_class}: {budget_figure(line.old)} → {budget_figure(line.new)}{quota}{' (grows)' if line.grows else ''}")
    for group in environment.groups:
        lines += _group(group, paint)
    grouped = environment.grouped()
    service = None
    for item in environment.summary:
        if item.topic == "resources" or item.resource in grouped:
            continue  # the resource list below, or a group, says it already
        if item.service != service:
            service = item.service
            lines.append(f"  {service}")
        lines.append(f"    • {item.text}")
    old_prefix, new_prefix = side_prefixes(result, environment)
    for change in environment.changes:
        if change.display in grouped:
            continue
        lines += _change(change, paint)
        if line_diffs:
            lines += ["      " + _paint_diff_line(line, paint) for line in line_diff(change, old_prefix, new_prefix)]
    return lines


def group_services(group: ChangeGroup) -> tuple[tuple[str, ...], int]:
    """The services a group names, and how many more it only counts."""
    return group.services[:SERVICES_NAMED], len(group.services) - len(group.services[:SERVICES_NAMED])


def _group(group: ChangeGroup, paint) -> list[str]:
    shown, rest = group_services(group)
    names = ", ".join(shown) + (f" and {rest} more" if rest else "")
    lines = [paint("changed", f"  ~ {group.kind} in {len(group.members)} services ({names}), each:")]
    return lines + ["      " + _field(field, paint) for field in group.fields]


def _change(change: ResourceChange, paint) -> list[str]:
    heading = f"  {_MARKS[change.status]} {change.display}"
    if change.status == "renamed" and change.similarity is not None:
        heading += f" (renamed, {round(change.similarity * 100)}% similar)"
    where = change.path + (f" ← {change.cause}" if change.cause and not change.fields else "")
    lines = [paint(change.status, heading) + paint("dim", f"  {where}")]
    lines += ["      " + _field(field, paint) for field in change.fields]
    return lines


def _field(field: FieldChange, paint) -> str:
    cause = paint("dim", f"  ← {field.cause} ({field.cause_kind})") if field.cause else ""
    return _field_text(field, paint) + cause


def _field_text(field: FieldChange, paint) -> str:
    mark = paint(_FIELD_STYLES[field.op], _FIELD_MARKS[field.op])
    if field.op == "add":
        return f"{mark} {field.path}: {value_text(field.new)}"
    if field.op == "remove":
        return f"{mark} {field.path}: {value_text(field.old)}"
    if field.op == "reorder":
        return f"{mark} {field.path} order: {value_text(field.old)} → {value_text(field.new)}"
    return f"{mark} {field.path}: {value_text(field.old)} → {value_text(field.new)}"


def value_text(value: Any) -> str:
    plain = isinstance(value, str) and value and value.strip() == value and "\n" not in value
    text = value if plain else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _paint_diff_line(line: str, paint) -> str:
    if line.startswith(("+++", "---")):
        return paint("title", line)
    if line.startswith("+"):
        return paint("added", line)
    if line.startswith("-"):
        return paint("removed", line)
    if line.startswith("@@"):
        return paint("renamed", line)
    return line


def _painter(color: bool):
    def paint(style: str, text: str) -> str:
        return f"\033[{_STYLES[style]}m{text}\033[0m" if color else text

    return paint
