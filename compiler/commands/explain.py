"""`inferplane explain ID`: a rule's documentation, taken from the rule itself."""

from __future__ import annotations

from ..errors import unknown_names
from ..rules import all_rules


def explain(rule_id: str) -> str:
    """What a rule checks, why, and its upstream source. UsageError for an unknown ID."""
    rules = {rule.id: rule for rule in all_rules()}
    rule = rules.get(rule_id.upper())
    if rule is None:
        raise unknown_names("rule", [rule_id], rules)
    text = f"{rule.id} ({rule.severity}): {rule.summary}\n\n{rule.doc}\n"
    if rule.source:
        text += f"\nSource: {rule.source}\n"
    return text
