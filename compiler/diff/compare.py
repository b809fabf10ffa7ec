"""Compare two trees environment by environment: pair resources, diff fields, summarise.

Every value that reaches a result has been redacted (Secrets) and pruned (noise) first, so
reporters can print anything in a result without further care.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from .fields import diff_values
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
) -> EnvironmentDiff:
    """Diff two sets of resources keyed alike (by identity, or by a drift key)."""
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
    # Grouped by service like the summary, then by identity: the same order on every run.
    changes.sort(key=lambda change: (change.service, change.identity, change.status))
    summary = [item for change in changes for item in summarize_change(name, change)]
    summary += summarize_image_lists(name, old_images, new_images)
    # Grouped per service for the reader; within a service, by topic, keeping each resource's order.
    summary.sort(key=lambda item: (item.service, TOPIC_RANK.get(item.topic, 99)))
    return EnvironmentDiff(name, tuple(changes), tuple(summary))


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
