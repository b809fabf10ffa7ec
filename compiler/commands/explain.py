"""`inferplane explain ID`: what any diagnostic ID means — a rule's own documentation, or the
stage's for the loading, patching, output, validation and diff IDs (diagnostic_ids.py)."""

from __future__ import annotations

from ..errors import unknown_names
from ..rules import all_rules
from .diagnostic_ids import DIAGNOSTIC_IDS


def known_ids() -> list[str]:
    return sorted({rule.id for rule in all_rules()} | set(DIAGNOSTIC_IDS))


def explain(diagnostic_id: str) -> str:
    """What an ID checks, why, and its upstream source. UsageError for an unknown ID."""
    wanted = diagnostic_id.upper()
    rules = {rule.id: rule for rule in all_rules()}
    if wanted in rules:
        rule = rules[wanted]
        text = f"{rule.id} ({rule.severity}): {rule.summary}\n\n{rule.doc}\n"
        return text + (f"\nSource: {rule.source}\n" if rule.source else "")
    if wanted in DIAGNOSTIC_IDS:
        entry = DIAGNOSTIC_IDS[wanted]
        return f"{entry.id} ({entry.stage}): {entry.summary}\n\n{entry.doc}\n"
    error = unknown_names("ID", [wanted], known_ids())
    raise type(error)(str(error).split(" (known:")[0] + " — `inferplane explain --list` lists every ID")


def summaries() -> dict[str, str]:
    """Every ID and what it is about in one line (rules and the stages' own IDs)."""
    rules = {rule.id: rule.summary for rule in all_rules()}
    return {**{key: entry.summary for key, entry in DIAGNOSTIC_IDS.items()}, **rules}


def listing() -> str:
    """One line per ID: the ID and what it is about."""
    known = summaries()
    width = max(map(len, known))
    return "".join(f"{key:<{width}}  {known[key]}\n" for key in sorted(known))
