"""Schema extensions: a vendor's extra fields on an upstream kind (e.g. Alibaba ASM on Istio).

An extension names one group/kind/version and changes that kind's final JSON Schema (after CRD
conversion), by an RFC 7386 merge patch (`merge`, null deletes) and/or RFC 6902-style operations
(`ops`: add, replace, remove, with JSON-pointer paths into the schema). With `dialect="openapi"` the
values of `ops` are CRD-style OpenAPI fragments and get the same strict conversion as CRD schemas,
so a new object field rejects unknown fields like its neighbours do (a merge patch is always plain
JSON Schema: its intermediate nodes are paths, not schemas).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

from . import crd
from .pointer import split


@dataclass(frozen=True)
class SchemaExtension:
    group: str
    kind: str
    version: str
    merge: Mapping[str, Any] | None = None
    ops: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)
    dialect: Literal["json-schema", "openapi"] = "json-schema"
    name: str = ""

    def matches(self, api_version: str, kind: str) -> bool:
        group, _, version = api_version.rpartition("/")
        return (group, version, kind) == (self.group, self.version, self.kind)

    def apply(self, schema: dict) -> dict:
        result = copy.deepcopy(schema)
        if self.merge is not None:
            result = merge_patch(result, self.merge)
        for op in self.ops:
            result = _apply_op(result, op, self._value)
        return result

    def _value(self, value: Any) -> Any:
        if self.dialect == "openapi" and isinstance(value, Mapping):
            return crd.convert(copy.deepcopy(dict(value)))
        return copy.deepcopy(value)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, null removes a key, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _apply_op(document: Any, op: Mapping[str, Any], convert_value) -> Any:
    kind = op.get("op")
    tokens = split(op.get("path", ""))
    if not tokens:
        if kind in ("add", "replace"):
            return convert_value(op["value"])
        raise ValueError(f"schema extension: cannot {kind} the whole schema")
    parent = document
    for token in tokens[:-1]:
        parent = parent[int(token)] if isinstance(parent, list) else parent[token]
    last = tokens[-1]
    if kind == "add":
        if isinstance(parent, list):
            parent.insert(len(parent) if last == "-" else int(last), convert_value(op["value"]))
        else:
            parent[last] = convert_value(op["value"])
    elif kind == "replace":
        if isinstance(parent, list):
            parent[int(last)] = convert_value(op["value"])
        elif last not in parent:
            raise ValueError(f"schema extension: replace of missing {op['path']}")
        else:
            parent[last] = convert_value(op["value"])
    elif kind == "remove":
        del parent[int(last) if isinstance(parent, list) else last]
    else:
        raise ValueError(f"schema extension: unsupported op {kind!r} (add, replace, remove)")
    return document
