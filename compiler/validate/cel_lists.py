"""Kubernetes list library (library/lists.go) and cel-go ``ext.Sets``.

``isSorted``, ``sum``, ``max``, ``indexOf``/``lastIndexOf`` on lists (``min`` is a
celpy macro with the same meaning), and ``sets.contains``/``equivalent``/
``intersects``. Element comparisons use CEL equality and ordering from cel_core.
"""

from __future__ import annotations

import operator

from celpy.celtypes import BoolType, IntType
from celpy.evaluation import CELEvalError, base_functions

from .cel_core import CelFunction, cel_equals, ordering
from .cel_strings import index_of, last_index_of, no_overload

def _less(left: object, right: object) -> bool | CELEvalError:
    result = ordering("_<_", operator.lt)(left, right)
    return result if isinstance(result, CELEvalError) else bool(result)


def is_sorted(items: object) -> object:
    if not isinstance(items, list):
        return no_overload("isSorted", items)
    for before, after in zip(items, items[1:], strict=False):
        out_of_order = _less(after, before)
        if isinstance(out_of_order, CELEvalError):
            return out_of_order
        if out_of_order:
            return BoolType(False)
    return BoolType(True)


def list_sum(items: object) -> object:
    if not isinstance(items, list):
        return no_overload("sum", items)
    if not items:
        return IntType(0)
    total = items[0]
    for item in items[1:]:
        total = base_functions["_+_"](total, item)
    return total


def list_max(items: object) -> object:
    if not isinstance(items, list):
        return no_overload("max", items)
    if not items:
        return CELEvalError("max called on empty list")
    best = items[0]
    for item in items[1:]:
        greater = _less(best, item)
        if isinstance(greater, CELEvalError):
            return greater
        best = item if greater else best
    return best


def list_index(find_last: bool) -> CelFunction:
    strings_version = last_index_of if find_last else index_of

    def list_index(target: object, *args: object) -> object:
        if isinstance(target, str):
            return strings_version(target, *args)
        if not isinstance(target, list) or len(args) != 1:
            return no_overload("lastIndexOf" if find_last else "indexOf", target, *args)
        positions = range(len(target) - 1, -1, -1) if find_last else range(len(target))
        return IntType(next((i for i in positions if cel_equals(target[i], args[0])), -1))

    return list_index


def sets_contains(items: object, subset: object) -> object:
    if not isinstance(items, list) or not isinstance(subset, list):
        return no_overload("sets.contains", items, subset)
    return BoolType(all(any(cel_equals(s, i) for i in items) for s in subset))


def sets_equivalent(left: object, right: object) -> object:
    forward = sets_contains(left, right)
    if not isinstance(forward, BoolType) or not forward:
        return forward
    return sets_contains(right, left)


def sets_intersects(left: object, right: object) -> object:
    if not isinstance(left, list) or not isinstance(right, list):
        return no_overload("sets.intersects", left, right)
    return BoolType(any(cel_equals(a, b) for a in left for b in right))
