"""A CRD version's `openAPIV3Schema` as a JSON Schema (2020-12) that judges like the API server.

The API server (fieldValidation=Strict) rejects what it would otherwise prune: any field that is
not in `properties`, unless the object has `additionalProperties` or
`x-kubernetes-preserve-unknown-fields: true`. Pruning is per object node, so a specified child of a
preserving node is pruned again; an object that declares no properties at all keeps nothing.
The OpenAPI v3.0 dialect differs from JSON Schema in `nullable` and boolean
`exclusiveMinimum/Maximum`; the Kubernetes extensions `x-kubernetes-int-or-string` and
`x-kubernetes-embedded-resource` change what a node accepts. Defaults are applied before
validation, so a required field with a default is never missing. List-type uniqueness
(`x-kubernetes-list-type`) is not expressible here and is checked by `listtypes.py`;
the annotations are kept so that module can find them. `format` is kept as written: the registry
then holds it to what the API server checks (formats.py).
"""

from __future__ import annotations

from typing import Any

from .metadata import embedded_resource_properties, object_meta

DIALECT = "https://json-schema.org/draft/2020-12/schema"

# Only documentation: dropped to keep the compiled schemas small (InferenceService shrinks ~3x).
_DOCUMENTATION = frozenset({"description", "example", "externalDocs", "title", "x-kubernetes-validations"})
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_JUNCTORS = frozenset({"allOf", "anyOf", "oneOf", "not"})


def convert(node: Any, *, in_junctor: bool = False) -> Any:
    """One schema node and everything below it.

    Inside allOf/anyOf/oneOf/not (`in_junctor`) a structural schema only adds value checks, so
    nothing there may close an object: that is decided by the typed node outside.
    """
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DOCUMENTATION:
            continue
        if key == "properties":
            out[key] = {name: convert(child, in_junctor=in_junctor) for name, child in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = convert(value, in_junctor=in_junctor)
        elif key in _SCHEMA_LISTS:
            out[key] = [convert(child, in_junctor=True) for child in value]
        elif key == "not":
            out[key] = convert(value, in_junctor=True)
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
            _exclusive_bound(node, out, key, value)
        elif key in ("minimum", "maximum") and node.get("exclusive" + key[0].upper() + key[1:]) is True:
            continue  # folded into the exclusive keyword by _exclusive_bound
        elif key == "nullable":
            continue
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        _int_or_string(out)
    if node.get("nullable") is True:
        _allow_null(out)
    if not in_junctor:
        _drop_defaulted_required(out)
        if _is_object(node):
            _close_object(node, out)
    return out


def _exclusive_bound(node: dict, out: dict, key: str, exclusive: bool) -> None:
    bound_key = "minimum" if key == "exclusiveMinimum" else "maximum"
    if exclusive and bound_key in node:
        out[key] = node[bound_key]


def _int_or_string(out: dict) -> None:
    """`anyOf: [{type: integer}, {type: string}]` becomes one type list: same meaning, one clear message."""
    any_of = out.get("anyOf")
    if any_of and all(set(branch) == {"type"} and branch["type"] in ("integer", "string") for branch in any_of):
        del out["anyOf"]
    out["type"] = ["integer", "string"]


def _allow_null(out: dict) -> None:
    kind = out.get("type")
    if isinstance(kind, str):
        out["type"] = [kind, "null"]
    elif isinstance(kind, list) and "null" not in kind:
        out["type"] = [*kind, "null"]
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]


def _drop_defaulted_required(out: dict) -> None:
    required = out.get("required")
    properties = out.get("properties") or {}
    if required:
        kept = [name for name in required if "default" not in (properties.get(name) or {})]
        if kept:
            out["required"] = kept
        else:
            del out["required"]


def _is_object(node: dict) -> bool:
    kind = node.get("type")
    return kind == "object" or (kind is None and ("properties" in node or node.get("x-kubernetes-embedded-resource")))


