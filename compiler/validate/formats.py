"""OpenAPI `format`: which ones Kubernetes enforces, and how this validator enforces them.

What the API server does (read upstream, cited so the next reader can check):
- Custom resources. apiextensions-apiserver pkg/apiserver/validation/formats.go
  (StripUnsupportedFormatsPostProcessorForVersion) keeps a `format` only where it is checked:
  on `type: string` (or no type) the string formats bsonobjectid, uri, email, hostname, ipv4,
  ipv6, cidr, mac, uuid, uuid3, uuid4, uuid5, isbn, isbn10, isbn13, creditcard, ssn, hexcolor,
  rgbcolor, byte, password, date, duration, datetime (so date-time: names are compared without
  dashes) and quantity, plus k8s-short-name and k8s-long-name from Kubernetes 1.34; on
  `type: integer` only int32 and int64, on `type: number` only float and double; any other format
  is dropped. kube-openapi pkg/validation/validate checks a kept string format with
  FormatOf (values.go), whose failure reads `<path> in body must be of type <format>: "<value>"`
  (errors/schema.go, typeFailWithData); the predicates are in format_checks.py.
- Numbers reach that validation as Go values: k8s.io/apimachinery/pkg/util/json (convertNumber)
  makes an integer an int64 when it fits and a float64 otherwise, and kube-openapi's
  typeValidator (validate/type.go) then rejects it: `must be of type int32: "float64"`, or
  `must be of type integer: "number"` without a format. Its numberValidator gets no
  type or format from a schema (validate/schema.go), so int32's own range is not checked there.
- The objects' consumers decode them into Go types, and a number that does not fit is an error:
  the API server itself for built-in kinds (`json: cannot unmarshal number 2147483648 into Go
  struct field … of type int32`), the admission webhooks and controllers for custom resources
  (KServe's webhook decodes an InferenceService into `*int32` minReplicas). A built-in kind's
  intstr.IntOrString holds an int32; a CRD's `x-kubernetes-int-or-string` may as well be a
  resource.Quantity (controller-gen writes both alike, `memory: 68719476736` is fine), so there
  only int64 is certain.
- Built-in kinds have no OpenAPI validation at all; formats matter there only through the Go
  types: []byte (format byte) and metav1.Time (format date-time). Those two are checked with
  the decoders' rules (TYPED), everything else of a built-in kind's format is dropped.

How (the cheapest correct design): schemas are rewritten once, when a kind is compiled.
- Integer ranges become `minimum`/`maximum` (int32 for format int32 and a built-in IntOrString,
  int64 for every other integer): the engine compares numbers natively, with no Python call per
  value, and jsonschema-rs compares integers of any size exactly. `format` stays on the node, so
  a bound that came from it is reported as the type it is (`must be of type int32: …`). For a
  CRD's int32 this is stricter than the API server's schema check, as strict as the webhook or
  controller behind it: fail closed. Spec fields that fill such numbers are bounded too, at the
  user's line (spec/base.py).
- String formats stay `format` and the engines check them with the predicates of the dialect
  (jsonschema-rs `formats=`, python-jsonschema `FormatChecker`): a Python call per formatted
  string only, and formats Kubernetes does not check are removed so no engine checks them.
float and double are kept but never fail: any JSON number is a float64.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from . import format_checks as check
from .crd import SCHEMA_MAPS, SCHEMA_VALUED

INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
# Set by core.py on the built-in IntOrString definition: the Go integer its number is decoded into.
GO_INTEGER = "x-inferplane-go-integer"
NUMBER_FORMATS = frozenset({"float", "double"})

# formats.go's supported string formats (compared without dashes), with the predicate of each.
_STRING_FORMATS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "bsonobjectid": ("bsonobjectid", check.is_bson_object_id),
    "uri": ("uri", check.is_request_uri),
    "email": ("email", check.is_email),
    "hostname": ("hostname", check.is_hostname),
    "ipv4": ("ipv4", check.is_ipv4),
    "ipv6": ("ipv6", check.is_ipv6),
    "cidr": ("cidr", check.is_cidr),
    "mac": ("mac", check.is_mac),
    "uuid": ("uuid", check.is_uuid),
    "uuid3": ("uuid3", check.is_uuid3),
    "uuid4": ("uuid4", check.is_uuid4),
    "uuid5": ("uuid5", check.is_uuid5),
    "isbn": ("isbn", check.is_isbn),
    "isbn10": ("isbn10", check.is_isbn10),
    "isbn13": ("isbn13", check.is_isbn13),
    "creditcard": ("creditcard", check.is_credit_card),
    "ssn": ("ssn", check.is_ssn),
    "hexcolor": ("hexcolor", check.is_hexcolor),
    "rgbcolor": ("rgbcolor", check.is_rgbcolor),
    "byte": ("byte", check.is_base64),
    "date": ("date", check.is_date),
    "duration": ("duration", check.is_duration),
    "datetime": ("date-time", check.is_date_time),
    "quantity": ("quantity", check.is_quantity),
}
# Accepted but never rejected: dropped, so that no engine is asked about them.
_UNCHECKED_STRING_FORMATS = frozenset({"password"})
_SINCE_1_34 = {
    "k8sshortname": ("k8s-short-name", check.is_k8s_short_name),
    "k8slongname": ("k8s-long-name", check.is_k8s_long_name),
}

# What a value of each format looks like, for the messages (the API server names only the format).
EXAMPLES = {
    "byte": "base64-encoded data",
    "date-time": "an RFC 3339 date-time such as 2006-01-02T15:04:05Z",
    "date": "a date such as 2006-01-02",
    "duration": "a duration such as 30s or 1h30m",
    "ipv4": "an IPv4 address",
    "ipv6": "an IPv6 address",
    "cidr": "a CIDR such as 10.0.0.0/8",
    "mac": "a MAC address such as 01:23:45:67:89:ab",
    "hostname": "a host name (RFC 1034)",
    "email": "an email address",
    "uri": "an absolute URI or path",
    "uuid": "a UUID",
    "bsonobjectid": "24 hexadecimal digits",
    "quantity": "a quantity such as 500m or 2Gi",
    "k8s-short-name": "a lowercase RFC 1123 label",
    "k8s-long-name": "a lowercase RFC 1123 subdomain",
}


@dataclass(frozen=True)
class FormatDialect:
    """The formats one kind of schema source is held to: name → canonical spelling and predicate."""

    name: str
    string_formats: Mapping[str, tuple[str, Callable[[str], bool]]]
    checkers: Mapping[str, Callable[[str], bool]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checkers", {spelling: test for spelling, test in self.string_formats.values()})

    def prepare(self, schema: Any) -> tuple[Any, dict[str, Callable[[str], bool]]]:
        """A copy of the schema with the formats this dialect checks and integer ranges as bounds,
        and the checkers of the string formats it holds: jsonschema-rs spends ~0.5 µs more on every
        object when it has any custom format, so a schema without one should be compiled without."""
        used: set[str] = set()
        prepared = _prepare(schema, self, used)
        return prepared, {name: test for name, test in self.checkers.items() if name in used}

    def canonical(self, name: str) -> str | None:
        entry = self.string_formats.get(name.replace("-", ""))
        return entry[0] if entry else None


# Built-in kinds: what Go's decoders reject.
TYPED = FormatDialect("built-in kinds", {"byte": ("byte", check.is_go_base64), "datetime": ("date-time", check.is_rfc3339)})


def crd_dialect(kubernetes_version: str) -> FormatDialect:
    """Custom resources on an API server of this version (k8s-short-name and k8s-long-name from 1.34)."""
    match = re.match(r"^v?(\d+)\.(\d+)", kubernetes_version.strip())
    newer = match is None or (int(match.group(1)), int(match.group(2))) >= (1, 34)
    return FormatDialect("custom resources", {**_STRING_FORMATS, **(_SINCE_1_34 if newer else {})})


def _types(node: dict) -> list[str]:
    kind = node.get("type")
    kinds = [kind] if isinstance(kind, str) else [k for k in kind if isinstance(k, str)] if isinstance(kind, list) else []
    return [k for k in kinds if k != "null"]


def integer_format(node: dict) -> str | None:
    """The Go integer a node's integers are decoded into (None: the node holds no integers)."""
    types = _types(node)
    if "integer" not in types:
        return None
    if node.get(GO_INTEGER) in INT_RANGES:
        return node[GO_INTEGER]
    return node.get("format") if types == ["integer"] and node.get("format") in INT_RANGES else "int64"


