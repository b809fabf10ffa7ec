"""The editor schema of patch files (`overlays/<env>/patches/*.yaml`), and every editor schema.

spec/schema.py writes the schemas of the spec kinds from the pydantic models; a patch's format
belongs to output/patch.py (rank: output after spec), so its schema is built here, from that
module's own tables (operations and target keys), and `inferplane schema` writes all four.

A patch document is one of two forms (output/patch.py):
- a JSON Patch: `target:` (group, version, kind, namespace, name) and `patch:` (RFC 6902
  operations, each with exactly the members its `op` takes);
- a merge patch: a partial Kubernetes object, picked by apiVersion, kind and metadata.name.
A document with `apiVersion` or `kind` is read as the second, any other as the first, so a
misspelled `target` or `patch` is "unexpected" rather than a confusing merge-patch error. The
body of a merge patch has the target kind's shape, which no schema here knows: compile validates
the patched object against the kind's own schema and points at the patch.
"""

from __future__ import annotations

from pathlib import Path

from ..output.patch import OPERATIONS, TARGET_KEYS
from ..spec.models import API_VERSION
from ..spec.schema import schema_files, stale_schemas, write_schemas

_POINTER = {"type": "string", "pattern": "^(/([^~/]|~[01])*)*$", "description": "a JSON pointer (RFC 6901), e.g. /spec/predictor/priorityClassName"}
_TARGET_DESCRIPTIONS = {
    "group": "the API group, '' for the core group (e.g. serving.kserve.io)",
    "version": "the API version after the group (e.g. v1beta1)",
    "kind": "the object's kind (e.g. InferenceService)",
    "namespace": "the object's namespace",
    "name": "the object's name",
}
# ObjectMeta's fields a rendered object may carry (Kubernetes API reference, ObjectMeta v1).
_OBJECT_META = ("name", "namespace", "labels", "annotations", "finalizers", "ownerReferences", "generateName")


def _operation() -> dict:
    members = sorted({member for needed in OPERATIONS.values() for member in needed})
    properties: dict = {"op": {"enum": list(OPERATIONS), "description": "the RFC 6902 operation"}}
    for member in members:
        properties[member] = _POINTER if member in ("path", "from") else {"description": "the value to add, replace with, or test for"}
    # Each operation requires its own members (RFC 6902 section 4), told by `op`.
    rules = [
        {"if": {"properties": {"op": {"const": name}}, "required": ["op"]}, "then": {"required": ["op", *needed]}}
        for name, needed in OPERATIONS.items()
    ]
    return {"type": "object", "properties": properties, "required": ["op"], "additionalProperties": False, "allOf": rules}


def patch_schema() -> dict:
    target = {
        "type": "object",
        "description": "which rendered objects the operations apply to; every key given must match",
        "properties": {key: {"type": "string", "description": _TARGET_DESCRIPTIONS[key]} for key in TARGET_KEYS},
        "additionalProperties": False,
        "minProperties": 1,
    }
    json_patch = {
        "type": "object",
        "description": "a JSON Patch (RFC 6902) aimed at rendered objects by `target`",
        "properties": {"target": target, "patch": {"type": "array", "items": {"$ref": "#/$defs/Operation"}, "minItems": 1}},
        "required": ["target", "patch"],
        "additionalProperties": False,
    }
    merge_patch = {
        "type": "object",
        "description": "a merge patch: a partial object (maps merge deeply, lists of named items by name, null deletes)",
        "properties": {
            "apiVersion": {"type": "string", "description": "the target's apiVersion (e.g. serving.kserve.io/v1beta1)"},
            "kind": {"type": "string", "description": "the target's kind"},
            "metadata": {
                "type": "object",
                "properties": {key: {"type": "string"} if key in ("name", "namespace", "generateName") else {} for key in _OBJECT_META},
                "required": ["name"],
                "additionalProperties": False,
            },
        },
        "required": ["apiVersion", "kind", "metadata"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://inferplane.dev/schemas/patch.schema.json",
        "title": "Patch",
        "description": f"Inferplane patch ({API_VERSION}): overlays/<env>/patches/*.yaml, applied to that environment's rendered objects",
        "$defs": {"Operation": _operation(), "JsonPatch": json_patch, "MergePatch": merge_patch},
        "if": {"anyOf": [{"required": ["apiVersion"]}, {"required": ["kind"]}]},
        "then": {"$ref": "#/$defs/MergePatch"},
        "else": {"$ref": "#/$defs/JsonPatch"},
    }


def editor_schema_files() -> dict[str, bytes]:
    """Every file of schemas/: the spec kinds' and the patch's."""
    return schema_files({"patch.schema.json": patch_schema})


def stale_editor_schemas(folder: Path) -> list[str]:
    return stale_schemas(folder, editor_schema_files())


def write_editor_schemas(folder: Path) -> list[str]:
    return write_schemas(folder, editor_schema_files())
