"""Kubernetes quantities: the one grammar every part of the compiler reads them with.

A port of k8s.io/apimachinery/pkg/api/resource ParseQuantity (quantity.go, suffix.go):

    <quantity>     ::= <sign>? <number> <suffix>
    <number>       ::= <digits> | <digits> "." <digits>? | "." <digits>
    <suffix>       ::= <binarySI> | <decimalSI> | <decimalExponent>
    <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= ("e" | "E") <sign>? <digits>

(quantity.go's grammar comment omits n and u; suffix.go's decSuffixes has them, so `500n` and `1u`
are quantities. `1.` is accepted, as the code's TODO says; no spaces, no `K`.) The spec models,
the validator's `quantity` format and CEL's quantity() and the diff all use parse_quantity, so a
value is a quantity everywhere or nowhere.
Values are exact Fractions. One departure: a decimal exponent beyond ±1000 is refused (Go reads
it into an int32 and wraps; no resource is that large or that small), which keeps every value a
small Fraction.
"""

from __future__ import annotations

import re
from fractions import Fraction

QUANTITY_PATTERN = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$"
_QUANTITY = re.compile(QUANTITY_PATTERN)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_MAX_EXPONENT = 1000


def parse_quantity(text: str) -> Fraction | None:
    """The exact value of a quantity string, or None when ParseQuantity refuses it."""
    match = _QUANTITY.match(text)
    if match is None:
        return None
    number_end = match.end(1)
    number = Fraction(text[:number_end] + ("0" if text[number_end - 1] == "." else ""))
    suffix = match.group(3) or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    exponent = _DECIMAL[suffix] if suffix in _DECIMAL else int(suffix[1:] or 0)
    if abs(exponent) > _MAX_EXPONENT:
        return None
    return number * Fraction(10) ** exponent


def quantity_value(value: object) -> Fraction | None:
    """A field's value as a quantity: a string in the grammar, or a JSON number; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        # a JSON number is decimal text: 0.1 is 1/10 (as "100m"), not the nearest binary float
        return Fraction(repr(value)) if value == value and value not in (float("inf"), float("-inf")) else None
    if isinstance(value, str):
        return parse_quantity(value)
    return None
