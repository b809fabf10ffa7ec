"""Core CEL semantics where celpy differs from cel-go as Kubernetes configures it.

* heterogeneous equality (``1 == 1.0`` is true, ``1 == 'a'`` is false, not an error)
  and ``CrossTypeNumericComparisons`` for ``<``/``<=``/``>``/``>=``
  (cel-go common/types; enabled in k8s.io/apiserver/pkg/cel/environment/base.go);
* ``duration()`` with Go's ``time.ParseDuration`` grammar (celpy truncates "1.5s"
  to 1s and rejects "100µs");
* RE2 ``matches`` (and the Kubernetes regex library's ``find``/``findAll``,
  library/regex.go) without RE2 printing parse errors to stderr.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from fractions import Fraction
from functools import lru_cache

import re2
from celpy.celtypes import (
    BoolType,
    DoubleType,
    DurationType,
    IntType,
    ListType,
    StringType,
    TimestampType,
    UintType,
)
from celpy.evaluation import CELEvalError, base_functions

from .cel_strings import no_overload

CelFunction = Callable[..., object]

def _is_number(value: object) -> bool:
    return isinstance(value, (IntType, UintType, DoubleType)) and not isinstance(value, BoolType)


def _kind(value: object) -> str:
    for kind, types in (("bool", BoolType), ("string", str), ("bytes", bytes),
                        ("list", list), ("map", dict), ("duration", timedelta)):
        if isinstance(value, types):
            return kind
    if isinstance(value, TimestampType):
        return "timestamp"
    return "number" if _is_number(value) else type(value).__name__


def _plain_number(value: object) -> int | float:
    # Python compares int with float exactly (no rounding of large ints), as cel-go does.
    return float(value) if isinstance(value, DoubleType) else int(value)


def cel_equals(left: object, right: object) -> bool:
    """CEL heterogeneous equality: numbers compare by value, other kinds never match."""
    if _is_number(left) and _is_number(right):
        return _plain_number(left) == _plain_number(right)
    if _kind(left) != _kind(right):
        return False
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(cel_equals(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        if len(left) != len(right):
            return False
        return all(any(cel_equals(k, rk) and cel_equals(v, right[rk]) for rk in right)
                   for k, v in left.items())
    try:
        return bool(left == right)
    except TypeError:
        return False


def equals(left: object, right: object) -> object:
    for value in (left, right):
        if isinstance(value, CELEvalError):
            return value
    return BoolType(cel_equals(left, right))


def not_equals(left: object, right: object) -> object:
    result = equals(left, right)
    return result if isinstance(result, CELEvalError) else BoolType(not result)


def contains_in(item: object, container: object) -> object:
    for value in (item, container):
        if isinstance(value, CELEvalError):
            return value
    if isinstance(container, (list, dict)):
        return BoolType(any(cel_equals(item, element) for element in container))
    return no_overload("_in_", item, container)


def ordering(name: str, compare: Callable[[object, object], bool]) -> CelFunction:
    """cel-go CrossTypeNumericComparisons: int/uint/double order by numeric value."""
    fallback = base_functions[name]

    def ordered(left: object, right: object) -> object:
        if _is_number(left) and _is_number(right):
            return BoolType(compare(_plain_number(left), _plain_number(right)))
        return fallback(left, right)

    return ordered


# --- conversions -----------------------------------------------------------------

_GO_DURATION = re.compile(r"([0-9]*(?:\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)")
_NANOS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6,
          "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_MAX_DURATION_NANOS = 2**63 - 1


def parse_go_duration(text: str) -> DurationType | None:
    """Go's time.ParseDuration ("1h30m", "1.5s", "300ms"), as cel-go's duration() uses.

    Nanoseconds are truncated to the microseconds celpy (timedelta) can hold, which
    keeps comparisons with whole-microsecond limits such as '1ms' exact.
    """
    body = text[1:] if text[:1] in "+-" else text
    negative = text.startswith("-")
    if body == "0":
        return DurationType(timedelta(0))
    if not body:
        return None
    total, position = Fraction(0), 0
    while position < len(body):
        match = _GO_DURATION.match(body, position)
        if match is None or match.group(1) in ("", "."):
            return None
        total += Fraction(match.group(1)) * _NANOS[match.group(2)]
        position = match.end()
    if total > _MAX_DURATION_NANOS:
        return None
    micros = int(total // 1000)
    try:
        return DurationType(timedelta(microseconds=-micros if negative else micros))
    except (ValueError, OverflowError):
        return None


def duration(value: object) -> object:
    if isinstance(value, DurationType):
        return value
    if not isinstance(value, str):
        return no_overload("duration", value)
    parsed = parse_go_duration(value)
    if parsed is None:
        return CELEvalError(f"invalid duration {value!r}")
    return parsed


@lru_cache(maxsize=512)
def compile_regex(pattern: str) -> object | None:
    options = re2.Options()
    options.log_errors = False  # RE2 would otherwise print parse errors to stderr
    try:
        return re2.compile(pattern, options)
    except re2.error:
        return None


def _regex_call(name: str, text: object, pattern: object) -> object:
    if not isinstance(text, str) or not isinstance(pattern, str):
        return no_overload(name, text, pattern)
    compiled = compile_regex(pattern)
    if compiled is None:
        return CELEvalError(f"given regex is invalid: {pattern!r}")
    return compiled


def matches(text: object, pattern: object) -> object:
    compiled = _regex_call("matches", text, pattern)
    if isinstance(compiled, CELEvalError):
        return compiled
    return BoolType(compiled.search(text) is not None)


def find(text: object, pattern: object) -> object:
    compiled = _regex_call("find", text, pattern)
    if isinstance(compiled, CELEvalError):
        return compiled
    match = compiled.search(text)
    return StringType(match.group(0) if match else "")


def find_all(text: object, pattern: object, limit: object = IntType(-1)) -> object:
    compiled = _regex_call("findAll", text, pattern)
    if isinstance(compiled, CELEvalError):
        return compiled
    if not isinstance(limit, int):
        return no_overload("findAll", text, pattern, limit)
    if limit == 0:
        return ListType([])
    found = [StringType(m.group(0)) for m in compiled.finditer(text)]
    return ListType(found if limit < 0 else found[:limit])
