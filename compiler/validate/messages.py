"""Engine violations as findings a person can act on: one place, one message each.

- An unknown field is reported at its own pointer, with the closest allowed names ("did you mean").
- A missing required field is reported at the pointer it should have.
- anyOf/oneOf failures report the branch the value was evidently meant for (its type matches, its
  errors go deepest), not every branch's complaints; Istio's "at most one of" oneOf gets its own words.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

from .engine import Violation
from .formats import EXAMPLES, INT_RANGES, is_range_bound
from .metadata import PATTERN_HELP
from .pointer import to_pointer

_MAX_LISTED = 12


@dataclass(frozen=True)
class Finding:
    pointer: str
    keyword: str
    message: str


def show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _listing(names: list[str]) -> str:
    shown = names[:_MAX_LISTED]
    more = f" (+{len(names) - len(shown)} more)" if len(names) > len(shown) else ""
    return ", ".join(shown) + more


def _types_of(schema: Any) -> list[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    types = [kind] if isinstance(kind, str) else list(kind or [])
    shown = [name for name in types if name != "null"]
    return shown or types


def _allowed_keys(schema: dict) -> list[str]:
    return sorted((schema.get("properties") or {}).keys())


def _matches_pattern_properties(schema: dict, key: str) -> bool:
    return any(re.search(pattern, key) for pattern in (schema.get("patternProperties") or {}))


def unknown_field_message(key: str, allowed: list[str]) -> str:
    if not allowed:
        return f'unknown field "{key}": this object declares no fields, so the API server would drop it'
    close = difflib.get_close_matches(key, allowed, n=3, cutoff=0.6)
    if not close:
        lowered = {name.lower(): name for name in allowed}
        close = [lowered[key.lower()]] if key.lower() in lowered else []
    if close:
        return f'unknown field "{key}"; did you mean {_quoted(close)}?'
    return f'unknown field "{key}"; allowed here: {_listing(allowed)}'


def _pattern_text(value: Any, pattern: str) -> str:
    help_text = PATTERN_HELP.get(pattern)
    return f"{show(value)} {help_text}" if help_text else f"{show(value)} does not match the pattern {pattern}"


def range_message(bits: str, value: Any) -> str:
    low, high = INT_RANGES[bits]
    return f"must be of type {bits}: {value} is not between {low} and {high}"


def format_message(name: Any, value: Any) -> str:
    """kube-openapi's words (`<path> in body must be of type byte: "…"`) and what a valid value looks like."""
    example = EXAMPLES.get(name) if isinstance(name, str) else None
    return f"must be of type {name}: {show(value)}" + (f" (expected {example})" if example else "")


# ---------------------------------------------------------------- one keyword each


def _simple(v: Violation) -> list[Finding]:
    node = v.schema if isinstance(v.schema, dict) else {}
    here = to_pointer(v.path)
    value, keyword = v.instance, v.keyword
    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = _allowed_keys(node)
        unexpected = [key for key in value if key not in allowed and not _matches_pattern_properties(node, key)]
        if unexpected and node.get("additionalProperties") is False:
            return [Finding(to_pointer((*v.path, key)), keyword, unknown_field_message(key, allowed)) for key in unexpected]
    if keyword == "required" and isinstance(value, dict) and node.get("required"):
        missing = [name for name in node["required"] if name not in value]
        return [Finding(to_pointer((*v.path, name)), keyword, f'missing required field "{name}"') for name in missing]
    if keyword == "propertyNames" and v.property_name is not None:
        return [Finding(to_pointer((*v.path, v.property_name)), keyword, _key_message(v.property_name, node))]
    return [Finding(here, keyword, _value_message(keyword, node, value, v.message))]


def _key_message(key: str, rules: dict) -> str:
    if "maxLength" in rules and len(key) > rules["maxLength"]:
        return f'invalid key "{key}": must be at most {rules["maxLength"]} characters'
    if "pattern" in rules and not re.search(rules["pattern"], key):
        return f"invalid key {_pattern_text(key, rules['pattern'])}"
    return f'invalid key "{key}"'


