"""Markdown for a pull-request comment: the summary first, then one collapsed line diff per changed resource.

GitHub rejects comments over 65,536 characters ("Body is too long", argocd-diff-preview#42), so
the output stays under `max_bytes` UTF-8 bytes (65,000 by default, `diff --max-bytes`; bytes, so
that any limit counted in characters holds too): resources that do not fit are left out whole,
counted in a closing note, so a cut never falls inside a `<details>` block or a code fence. The
summary is never dropped for a resource block. The first line is a hidden marker
(`<!-- inferplane-diff -->`) by which CI finds and edits its own earlier comment.
"""

from __future__ import annotations

import html
import re

from .line_diff import line_diff, side_prefixes
from .result import BudgetChange, ChangeGroup, DiffResult, EnvironmentDiff, ResourceChange, SummaryItem
from .risk import budget_figure, risks
from .report_text import group_services, value_text

GITHUB_COMMENT_LIMIT = 65_536
DEFAULT_MAX_BYTES = DEFAULT_MAX_CHARS = 65_000
MARKER = "<!-- inferplane-diff -->"
_STATUS_MARK = {"added": "➕", "removed": "➖", "changed": "✏️", "renamed": "🔀"}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]~|#])")
MAX_GROUP_FIELDS = 3  # a group's line names this many changed fields, then counts the rest
MAX_CAUSES = 3


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def render_markdown(result: DiffResult, max_chars: int = DEFAULT_MAX_BYTES) -> str:
    """The comment, at most `max_chars` UTF-8 bytes (the name predates the byte count)."""
    head = MARKER + "\n" + _header(result)
    if not result.changed:
        return head + "No changes.\n"
    note_room = 200  # the closing note and its blank lines
    text, size = head, _size(head)
    summary_lines = _review_first(result) + _summary(result)
    for index, line in enumerate(summary_lines):
        if size + _size(line) + 1 > max_chars - note_room:
            note = f"\n… {len(summary_lines) - index} more summary lines not shown\n"
            text, size = text + note, size + _size(note)
            break
        text, size = text + line + "\n", size + _size(line) + 1
    changes = [(environment, change) for environment in result.environments for change in _shown_changes(environment)]
    shown = 0
    for environment, change in changes:
        block = _block(result, environment, change)  # built one at a time: the rest may never be needed
        if size + _size(block) > max_chars - note_room:
            break
        text, size = text + block, size + _size(block)
        shown += 1
    if shown < len(changes):
        text += f"\n… {len(changes) - shown} more resources not shown; run `inferplane diff` locally\n"
    return text


def _header(result: DiffResult) -> str:
    what = "environment drift" if result.kind == "environments" else "rendered diff"
    lines = [f"### Inferplane {what}: `{_code(result.base)}` → `{_code(result.head)}`", ""]
    lines += [f"> {_text(note)}" for note in result.notes]
    return "\n".join(lines) + ("\n\n" if result.notes else "\n")


def _review_first(result: DiffResult) -> list[str]:
    """The risky changes (risk.py), highest first, before the per-service summary."""
    found = risks(result)
    if not found:
        return []
    lines = [f"#### ⚠️ Review first ({len(found)})", ""]
    lines += [f"- `{_code(risk.environment)}`: {_text(risk.text)}" for risk in found]
    return [*lines, ""]


def _summary(result: DiffResult) -> list[str]:
    lines: list[str] = []
    for environment in result.environments:
        if not environment.changed:
            continue
        lines += [f"#### `{_code(environment.name)}`: {_counts(environment)}", ""]
        lines += _budget(environment.gpu_budget)
        lines += [_group_line(group) for group in environment.groups]
        grouped = environment.grouped()
        service = None
        for item in environment.summary:
            if item.resource in grouped:
                continue  # told by its group's line
            if item.service != service:
                service = item.service
                lines.append(f"- **`{_code(service)}`**")
            lines.append(f"  - {_text(item.text)}{_causes(item)}")
        lines.append("")
    return lines


