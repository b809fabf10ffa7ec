"""The summary in reviewers' words: what each resource change means for traffic, scaling, GPUs, ...

Derived only from the manifests (via `facts_of`), per environment and service. Each item is
data (`SummaryItem`) with old and new values; reporters only print its text.
"""

from __future__ import annotations

from typing import Any

from .facts import TOPICS, facts_of
from .images_list import image_list_entries
from .result import ResourceChange, SummaryItem

TOPIC_RANK = {topic: rank for rank, topic in enumerate(("resources", *TOPICS))}

# Workload kinds a reviewer knows by name alone ("sklearn-iris: canary weight ...", "ray-summarizer: nvidia.com/gpu ...").
PRIMARY_KINDS = frozenset({"InferenceService", "LLMInferenceService", "InferenceGraph", "RayService", "RayCluster"})
SHORT_KIND = {"HorizontalPodAutoscaler": "HPA", "ScaledObject": "KEDA ScaledObject"}
# A changed resource without a known fact is summarised by its first few changed fields.
MAX_PATHS_NAMED = 3
# Set-valued facts are reported element by element, with these words for one element.
SINGULAR = {"hosts": "host", "certificate DNS names": "certificate DNS name", "rules": "rule"}


def summarize_change(environment: str, change: ResourceChange) -> list[SummaryItem]:
    label = resource_label(change)
    resource = change.identity.display
    if change.status == "removed":
        # A removed object is one line; its facts would only be "unset (was …)" lines.
        return [_resource_item(environment, change, resource)]
    items = []
    old_facts = facts_of(change.old.body if change.old else None)
    new_facts = facts_of(change.new.body if change.new else None)
    # In the readers' order (min before max, routes as written), grouped by topic.
    keys = sorted([*new_facts, *(key for key in old_facts if key not in new_facts)], key=lambda key: TOPIC_RANK.get(key[0], 99))
    for key in keys:
        old_fact, new_fact = old_facts.get(key), new_facts.get(key)
        old = old_fact.value if old_fact else None
        new = new_fact.value if new_fact else None
        if _same(old, new):
            continue
        topic, subject = key
        unit = (new_fact or old_fact).unit  # type: ignore[union-attr]
        for text, item_old, item_new in _describe(subject, old, new, unit):
            items.append(SummaryItem(environment, change.service, topic, f"{label}: {text}", item_old, item_new, resource, _causes_of(change, item_old, item_new)))
    # A plain change is already told by its facts; say it in its own line only when no fact did.
    if change.status != "changed" or not items:
        items.insert(0, _resource_item(environment, change, resource))
    return items


def summarize_image_lists(environment: str, old_data: Any, new_data: Any) -> list[SummaryItem]:
    """Changes of `images.yaml`, the environment's image list."""
    old_entries, new_entries = image_list_entries(old_data), image_list_entries(new_data)
    items = []
    for service, repository in sorted(set(old_entries) | set(new_entries)):
        old = old_entries.get((service, repository))
        new = new_entries.get((service, repository))
        if old == new:
            continue
        # Same repository on both sides: the tag or digest is the news.
        shown_old = old[len(repository) :].lstrip(":") if old and new else old
        shown_new = new[len(repository) :].lstrip(":") if old and new else new
        text = _describe(f"image {repository}", shown_old, shown_new, "")[0][0]
        items.append(SummaryItem(environment, service, "images", f"images.yaml: {text}", old, new, "images.yaml"))
    return items


def resource_label(change: ResourceChange) -> str:
    identity = change.identity
    if identity.kind in PRIMARY_KINDS:
        return identity.name
    return f"{SHORT_KIND.get(identity.kind, identity.kind)} {identity.name}"


def _resource_item(environment: str, change: ResourceChange, resource: str) -> SummaryItem:
    # old/new say which object went or came; a plain change keeps its name, so both stay None.
    old_name = change.old.identity.display if change.old and change.status != "changed" else None
    new_name = change.new.identity.display if change.new and change.status != "changed" else None
    if change.status == "renamed":
        text = f"renamed {old_name} → {change.identity.name}"
    elif change.status == "changed":
        paths = [field.path for field in change.fields]
        shown = ", ".join(paths[:MAX_PATHS_NAMED]) + (f" and {len(paths) - MAX_PATHS_NAMED} more" if len(paths) > MAX_PATHS_NAMED else "")
        text = f"changed {resource}: {shown}"
    else:
        text = f"{change.status} {resource}"
    return SummaryItem(environment, change.service, "resources", text, old_name, new_name, resource, change.causes)


def _causes_of(change: ResourceChange, old: Any, new: Any) -> tuple[str, ...]:
    """The causes of the fields that carry this fact's values (a weight 10 → 25 is the field that
    went 10 → 25), else every cause of the change: a fact does not know its field's path."""
    values = {str(value) for value in (old, new) if value is not None}
    found = [field.cause for field in change.fields if field.cause and values & {str(field.old), str(field.new)}]
    return tuple(dict.fromkeys(found)) or change.causes


def _same(old: Any, new: Any) -> bool:
    if old == new:
        return type(old) is not bool and type(new) is not bool or type(old) is type(new)
    scalars = (int, float, str)
    # A weight or GPU count written as "1" in one file and 1 in the other is the same number.
    return isinstance(old, scalars) and isinstance(new, scalars) and not isinstance(old, bool) and str(old) == str(new)


def _describe(subject: str, old: Any, new: Any, unit: str) -> list[tuple[str, Any, Any]]:
    """(text, old, new) for one changed fact; a set gives one line per element added or removed."""
    if isinstance(old, frozenset) or isinstance(new, frozenset):
        noun = SINGULAR.get(subject, subject)
        before, after = old or frozenset(), new or frozenset()
        lines = [(f"{noun} removed: {value}", value, None) for value in sorted(before - after)]
        lines += [(f"{noun} added: {value}", None, value) for value in sorted(after - before)]
        return lines
    if old is None:
        return [(f"{subject} set to {_shown(new, unit)}", old, new)]
    if new is None:
        return [(f"{subject} unset (was {_shown(old, unit)})", old, new)]
    return [(f"{subject} {_shown(old, unit)} → {_shown(new, unit)}", old, new)]


def _shown(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value}{unit}"