def _value_message(keyword: str, node: dict, value: Any, fallback: str) -> str:
    expected = node.get(keyword)
    if keyword == "type":
        return f"expected {' or '.join(_types_of(node))}, got {json_type(value)} {show(value)}"
    if keyword == "enum" and isinstance(expected, list):
        allowed = [item for item in expected if item is not None]
        close = difflib.get_close_matches(value, [a for a in allowed if isinstance(a, str)], n=1) if isinstance(value, str) else []
        hint = f'; did you mean "{close[0]}"?' if close else ""
        return f"{show(value)} is not one of {', '.join(show(item) for item in allowed)}{hint}"
    if keyword == "const":
        return f"must be {show(expected)}, got {show(value)}"
    if keyword == "pattern" and isinstance(expected, str):
        return _pattern_text(value, expected)
    if keyword == "format":
        return format_message(expected, value)
    bits = is_range_bound(node, keyword, expected)
    if bits is not None:
        return range_message(bits, value)
    bounds = {
        "minimum": ("must be ≥", ""),
        "maximum": ("must be ≤", ""),
        "exclusiveMinimum": ("must be >", ""),
        "exclusiveMaximum": ("must be <", ""),
        "minLength": ("must be at least", " characters long"),
        "maxLength": ("must be at most", " characters long"),
        "minItems": ("must have at least", " items"),
        "maxItems": ("must have at most", " items"),
        "minProperties": ("must have at least", " fields"),
        "maxProperties": ("must have at most", " fields"),
        "multipleOf": ("must be a multiple of", ""),
    }
    if keyword in bounds and expected is not None:
        words, unit = bounds[keyword]
        actual = len(value) if keyword.startswith(("minL", "maxL", "minI", "maxI", "minP", "maxP")) and hasattr(value, "__len__") else value
        return f"{words} {expected}{unit} (got {show(actual)})"
    if keyword == "uniqueItems":
        return "items must be unique"
    if keyword in ("not", "false", "falseSchema"):
        return f"{show(value)} is not allowed here"
    return fallback


# ---------------------------------------------------------------- anyOf / oneOf


def _exclusive_fields(node: dict, keyword: str) -> list[str] | None:
    """Istio's "at most one of" idiom: oneOf [not anyOf [required a, required b...], required a, required b...]."""
    branches = node.get(keyword) if keyword == "oneOf" else None
    if not branches or "not" not in branches[0]:
        return None
    names = []
    for branch in branches[1:]:
        if set(branch) != {"required"} or len(branch["required"]) != 1:
            return None
        names.append(branch["required"][0])
    return names


def _depth(branch: list[Violation]) -> int:
    return max((len(v.path) for v in branch), default=0)


def _alternatives(v: Violation) -> list[Finding]:
    node = v.schema if isinstance(v.schema, dict) else {}
    here = to_pointer(v.path)
    exclusive = _exclusive_fields(node, v.keyword)
    if exclusive is not None:
        present = [name for name in exclusive if isinstance(v.instance, dict) and name in v.instance]
        return [Finding(here, v.keyword, f"only one of {_quoted(exclusive)} may be set, found {_quoted(present)}")]
    if v.multiple_valid:
        return [Finding(here, v.keyword, f"{show(v.instance)} matches more than one of the allowed forms")]
    if not v.branches:
        return [Finding(here, v.keyword, v.message)]
    if all(len(branch) == 1 and branch[0].keyword == "format" and branch[0].path == v.path for branch in v.branches):
        names = dict.fromkeys(str((branch[0].schema or {}).get("format")) for branch in v.branches)
        return [Finding(here, "format", format_message(" or ".join(names), v.instance))]  # Gateway API: ipv4 or ipv6
    if all(branch and all(sub.keyword == "required" and sub.path == v.path for sub in branch) for branch in v.branches):
        names = [name for branch in v.branches for sub in branch for name in (sub.schema or {}).get("required", [])]
        return [Finding(here, v.keyword, f"set at least one of {_quoted(dict.fromkeys(names))}")]
    # A branch whose only complaint is the value's type at this very place was not the one meant.
    meant = [b for b in v.branches if not any(sub.keyword == "type" and sub.path == v.path for sub in b)]
    if not meant:
        types = list(dict.fromkeys(t for b in v.branches for sub in b for t in _types_of(sub.schema)))
        return [Finding(here, "type", f"expected {' or '.join(types)}, got {json_type(v.instance)} {show(v.instance)}")]
    best = max(meant, key=lambda branch: (_depth(branch), -len(branch)))
    return describe(best)


def describe(violations: Iterable[Violation]) -> list[Finding]:
    findings: dict[tuple, Finding] = {}
    for violation in violations:
        produced = _alternatives(violation) if violation.keyword in ("anyOf", "oneOf") else _simple(violation)
        for finding in produced:
            findings.setdefault((finding.pointer, finding.keyword, finding.message), finding)
    return list(findings.values())
