"""Schemas of the built-in kinds, from the strict JSON schemas the kubernetes-validate package ships.

Layout: `kubernetes-json-schema/v1.XX.0-local-strict/<kind>-<first label of group>-<version>.json`
(`<kind>-<version>.json` for the core group), each referring to `_definitions.json`. We load those
files ourselves instead of calling `kubernetes_validate.validate`, which re-reads and re-compiles the
schema for every document.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .formats import GO_INTEGER, TYPED, FormatDialect
from .metadata import CORE_NAME_RULES, name_rules_only

DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_VERSION_DIR = re.compile(r"^v(\d+\.\d+\.\d+)-local-strict$")


@dataclass(frozen=True)
class LoadedSchema:
    """A root schema plus the documents its `$ref`s point into (already prepared for `dialect`), by base URI."""

    schema: dict
    documents: dict[str, dict]
    source: str
    dialect: FormatDialect  # the formats the source's consumer enforces (formats.py)


def _bundle_root() -> Path:
    return Path(str(resources.files("kubernetes_validate") / "kubernetes-json-schema"))


def _numbers(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def bundled_versions() -> list[str]:
    found = [match.group(1) for entry in _bundle_root().iterdir() if (match := _VERSION_DIR.match(entry.name))]
    return sorted(found, key=_numbers)


def pick_version(requested: str) -> str:
    """The newest bundled version not newer than the requested minor (as kubernetes-validate picks it).

    A request newer than every bundle gets the newest one; one older than all is an error.
    """
    if requested in ("master", "latest"):
        return bundled_versions()[-1]
    match = re.match(r"^v?(\d+)\.(\d+)(\.\d+)?$", requested.strip())
    if not match:
        raise ValueError(f"invalid Kubernetes version {requested!r}: expected e.g. 1.33")
    wanted_minor = (int(match.group(1)), int(match.group(2)))
    candidates = [v for v in bundled_versions() if _numbers(v)[:2] <= wanted_minor]
    if not candidates:
        raise ValueError(f"Kubernetes {requested} is older than every bundled schema set (oldest: {bundled_versions()[0]})")
    return candidates[-1]


def _union_of_types(node: dict) -> dict | None:
    """`oneOf: [{type: [string, null]}, {type: [integer, null]}]` (IntOrString, Quantity) as one type list.

    As a oneOf, `null` matches both branches and fails; as a list it means what Kubernetes means.
    """
    branches = node.get("oneOf")
    if not branches or not all(isinstance(b, dict) and set(b) == {"type"} for b in branches):
        return None
    types: list[str] = []
    for branch in branches:
        for name in branch["type"] if isinstance(branch["type"], list) else [branch["type"]]:
            if name not in types:
                types.append(name)
    rest = {key: value for key, value in node.items() if key != "oneOf"}
    return {**rest, "type": types}


@functools.lru_cache(maxsize=4)
def _definitions(version: str) -> dict:
    path = _bundle_root() / f"v{version}-local-strict" / "_definitions.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for name, node in document.get("$defs", {}).items():
        union = _union_of_types(node)
        if union is not None:
            document["$defs"][name] = union
    if _INT_OR_STRING in document["$defs"]:  # its number is IntOrString.IntVal, an int32
        document["$defs"][_INT_OR_STRING] = {**document["$defs"][_INT_OR_STRING], GO_INTEGER: "int32"}
    return TYPED.prepare(document)[0]


class CoreSchemas:
    """Built-in kinds for one Kubernetes version."""

    def __init__(self, kubernetes_version: str):
        self.version = pick_version(kubernetes_version)
        self._folder = _bundle_root() / f"v{self.version}-local-strict"

    def file_for(self, api_version: str, kind: str) -> Path:
        flattened = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
        return self._folder / f"{kind.lower()}-{flattened}.json"

    def load(self, api_version: str, kind: str) -> LoadedSchema | None:
        path = self.file_for(api_version, kind)
        if not path.is_file():
            return None
        schema = json.loads(path.read_text(encoding="utf-8"))
        group, _, version = api_version.rpartition("/")
        # The file name drops all but the group's first label (networking.k8s.io and
        # networking.istio.io both give "networking"): only the schema's own GVK is proof.
        declared = schema.get("x-kubernetes-group-version-kind") or []
        if not any(gvk.get("group", "") == group and gvk.get("version") == version and gvk.get("kind") == kind for gvk in declared):
            return None
        return LoadedSchema(_with_metadata_rules(schema, group, kind), {DEFINITIONS_URI: _definitions(self.version)}, f"kubernetes-validate v{self.version}", TYPED)


def _with_metadata_rules(schema: dict, group: str, kind: str) -> dict:
    """The bundled ObjectMeta checks types only; the server also checks names and labels."""
    schema = copy.copy(schema)
    properties = dict(schema.get("properties", {}))
    meta: Any = properties.get("metadata")
    if meta is not None:
        pattern, max_length = CORE_NAME_RULES.get((group, kind), (None, None))
        rules = name_rules_only(pattern, max_length) if pattern else name_rules_only()
        properties["metadata"] = {"allOf": [meta, rules]}
        schema["properties"] = properties
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
    return schema
