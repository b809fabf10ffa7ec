"""JSON Schemas of the input kinds, for editors (yaml-language-server) and other tools.

pydantic's schemas are written for machines: every optional field is `anyOf: [X, {type: null}]`
with `default: null` and a title made from its name, so an editor's hover reads "Minreplicas ||
Minreplicas" and completion inserts `${1:null}`. `editor_schema` cleans them: a field whose null
only means "not set" is just X, titles made from field names go (the description stays), and
`default: null` goes.

Three files, one per kind of spec file (docs/editors.md maps them to paths; the fourth,
patch.schema.json for overlays/<env>/patches/, is built by commands/patch_schema.py):
- modelservice.schema.json   services/*.yaml
- environment.schema.json    environments/*.yaml; its `spec.defaults` is a partial service spec
- overlay.schema.json        overlays/<env>/*.yaml: a partial ModelService where nothing is
                             required and `null` removes a key (source/resolve.py's merge)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .models import API_VERSION, Environment, ModelService

_NULL = {"type": "null"}
_REMOVE = {"type": "null", "description": "null removes the key from the merged spec"}
_DEFAULTS_PREFIX = "ServiceDefaults"


def _without_null(node: dict) -> dict:
    """`anyOf: [X, null]` (pydantic's Optional) as X, keeping the outer keys (description, ...)."""
    branches = node.get("anyOf")
    if not isinstance(branches, list) or _NULL not in branches:
        return node
    rest = [branch for branch in branches if branch != _NULL]
    outer = {key: value for key, value in node.items() if key != "anyOf"}
    if outer.get("default", 0) is None:
        del outer["default"]
    if len(rest) == 1:
        return {**rest[0], **outer}
    return {"anyOf": rest, **outer}


def _clean(node: Any, in_properties: bool = False) -> Any:
    if isinstance(node, list):
        return [_clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:
        return {key: _clean(value) for key, value in node.items()}
    node = _without_null(node)
    result = {}
    for key, value in node.items():
        if key == "title" and isinstance(value, str) and "properties" not in node:
            continue  # a title pydantic made from a field name; a model's own title stays
        result[key] = _clean(value, in_properties=key in ("properties", "$defs", "patternProperties"))
    return result


def _partial(node: Any, in_properties: bool = False) -> Any:
    """Nothing required, and every property may be null ("remove this key")."""
    if isinstance(node, list):
        return [_partial(item) for item in node]
    if not isinstance(node, dict):
        return node
    if in_properties:
        return {key: _nullable(_partial(value)) for key, value in node.items()}
    result = {key: _partial(value, in_properties=key == "properties") for key, value in node.items() if key != "required"}
    if isinstance(result.get("additionalProperties"), dict):  # a map's value: null removes that key
        result["additionalProperties"] = _nullable(result["additionalProperties"])
    return result


def _nullable(node: dict) -> dict:
    if isinstance(node.get("type"), str) and "enum" not in node and "const" not in node:
        return {**node, "type": [node["type"], "null"]}  # one schema, not X || null, in hovers
    if isinstance(node.get("enum"), list) and isinstance(node.get("type"), str):
        return {**node, "type": [node["type"], "null"], "enum": [*node["enum"], None]}
    description = node.get("description")
    inner = {key: value for key, value in node.items() if key != "description"}
    return {"anyOf": [inner, _REMOVE], **({"description": description} if description else {})}


def _renamed_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, list):
        return [_renamed_refs(item, prefix) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: (value.replace("#/$defs/", f"#/$defs/{prefix}") if key == "$ref" and isinstance(value, str) else _renamed_refs(value, prefix))
        for key, value in node.items()
    }


def _header(name: str, description: str) -> dict:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://inferplane.dev/schemas/{name}",
        "description": description,
    }


def schema_of(model: type) -> dict:
    schema = _clean(model.model_json_schema(by_alias=True, mode="validation"))
    return {**_header(f"{model.__name__.lower()}.schema.json", f"Inferplane {model.__name__} ({API_VERSION})"), **schema}


def overlay_schema() -> dict:
    """A partial ModelService: the shape of a service, nothing required, null removes a key."""
    service = schema_of(ModelService)
    body = {key: value for key, value in service.items() if not key.startswith("$") and key not in ("description", "title")}
    partial = _partial({"$defs": service["$defs"], **body})
    return {
        **_header("overlay.schema.json", f"Inferplane overlay ({API_VERSION}): overlays/<env>/<service>.yaml, merged onto the service for one environment"),
        "title": "Overlay",
        **partial,
    }


def environment_schema() -> dict:
    """The Environment, with `spec.defaults` typed as a partial service spec (its own $defs, prefixed)."""
    environment = schema_of(Environment)
    partial = _renamed_refs(_partial({"$defs": schema_of(ModelService)["$defs"]}), _DEFAULTS_PREFIX)
    environment["$defs"].update({f"{_DEFAULTS_PREFIX}{name}": body for name, body in partial["$defs"].items()})
    defaults = environment["$defs"]["EnvironmentSpec"]["properties"]["defaults"]
    environment["$defs"]["EnvironmentSpec"]["properties"]["defaults"] = {
        "$ref": f"#/$defs/{_DEFAULTS_PREFIX}ServiceSpecBody",
        "description": defaults.get("description", ""),
    }
    return environment


SCHEMA_FILES = {
    "modelservice.schema.json": lambda: schema_of(ModelService),
    "environment.schema.json": environment_schema,
    "overlay.schema.json": overlay_schema,
}


def schema_files(more: dict | None = None) -> dict[str, bytes]:
    """The files' bytes; `more` adds builders of kinds defined further down the pipeline (the patch
    schema, commands/patch_schema.py: spec may not import output's patch format)."""
    builders = {**SCHEMA_FILES, **(more or {})}
    return {
        name: (json.dumps(build(), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        for name, build in builders.items()
    }


def stale_schemas(folder: Path, files: dict[str, bytes] | None = None) -> list[str]:
    files = schema_files() if files is None else files
    return [name for name, content in files.items() if not (folder / name).is_file() or (folder / name).read_bytes() != content]


def write_schemas(folder: Path, files: dict[str, bytes] | None = None) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in (schema_files() if files is None else files).items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != content:
            target.write_bytes(content)
            written.append(name)
    return written
