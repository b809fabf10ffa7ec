"""Noise the diff must not report: what the API server would treat as the same object.

- key order (plain dicts compare without it);
- `None` and empty maps or lists versus an absent key;
- quantity spellings (`1000m` == `1`, `1Gi` == `1024Mi`) in quantity fields;
- int-or-string fields (`"8080"` == `8080` for ports, `maxUnavailable`, ...).

Pruning works on whole documents up front; leaf equivalence is asked per pair of leaves by
the field diff, because whether "1" equals "1000m" depends on where the value sits.
"""

from __future__ import annotations

from typing import Any

from ..spec.quantity import quantity_value

# An empty map here still means something, so it is never pruned:
# `emptyDir: {}` picks the volume type; `podSelector: {}`/`namespaceSelector: {}` select everything.
MEANINGFUL_EMPTY = frozenset({"emptyDir", "podSelector", "namespaceSelector"})

# Maps whose values are quantities (container resources, ResourceQuota, LimitRange, pod overhead).
QUANTITY_MAPS = frozenset(
    {"limits", "requests", "hard", "used", "capacity", "allocatable", "max", "min", "default", "defaultRequest", "overhead"}
)
# Single fields that hold a quantity.
QUANTITY_FIELDS = frozenset({"sizeLimit", "storage"})

# Fields the Kubernetes API types as IntOrString: the number and its decimal string are one value.
INT_OR_STRING_FIELDS = frozenset({"port", "targetPort", "maxUnavailable", "maxSurge", "minAvailable"})

NAME_KEY = "name"

Path = tuple[str | int, ...]


def prune(value: Any) -> Any:
    """Drop None and empty maps/lists under map keys (recursively), keeping list items as they are.

    List items are never dropped: in an Istio AuthorizationPolicy, `rules: [{}]` allows
    everything while no rule denies everything, so an empty item is not noise.
    """
    if isinstance(value, dict):
        pruned = {}
        for child_key, child in value.items():
            child = prune(child)
            if _is_empty(child) and child_key not in MEANINGFUL_EMPTY:
                continue
            pruned[str(child_key)] = child
        return pruned
    if isinstance(value, list):
        return [prune(item) for item in value]
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, (dict, list)) and not value)


def same_leaf(path: Path, old: Any, new: Any) -> bool:
    """Whether two scalars at `path` mean the same to the API server."""
    if type(old) is bool or type(new) is bool:
        # In Python True == 1; in a manifest `true` and `1` are different values.
        return type(old) is type(new) and old == new
    if old == new and type(old) in (int, float) and type(new) in (int, float):
        return True
    if old == new and type(old) is type(new):
        return True
    key = _last_key(path)
    if key in INT_OR_STRING_FIELDS and isinstance(old, (int, str)) and isinstance(new, (int, str)):
        return str(old) == str(new)
    if is_quantity_path(path):
        old_quantity, new_quantity = quantity_value(old), quantity_value(new)
        return old_quantity is not None and old_quantity == new_quantity
    return False


def is_quantity_path(path: Path) -> bool:
    key = _last_key(path)
    if key in QUANTITY_FIELDS:
        return True
    # `resources.limits.cpu`: the parent map holds quantities; list indexes never do.
    return len(path) >= 2 and isinstance(path[-1], str) and path[-2] in QUANTITY_MAPS



def _last_key(path: Path) -> str | None:
    for part in reversed(path):
        if isinstance(part, str):
            return part
    return None


def named_items(items: list[Any]) -> dict[str, Any] | None:
    """{name: item} when every item is a map with its own distinct, non-empty `name`; else None.

    Such lists (containers, ports, env, volumes, named http routes) are matched by name, so
    inserting one item does not show every later item as changed.
    """
    if not items:
        return None
    by_name: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            return None
        name = item.get(NAME_KEY)
        if not isinstance(name, str) or not name or name in by_name:
            return None
        by_name[name] = item
    return by_name


def escape_pointer_token(token: str | int) -> str:
    """RFC 6901: `~` becomes `~0` and `/` becomes `~1` (annotation keys contain `/`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(path: Path) -> str:
    return "".join("/" + escape_pointer_token(part) for part in path)