def _bound(out: dict, low: int, high: int) -> None:
    current_low, current_high = out.get("minimum"), out.get("maximum")
    numeric = lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)  # noqa: E731
    out["minimum"] = max(current_low, low) if numeric(current_low) else low
    out["maximum"] = min(current_high, high) if numeric(current_high) else high


def _keep_format(node: dict, dialect: FormatDialect) -> str | None:
    """StripUnsupportedFormatsPostProcessorForVersion: the format kept on this node, if any."""
    name = node.get("format")
    if not isinstance(name, str) or not name:
        return None
    types = _types(node)
    single = types[0] if len(types) == 1 else ""
    if single in ("", "string"):
        return dialect.canonical(name)
    if single == "integer":
        return name if name in INT_RANGES else None
    if single == "number":
        return name if name in NUMBER_FORMATS else None
    return None


def _prepare(node: Any, dialect: FormatDialect, used: set[str]) -> Any:
    if isinstance(node, list):
        return [_prepare(item, dialect, used) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _prepare(child, dialect, used) for name, child in value.items()}
        elif key in SCHEMA_VALUED:
            out[key] = _prepare(value, dialect, used)
        else:
            out[key] = value
    kept = _keep_format(node, dialect)
    if kept is None:
        out.pop("format", None)
    else:
        out["format"] = kept
        used.add(kept)
    bits = integer_format(out)
    if bits is not None:
        _bound(out, *INT_RANGES[bits])
    return out


def is_range_bound(node: dict, keyword: str, bound: Any) -> str | None:
    """The integer type whose range a failed minimum/maximum is, or None for the author's own bound."""
    bits = integer_format(node)
    if bits is None or keyword not in ("minimum", "maximum"):
        return None
    return bits if bound == INT_RANGES[bits][0 if keyword == "minimum" else 1] else None
