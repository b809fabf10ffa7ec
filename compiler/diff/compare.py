"""Compare two trees environment by environment: pair resources, diff fields, summarise.

Every value that reaches a result has been redacted (Secrets) and pruned (noise) first, so
reporters can print anything in a result without further care.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from .collapse import group_identical
from .fields import diff_values
from .gpu_budget import budget_changes
from .match import RENAME_THRESHOLD, pair_resources, rename_scope
from .model import Resource, Tree
from .normalize import prune
from .redact import redact, redact_pair
from .result import DiffResult, EnvironmentDiff, ResourceChange, ResourceStatus
from .summary import TOPIC_RANK, summarize_change, summarize_image_lists


def diff_trees(
    base: Tree,
    head: Tree,
    environments: Iterable[str] | None = None,
    rename_threshold: float = RENAME_THRESHOLD,
) -> DiffResult:
    """What changes from `base` to `head`, per environment (all of both trees unless `environments` is given).

    An environment present on one side only shows all its resources as added or removed.
    """
    names = sorted(set(base) | set(head))
    if environments is not None:
        wanted = set(environments)
        names = [name for name in names if name in wanted]
    notes = []
    for name in names:
        if name not in base:
            notes.append(f"environment {name} is new in {head.label or 'head'}")
        elif name not in head:
            notes.append(f"environment {name} is gone from {head.label or 'head'}")
    results = tuple(
        diff_resource_sets(
            name,
            base.environments.get(name, {}),
            head.environments.get(name, {}),
            base.images.get(name),
            head.images.get(name),
            rename_threshold,
            provenance=(base.provenance.get(name), head.provenance.get(name)),
            # A side that knows budgets but not this environment had none there (a new environment).
            budgets=(base.gpu_budget.get(name, {}) if base.gpu_budget else None, head.gpu_budget.get(name, {}) if head.gpu_budget else None),
        )
        for name in names
    )
    return DiffResult(base.label or "base", head.label or "head", results, "revisions", tuple(notes))


def diff_resource_sets(
    name: str,
    old: Mapping[Hashable, Resource],
    new: Mapping[Hashable, Resource],
    old_images: Any = None,
    new_images: Any = None,
    rename_threshold: float = RENAME_THRESHOLD,
    scope: Callable[[Resource], tuple] = rename_scope,
    provenance: tuple[Mapping | None, Mapping | None] = (None, None),
    budgets: tuple[Any, Any] = (None, None),
) -> EnvironmentDiff:
    """Diff two sets of resources keyed alike (by identity, or by a drift key).

    `provenance` (old side, new side) names the spec place behind each change when the trees were
    compiled; `budgets` (old, new) are the sides' GPU budgets, when known."""
    pairing = pair_resources(old, new, rename_threshold, scope)
    changes: list[ResourceChange] = []
    for old_resource, new_resource in pairing.matched:
        if old_resource.body == new_resource.body:
            continue  # the common case in a pull request, and cheap to rule out
        change = compare_pair("changed", old_resource, new_resource)
        if change.fields:
            changes.append(change)
    for old_resource, new_resource, score in pairing.renamed:
        changes.append(compare_pair("renamed", old_resource, new_resource, score))
    changes += [one_sided("removed", resource) for resource in pairing.removed]
    changes += [one_sided("added", resource) for resource in pairing.added]
    if provenance != (None, None):
        changes = [with_causes(change, *provenance) for change in changes]
    # Grouped by service like the summary, then by identity: the same order on every run.
    changes.sort(key=lambda change: (change.service, change.identity, change.status))
    summary = [item for change in changes for item in summarize_change(name, change)]
    summary += summarize_image_lists(name, old_images, new_images)
    # Grouped per service for the reader; within a service, by topic, keeping each resource's order.
    summary.sort(key=lambda item: (item.service, TOPIC_RANK.get(item.topic, 99)))
    return EnvironmentDiff(name, tuple(changes), tuple(summary), group_identical(changes), budget_changes(*budgets))


def with_causes(change: ResourceChange, old_provenance: Mapping | None, new_provenance: Mapping | None) -> ResourceChange:
    """The change with the spec `file:line` behind each field and behind the object.

    The new side says why a value is what it is now; a removed object (or a field of it the head
    no longer knows) is told by the old side, when that side was compiled too."""
    sides = [
        (old_provenance or {}).get(change.old.identity) if change.old else None,
        (new_provenance or {}).get(change.new.identity) if change.new else None,
    ]
    if change.status != "removed":
        sides.reverse()  # the head first
    else:
        sides.append((new_provenance or {}).get(change.service))  # the service that stopped rendering it
    known = [side for side in sides if side is not None]
    if not known:
        return change

    def describe(pointer: str) -> tuple[str, str]:
        for side in known:
            cause = side.describe(pointer)
            if cause[0]:
                return cause
        return "", ""

    fields = tuple(replace(field, cause=cause, cause_kind=kind) for field in change.fields for cause, kind in [describe(field.pointer)])
    cause, kind = describe("")
    return replace(change, fields=fields, cause=cause, cause_kind=kind)


def compare_pair(status: ResourceStatus, old: Resource, new: Resource, similarity: float | None = None) -> ResourceChange:
    old_body, new_body = redact_pair(old.body, new.body)
    old_pruned, new_pruned = prune(old_body), prune(new_body)
    return ResourceChange(
        status=status,
        old=Resource(old.identity, old_pruned, old.path),
        new=Resource(new.identity, new_pruned, new.path),
        fields=tuple(diff_values(old_pruned, new_pruned)),
        similarity=similarity,
    )


def one_sided(status: ResourceStatus, resource: Resource) -> ResourceChange:
    safe = Resource(resource.identity, prune(redact(resource.body)), resource.path)
    if status == "added":
        return ResourceChange(status, None, safe)
    return ResourceChange(status, safe, None)