def _budget(changes: tuple[BudgetChange, ...]) -> list[str]:
    """GPUs by class at most replicas, before → after: the cluster capacity a change asks for."""
    if not changes:
        return []
    lines = ["GPU budget (GPUs at most replicas, by class):", ""]
    for line in changes:
        quota = f" of quota {line.quota}" if line.quota is not None else ""
        trend = " ⬆️" if line.grows else ""
        lines.append(f"- `{_code(line.gpu_class)}`: {budget_figure(line.old)} → {budget_figure(line.new)}{quota}{trend}")
    return [*lines, ""]


def _group_line(group: ChangeGroup) -> str:
    """`path` old → new in N services: `a`, `b`, `c` and N-3 more (cause: `file:line`, defaults)."""
    changes = "; ".join(f"`{_code(field.path)}` {_text(_field_change(field))}" for field in group.fields[:MAX_GROUP_FIELDS])
    if len(group.fields) > MAX_GROUP_FIELDS:
        changes += f" and {len(group.fields) - MAX_GROUP_FIELDS} more fields"
    shown, rest = group_services(group)
    names = ", ".join(f"`{_code(service)}`" for service in shown) + (f" and {rest} more" if rest else "")
    kinds = dict.fromkeys(field.cause_kind for field in group.fields if field.cause)
    cause = ", ".join(f"`{_code(at)}`" for at in group.causes)
    because = f" (cause: {cause} {'/'.join(kinds)})" if cause else ""
    return f"- `{_code(group.kind)}` {changes} in {len(group.members)} services: {names}{because}"


def _field_change(field) -> str:
    if field.op == "add":
        return f"set to {value_text(field.new)}"
    if field.op == "remove":
        return f"removed (was {value_text(field.old)})"
    return f"{value_text(field.old)} → {value_text(field.new)}"


def _causes(item: SummaryItem) -> str:
    if not item.causes:
        return ""
    shown = ", ".join(f"`{_code(at)}`" for at in item.causes[:MAX_CAUSES])
    return f" ← {shown}" + (f" and {len(item.causes) - MAX_CAUSES} more" if len(item.causes) > MAX_CAUSES else "")


def _shown_changes(environment: EnvironmentDiff) -> list[ResourceChange]:
    """Each change once: a group shows its first member's diff for all of them."""
    firsts = {group.members[0] for group in environment.groups}
    grouped = environment.grouped()
    return [change for change in environment.changes if change.display not in grouped or change.display in firsts]


def _counts(environment: EnvironmentDiff) -> str:
    parts = [f"{count} {status}" for status, count in environment.counts().items() if count]
    return ", ".join(parts) or "image list changed"


def _block(result: DiffResult, environment: EnvironmentDiff, change: ResourceChange) -> str:
    old_prefix, new_prefix = side_prefixes(result, environment)
    body = "\n".join(line_diff(change, old_prefix, new_prefix))
    fence = "`" * max(3, _longest_backtick_run(body) + 1)
    title = f"{_STATUS_MARK[change.status]} {environment.name} · {change.status} · {change.display}"
    if change.fields:
        title += f" ({len(change.fields)} field{'s' if len(change.fields) != 1 else ''})"
    group = next((group for group in environment.groups if group.members[0] == change.display), None)
    if group is not None:
        title += f" and {len(group.members) - 1} more alike"
    if change.causes:
        title += f" · from {', '.join(change.causes[:MAX_CAUSES])}"
    return (
        f"<details><summary>{html.escape(title)}</summary>\n\n"
        f"{fence}diff\n{body}\n{fence}\n\n"
        "</details>\n"
    )


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _text(text: str) -> str:
    """Names and values shown as text, not markup: `*.example.com` must not start emphasis."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def _code(text: str) -> str:
    return text.replace("`", "'")
