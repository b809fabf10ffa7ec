"""Pair the resources of two sides: by key first, then removed/added pairs that look alike as renames.

A rename candidate keeps group, kind and namespace (for drift, group and kind) and changes only
its name, e.g. a ConfigMap with a content-hash suffix. Likeness is the Dice coefficient of the
two bodies' flattened `pointer=value` leaves, with each body's own name masked, because a
renamed object repeats its name in labels and selectors and that should not count against it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Resource
from .normalize import pointer, prune
from .redact import redact

RENAME_THRESHOLD = 0.8
# Comparing every removed with every added object is quadratic; past this many pairs in one
# kind and namespace, the changes are reported as removals and additions.
MAX_RENAME_PAIRS = 40_000
_NAME_MASK = "\x00name\x00"
_MIN_MASKED_NAME = 3  # masking a one- or two-letter name would eat unrelated text


@dataclass
class Pairing:
    matched: list[tuple[Resource, Resource]] = field(default_factory=list)
    renamed: list[tuple[Resource, Resource, float]] = field(default_factory=list)
    removed: list[Resource] = field(default_factory=list)
    added: list[Resource] = field(default_factory=list)


def rename_scope(resource: Resource) -> tuple:
    return (resource.identity.group, resource.identity.kind, resource.identity.namespace)


def pair_resources(
    old: Mapping[Hashable, Resource],
    new: Mapping[Hashable, Resource],
    threshold: float = RENAME_THRESHOLD,
    scope: Callable[[Resource], tuple] = rename_scope,
) -> Pairing:
    pairing = Pairing()
    removed = [old[key] for key in sorted(old) if key not in new]
    added = [new[key] for key in sorted(new) if key not in old]
    pairing.matched = [(old[key], new[key]) for key in sorted(old) if key in new]
    taken_old: set[int] = set()
    taken_new: set[int] = set()
    for old_index, new_index, score in _rename_candidates(removed, added, threshold, scope):
        if old_index in taken_old or new_index in taken_new:
            continue
        taken_old.add(old_index)
        taken_new.add(new_index)
        pairing.renamed.append((removed[old_index], added[new_index], score))
    pairing.renamed.sort(key=lambda pair: pair[1].identity)
    pairing.removed = [resource for index, resource in enumerate(removed) if index not in taken_old]
    pairing.added = [resource for index, resource in enumerate(added) if index not in taken_new]
    return pairing


def _rename_candidates(
    removed: list[Resource], added: list[Resource], threshold: float, scope: Callable[[Resource], tuple]
) -> list[tuple[int, int, float]]:
    """(removed index, added index, score) above the threshold, best first (ties in a stable order)."""
    added_by_scope: dict[tuple, list[int]] = {}
    for index, resource in enumerate(added):
        added_by_scope.setdefault(scope(resource), []).append(index)
    removed_by_scope: dict[tuple, list[int]] = {}
    for index, resource in enumerate(removed):
        removed_by_scope.setdefault(scope(resource), []).append(index)
    candidates = []
    for key, old_indexes in removed_by_scope.items():
        new_indexes = added_by_scope.get(key, [])
        if not new_indexes or len(old_indexes) * len(new_indexes) > MAX_RENAME_PAIRS:
            continue
        old_leaves = {i: leaves(removed[i]) for i in old_indexes}
        new_leaves = {j: leaves(added[j]) for j in new_indexes}
        for i in old_indexes:
            for j in new_indexes:
                score = dice(old_leaves[i], new_leaves[j])
                if score >= threshold:
                    candidates.append((i, j, score))
    candidates.sort(key=lambda c: (-c[2], c[0], c[1]))
    return candidates


def similarity(old: Resource, new: Resource) -> float:
    return dice(leaves(old), leaves(new))


def dice(a: Counter, b: Counter) -> float:
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 1.0
    return 2 * sum((a & b).values()) / total


def leaves(resource: Resource) -> Counter:
    """`pointer=value` for every leaf, with metadata.name left out and the name masked in values."""
    body = prune(redact(resource.body) or {})
    metadata = dict(body.get("metadata") or {})
    metadata.pop("name", None)
    body = {**body, "metadata": metadata}
    name = resource.identity.name
    counter: Counter = Counter()
    _flatten(body, (), name if len(name) >= _MIN_MASKED_NAME else "", counter)
    return counter


def _flatten(value: Any, path: tuple, name: str, out: Counter) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(child, path + (key,), name, out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _flatten(child, path + (index,), name, out)
    else:
        if isinstance(value, str) and name:
            value = value.replace(name, _NAME_MASK)
        out[f"{pointer(path)}={json.dumps(value, default=str)}"] += 1
