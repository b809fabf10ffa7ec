"""Turn a JSON-like instance into the CEL values the apiserver would bind to ``self``.

Follows k8s.io/apiserver/pkg/cel/common/schemas.go (SchemaDeclType) and
values.go (UnstructuredToVal):

* ``integer`` -> int, ``number`` -> double (even when the YAML said ``1``),
  ``x-kubernetes-int-or-string`` -> int or string exactly as given (never a
  Quantity: rules call ``quantity(self)`` themselves);
* string formats ``byte`` -> bytes, ``duration`` -> duration, ``date``/``date-time``
  -> timestamp; a value that does not parse becomes an error value, so only rules
  that read it fail, as upstream;
* declared properties are exposed under their escaped CEL names (``x-y`` ->
  ``x__dash__y``, see escaping.go); undeclared fields are dropped as pruning would;
* at a resource root (and in ``x-kubernetes-embedded-resource`` objects) only
  ``apiVersion``, ``kind``, ``metadata.name`` and ``metadata.generateName`` are
  visible besides the declared spec/status (WithTypeAndObjectMeta).
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import re
from collections.abc import Mapping
from typing import Any

from celpy.celtypes import (
    BoolType,
    BytesType,
    DoubleType,
    IntType,
    ListType,
    MapType,
    StringType,
    TimestampType,
)
from celpy.evaluation import CELEvalError

from .cel_core import parse_go_duration

Schema = Mapping[str, Any]

_RESERVED = frozenset({
    "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
    "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
    "void", "while",
})
_ESCAPES = re.compile(r"__|[-./]")
_ESCAPE_NAMES = {"__": "__underscores__", ".": "__dot__", "-": "__dash__", "/": "__slash__"}
_ESCAPABLE = re.compile(r"^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$")

_OBJECT_META_SCHEMA: Schema = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "generateName": {"type": "string"}},
}


def escape_property_name(name: str) -> str | None:
    """CEL identifier for a property name, or None when CEL cannot address it."""
    if name in _RESERVED:
        return f"__{name}__"
    if not _ESCAPABLE.match(name):
        return None
    return _ESCAPES.sub(lambda m: _ESCAPE_NAMES[m.group(0)], name)


def with_type_and_object_meta(schema: Schema) -> Schema:
    properties = dict(schema.get("properties") or {})
    properties["apiVersion"] = {"type": "string"}
    properties["kind"] = {"type": "string"}
    meta_properties = dict(_OBJECT_META_SCHEMA["properties"])
    meta_properties.update((properties.get("metadata") or {}).get("properties") or {})
    properties["metadata"] = {"type": "object", "properties": meta_properties}
    return {**schema, "type": "object", "properties": properties}


def apply_defaults(value: Any, schema: Schema | None) -> Any:
    """A copy of ``value`` with schema ``default``s filled in, as the apiserver does
    before validating; rules such as ``size(self.group) == 0`` rely on it."""
    if not schema or value is None:
        return value
    if isinstance(value, list):
        items = schema.get("items")
        return [apply_defaults(item, items if isinstance(items, Mapping) else None) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and properties:
        result = dict(value)
        for name, property_schema in properties.items():
            if name not in result and isinstance(property_schema, Mapping) and "default" in property_schema:
                result[name] = copy.deepcopy(property_schema["default"])
        return {name: apply_defaults(item, properties.get(name)) for name, item in result.items()}
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping):
        return {name: apply_defaults(item, additional) for name, item in value.items()}
    return value


def to_cel(value: Any, schema: Schema | None, resource_root: bool = False) -> Any:
    """Convert ``value`` under ``schema``; None stays None (rules skip null values)."""
    if value is None:
        return None
    if not schema:
        return untyped_to_cel(value)
    if resource_root and isinstance(value, dict):
        schema = with_type_and_object_meta(schema)
    if schema.get("x-kubernetes-int-or-string"):
        return untyped_to_cel(value)
    kind = schema.get("type")
    if isinstance(value, dict):
        return _object_to_cel(value, schema)
    if isinstance(value, list):
        items = schema.get("items") if isinstance(schema.get("items"), dict) else None
        return ListType([to_cel(item, items, _is_embedded(items)) for item in value])
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return DoubleType(float(value))
    if kind == "integer" and isinstance(value, float) and value.is_integer():
        return _int(int(value))
    if kind == "string" and isinstance(value, str):
        return _formatted_string(value, schema.get("format"))
    return untyped_to_cel(value)


def _is_embedded(schema: Schema | None) -> bool:
    return bool(schema and schema.get("x-kubernetes-embedded-resource"))


def _object_to_cel(value: dict[str, Any], schema: Schema) -> MapType:
    properties = schema.get("properties")
    additional = schema.get("additionalProperties")
    if isinstance(properties, dict) and properties:
        converted = {}
        for name, item in value.items():
            property_schema = properties.get(name)
            cel_name = escape_property_name(name) if property_schema is not None else None
            if cel_name is not None:
                converted[StringType(cel_name)] = to_cel(item, property_schema, _is_embedded(property_schema))
        return MapType(converted)
    if isinstance(additional, dict):
        return MapType({
            StringType(name): to_cel(item, additional, _is_embedded(additional))
            for name, item in value.items()
        })
    return untyped_to_cel(value)


def _formatted_string(value: str, string_format: str | None) -> Any:
    if string_format == "byte":
        try:
            return BytesType(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            return CELEvalError(f"invalid base64 value {value!r}")
    if string_format == "duration":
        parsed = parse_go_duration(value)
        return parsed if parsed is not None else CELEvalError(f"invalid duration {value!r}")
    if string_format in ("date", "date-time"):
        text = f"{value}T00:00:00Z" if string_format == "date" else value
        try:
            return TimestampType(text)
        except (ValueError, TypeError):
            return CELEvalError(f"invalid {string_format} {value!r}")
    return StringType(value)


def _int(value: int) -> Any:
    try:
        return IntType(value)
    except ValueError:
        return CELEvalError(f"integer overflow: {value}")


def untyped_to_cel(value: Any) -> Any:
    """Schema-less conversion, as for int-or-string or preserve-unknown-fields data."""
    if value is None:
        return None
    if isinstance(value, bool):
        return BoolType(value)
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return DoubleType(value)
    if isinstance(value, str):
        return StringType(value)
    if isinstance(value, dict):
        return MapType({StringType(str(k)): untyped_to_cel(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return ListType([untyped_to_cel(v) for v in value])
    if isinstance(value, datetime.datetime):
        # YAML loaders may hand over timestamps; the apiserver would see their text.
        return StringType(value.isoformat())
    return StringType(str(value))
