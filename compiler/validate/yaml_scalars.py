"""What a plain YAML scalar is to kubectl, kustomize and the API server.

They all read YAML with sigs.k8s.io/yaml: its fork of go-yaml v2 (goyaml.v2, based on v2.4.0)
decodes into untyped values, which are then converted to JSON. This is a port of go-yaml
v2.4.0's `resolve` (resolve.go) followed by that JSON round trip, and it differs from the YAML
1.1 table PyYAML uses:
- sexagesimal numbers do not exist (`10:30` is the string "10:30", not 630);
- `y`, `Y`, `n`, `N` are booleans, as are yes/no/on/off/true/false in their three spellings;
- integers are Go's `strconv.ParseInt(s, 0, 64)` after removing every `_` (0x, 0o, 0b and a
  leading 0 for octal; `08` is not an integer but matches the float syntax: 8.0), then
  ParseUint for the range up to 2^64-1;
- floats are `^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$` (so `1e3` is a number, which
  YAML 1.1 reads as a string) and a float that overflows float64 stays a string (ParseFloat
  fails); `.5` style scalars go straight to ParseFloat;
- timestamps stay strings (the JSON conversion writes them back as text).
A float Go's encoding/json writes without a fraction or exponent (integral, |f| < 1e21) comes
back from the JSON as an integer, so `replicas: 1.0` reaches the API server as 1.
"""

from __future__ import annotations

import math
import re
from typing import Any

BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
NULL = "tag:yaml.org,2002:null"
STR = "tag:yaml.org,2002:str"
MERGE = "tag:yaml.org,2002:merge"

_BY_SPELLING: dict[str, tuple[str, Any]] = {
    **{word: (BOOL, True) for word in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{word: (BOOL, False) for word in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{word: (NULL, None) for word in ("", "~", "null", "Null", "NULL")},
    **{word: (FLOAT, math.nan) for word in (".nan", ".NaN", ".NAN")},
    **{word: (FLOAT, math.inf) for word in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{word: (FLOAT, -math.inf) for word in ("-.inf", "-.Inf", "-.INF")},
    "<<": (MERGE, "<<"),
}
# go-yaml's resolveTable: only scalars starting with these characters can be anything but a string.
_MAP_HINTS = frozenset("yYnNtTfFoO~")
_NUMBER_HINTS = frozenset("+-0123456789")

_GO_INTEGER = re.compile(r"([+-]?)(0[xX](?P<hex>[0-9a-fA-F]+)|0[bB](?P<bin>[01]+)|0[oO](?P<oct>[0-7]+)|0(?P<octal>[0-7]*)|(?P<dec>[1-9][0-9]*))")
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")  # what ParseFloat accepts of a scalar starting with "."
_TIMESTAMP_START = re.compile(r"[0-9]{4}-")  # go-yaml's quick check: every timestamp starts YYYY-


def _go_integer(plain: str) -> int | None:
    """strconv.ParseInt(plain, 0, 64) (then ParseUint for the range up to 2^64-1)."""
    match = _GO_INTEGER.fullmatch(plain)
    if match is None:
        return None
    sign = match.group(1)
    for group, base in (("hex", 16), ("bin", 2), ("oct", 8), ("octal", 8), ("dec", 10)):
        digits = match.group(group)
        if digits is not None:
            value = int(digits or "0", base)
            break
    # Beyond int64/uint64 Go reads a float64 (1e20 for 99999999999999999999); the exact integer is
    # kept here so that the range finding quotes the number the user wrote (no field takes either).
    return -value if sign == "-" else value


def _through_json(value: float) -> int | float:
    """Go's encoding/json writes an integral float below 1e21 with no fraction: it comes back an integer."""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e21:
        return int(value)
    return value


def _go_float(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None  # ParseFloat reports overflow as an error


def resolve(value: str) -> tuple[str, Any]:
    """(tag, data) of a plain scalar, as kubectl and the API server read it."""
    hint = value[:1]
    if value in _BY_SPELLING and (hint in _MAP_HINTS or hint in _NUMBER_HINTS or hint in (".", "<", "")):
        tag, data = _BY_SPELLING[value]
        return tag, (_through_json(data) if tag == FLOAT else data)
    if hint == ".":
        if _DOT_FLOAT.fullmatch(value):
            number = _go_float(value)
            if number is not None:
                return FLOAT, _through_json(number)
        return STR, value
    if hint not in _NUMBER_HINTS or _TIMESTAMP_START.match(value):
        return STR, value
    plain = value.replace("_", "")
    integer = _go_integer(plain)
    if integer is not None:
        return INT, integer
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        number = _go_float(plain)
        if number is not None:
            return FLOAT, _through_json(number)
    return STR, value


def tag_of(value: str) -> str:
    """resolve(value)[0], without resolving the many scalars that can only be strings (keys, names):
    the reader asks for the tag of every scalar it composes."""
    if value in _BY_SPELLING or value[:1] in _NUMBER_HINTS or value[:1] == ".":
        return resolve(value)[0]
    return STR