def _close_object(node: dict, out: dict) -> None:
    if node.get("x-kubernetes-embedded-resource"):
        properties = out.setdefault("properties", {})
        for name, schema in embedded_resource_properties().items():
            properties[name] = _combine(schema, properties[name]) if name in properties else schema
        out["required"] = sorted(set(out.get("required", [])) | {"apiVersion", "kind"})
    if node.get("x-kubernetes-preserve-unknown-fields") is True or "additionalProperties" in node:
        return
    out["additionalProperties"] = False


def _combine(ours: dict, theirs: dict) -> dict:
    """Our strict schema, plus whatever value checks the CRD author added to the same node."""
    extra = {key: value for key, value in theirs.items() if key not in ("type", "additionalProperties")}
    if not extra or extra == {"properties": {}}:
        return ours
    loose = dict(extra)
    if "properties" in loose:
        loose["properties"] = {name: _loosen(child) for name, child in loose["properties"].items()}
    return {**ours, "allOf": [*ours.get("allOf", []), loose]}


def _loosen(node: Any) -> Any:
    if isinstance(node, dict):
        node = {key: _loosen(value) for key, value in node.items() if not (key == "additionalProperties" and value is False)}
    return node


def root_schema(openapi_v3_schema: dict | None, group: str, version: str, kind: str) -> dict:
    """The schema of a whole custom resource of this CRD version."""
    converted = convert(openapi_v3_schema or {"type": "object"})
    if not isinstance(converted, dict):
        converted = {}
    properties = converted.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string", "const": f"{group}/{version}"}
    properties["kind"] = {"type": "string", "const": kind}
    crd_meta = properties.get("metadata")
    properties["metadata"] = _combine(object_meta(root=True), crd_meta) if isinstance(crd_meta, dict) else object_meta(root=True)
    converted["type"] = "object"
    converted["required"] = sorted(set(converted.get("required", [])) | {"apiVersion", "kind", "metadata"})
    # The root is always pruned, even when the CRD author forgot to say so.
    if not (openapi_v3_schema or {}).get("x-kubernetes-preserve-unknown-fields"):
        converted["additionalProperties"] = False
    converted["$schema"] = DIALECT
    return converted


def has_cel_rules(node: Any) -> bool:
    """Whether any node of a raw openAPIV3Schema carries x-kubernetes-validations."""
    if isinstance(node, dict):
        if node.get("x-kubernetes-validations"):
            return True
        return any(has_cel_rules(value) for value in node.values())
    if isinstance(node, list):
        return any(has_cel_rules(value) for value in node)
    return False


def harden(schema: dict) -> dict:
    """Repair a JSON schema made from a CRD by other tools (the CRDs catalog, openapi2jsonschema).

    Those conversions leave the root open, keep `additionalProperties: false` on nodes that say
    `x-kubernetes-preserve-unknown-fields`, and leave int-or-string as an anyOf. The result here
    judges like `root_schema` does, as far as the converted schema still tells.
    """
    fixed = _repair(schema)
    properties = fixed.get("properties")
    if not isinstance(properties, dict):
        return fixed
    meta = properties.get("metadata")
    if meta is None or (isinstance(meta, dict) and not meta.get("properties") and not meta.get("$ref")):
        properties["metadata"] = object_meta(root=True)
    fixed.setdefault("additionalProperties", False)
    fixed["required"] = sorted(set(fixed.get("required", [])) | {"apiVersion", "kind", "metadata"})
    return fixed


# Keywords whose values are schemas: a map of them, or one schema or a list (walkers descend only here).
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
SCHEMA_VALUED = frozenset({"items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "allOf", "anyOf", "oneOf", "prefixItems"})


def _repair(node: Any) -> Any:
    if isinstance(node, list):
        return [_repair(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: _repair(child) for name, child in value.items()}
        elif key in SCHEMA_VALUED:
            out[key] = _repair(value)
        else:
            out[key] = value
    if node.get("x-kubernetes-preserve-unknown-fields") is True and out.get("additionalProperties") is False:
        del out["additionalProperties"]
    if node.get("x-kubernetes-int-or-string"):
        _int_or_string(out)
    return out
