"""Identical changes across services, told once: one default changed for 300 services is one line.

Two changes are identical when they touch objects of the same kind with the same field changes
(path, old and new value) caused by the same spec place (`file:line`): an environment default or
a patch applied to every service. Each group keeps its members, so JSON still lists every
resource; the reporters print the group instead of the members.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from .result import ChangeGroup, ResourceChange

# Two services read fine side by side; from three on, one line says it better.
MIN_GROUP_SIZE = 3


def _signature(change: ResourceChange) -> tuple:
    fields = tuple(
        (field.op, field.path, json.dumps(field.old, sort_keys=True, default=str), json.dumps(field.new, sort_keys=True, default=str), field.cause)
        for field in change.fields
    )
    return change.identity.kind, fields


def group_identical(changes: Iterable[ResourceChange]) -> tuple[ChangeGroup, ...]:
    """Groups of at least MIN_GROUP_SIZE plain changes in distinct services, in first-member order."""
    buckets: dict[tuple, list[ResourceChange]] = {}
    for change in changes:
        if change.status == "changed" and change.fields:
            buckets.setdefault(_signature(change), []).append(change)
    groups = []
    for members in buckets.values():
        services = tuple(dict.fromkeys(change.service for change in members))
        if len(services) < MIN_GROUP_SIZE:
            continue
        groups.append(ChangeGroup(members[0].identity.kind, members[0].fields, services, tuple(change.display for change in members)))
    return tuple(groups)
