"""Kubernetes CEL quantity library (``quantity()``, ``isQuantity()`` and methods).

Upstream: k8s.io/apiserver/pkg/cel/library/quantity.go over
k8s.io/apimachinery/pkg/api/resource (ParseQuantity, ported once in spec/quantity.py). Values are exact
``Fraction``s, so ``quantity('200M').compareTo(quantity('0.2G')) == 0`` like Go's
``Quantity.Cmp``. ``div``/``divInt`` are left out (Go's rounding modes are not
ported) and are reported as unsupported by the rule compiler.

The apiserver never turns a field into a Quantity by itself: int-or-string
fields reach CEL as ``int`` or ``string`` and rules call ``quantity(self)``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from functools import total_ordering

from celpy.celtypes import BoolType, DoubleType, IntType
from celpy.evaluation import CELEvalError

from ..spec.quantity import parse_quantity as parse_value
from .cel_strings import no_overload

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1

@total_ordering
class CelQuantity:
    """The opaque ``kubernetes.Quantity`` value; equality is numeric like Go's Cmp."""

    __slots__ = ("value",)

    def __init__(self, value: Fraction) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CelQuantity) and self.value == other.value

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, CelQuantity):
            return NotImplemented
        return self.value < other.value

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"CelQuantity({self.value})"


def parse_quantity(text: str) -> CelQuantity | None:
    value = parse_value(text)
    return None if value is None else CelQuantity(value)


def quantity(text: object) -> object:
    if not isinstance(text, str):
        return no_overload("quantity", text)
    parsed = parse_quantity(text)
    if parsed is None:
        return CELEvalError("quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    return parsed


def is_quantity(text: object) -> object:
    if not isinstance(text, str):
        return no_overload("isQuantity", text)
    return BoolType(parse_quantity(text) is not None)


def _as_int64(q: CelQuantity) -> int | None:
    if q.value.denominator != 1 or not _INT64_MIN <= q.value.numerator <= _INT64_MAX:
        return None
    return q.value.numerator


def _quantity_operand(other: object) -> CelQuantity | None:
    return other if isinstance(other, CelQuantity) else None


def _int_operand(other: object) -> CelQuantity | None:
    if isinstance(other, int) and not isinstance(other, (bool, BoolType)):
        return CelQuantity(Fraction(other))
    return None


def _quantity_or_int_operand(other: object) -> CelQuantity | None:
    return _quantity_operand(other) or _int_operand(other)


Operand = Callable[[object], "CelQuantity | None"]


def _unary(name: str, apply: Callable[[CelQuantity], object]) -> Callable[[object], object]:
    def function(q: object) -> object:
        if not isinstance(q, CelQuantity):
            return no_overload(name, q)
        return apply(q)

    function.__name__ = name
    return function


def _binary(
    name: str, apply: Callable[[CelQuantity, CelQuantity], object], operand: Operand
) -> Callable[[object, object], object]:
    def function(q: object, other: object) -> object:
        right = operand(other)
        if not isinstance(q, CelQuantity) or right is None:
            return no_overload(name, q, other)
        return apply(q, right)

    function.__name__ = name
    return function


def _as_integer(q: CelQuantity) -> object:
    value = _as_int64(q)
    return CELEvalError("cannot convert value to integer") if value is None else IntType(value)


def _compare(a: CelQuantity, b: CelQuantity) -> int:
    return (a.value > b.value) - (a.value < b.value)


QUANTITY_FUNCTIONS = {
    "quantity": quantity,
    "isQuantity": is_quantity,
    "sign": _unary("sign", lambda q: IntType((q.value > 0) - (q.value < 0))),
    "isInteger": _unary("isInteger", lambda q: BoolType(_as_int64(q) is not None)),
    "asInteger": _unary("asInteger", _as_integer),
    "asApproximateFloat": _unary("asApproximateFloat", lambda q: DoubleType(float(q.value))),
    "isGreaterThan": _binary(
        "isGreaterThan", lambda a, b: BoolType(_compare(a, b) == 1), _quantity_operand
    ),
    "isLessThan": _binary(
        "isLessThan", lambda a, b: BoolType(_compare(a, b) == -1), _quantity_operand
    ),
    "compareTo": _binary("compareTo", lambda a, b: IntType(_compare(a, b)), _quantity_operand),
    "add": _binary("add", lambda a, b: CelQuantity(a.value + b.value), _quantity_or_int_operand),
    "sub": _binary("sub", lambda a, b: CelQuantity(a.value - b.value), _quantity_or_int_operand),
    "mul": _binary("mul", lambda a, b: CelQuantity(a.value * b.value), _int_operand),
}
