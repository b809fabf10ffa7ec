"""Patch: the escape hatch for fields the spec does not model.

Files in `overlays/<env>/patches/` are applied to that environment's rendered manifests after
emit and before validation, so a patch that breaks a manifest is caught like any other error,
pointing at the patch. Two forms, one or more documents per file:

    # a JSON Patch (RFC 6902), aimed with a target
    target: {kind: InferenceService, name: sklearn-iris}     # also group, version, namespace
    patch:
      - {op: add, path: /spec/predictor/priorityClassName, value: high-priority}

    # a merge patch: a partial object, merged by the overlay rules (maps deep, lists of named
    # items by name, null deletes); apiVersion, kind and metadata.name pick the object
    apiVersion: serving.kserve.io/v1beta1
    kind: InferenceService
    metadata: {name: sklearn-iris}
    spec: {predictor: {priorityClassName: high-priority}}
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import jsonpatch

from ..emit.manifest import Manifest
from ..errors import Diagnostic, Location
from ..source.load import display_path
from ..source.resolve import Layer, merge
from ..source.yaml_io import LoadedDocument, load_file

TARGET_KEYS = ("group", "version", "kind", "namespace", "name")


def _selects(target: dict, manifest: Manifest) -> bool:
    version = manifest.api_version.rsplit("/", 1)[-1]
    actual = {"group": manifest.group, "version": version, "kind": manifest.kind, "namespace": manifest.namespace, "name": manifest.name}
    return all(actual[key] == target[key] for key in TARGET_KEYS if key in target)


def _patch_origins(manifest: Manifest, origins: dict[str, Location]) -> Manifest:
    """Output errors under a patched path now point at the patch, not at the spec."""
    return replace(manifest, origins={**manifest.origins, **origins})


def _json_patch(doc: LoadedDocument, manifests: list[Manifest]) -> tuple[list[Manifest], list[Diagnostic]]:
    target, ops = doc.data.get("target"), doc.data.get("patch")
    unknown = sorted(set(doc.data) - {"target", "patch"})
    if unknown or not isinstance(target, dict) or not isinstance(ops, list):
        return manifests, [Diagnostic("PATCH-SHAPE", "a JSON Patch document has `target:` (kind, name, …) and `patch:` (a list of operations)", "or write a merge patch: a partial object with apiVersion, kind and metadata.name", doc.locate(()))]
    bad_keys = sorted(set(target) - set(TARGET_KEYS))
    if bad_keys:
        return manifests, [Diagnostic("PATCH-SHAPE", f"unknown target key {bad_keys[0]!r}", f"a target selects by {', '.join(TARGET_KEYS)}", doc.locate(("target", bad_keys[0])))]
    selected = {id(m) for m in manifests if _selects(target, m)}
    if not selected:
        return manifests, [Diagnostic("PATCH-TARGET", f"patch target {target} matches no rendered object", "check kind and name against rendered/<env>/ (patches apply to this environment only)", doc.locate(("target",)))]
    try:
        patch = jsonpatch.JsonPatch(ops)
    except (jsonpatch.InvalidJsonPatch, TypeError) as exc:
        return manifests, [Diagnostic("PATCH-SHAPE", f"invalid JSON Patch: {exc}", "each operation needs op and path (RFC 6902)", doc.locate(("patch",)))]
    result, diagnostics = [], []
    for manifest in manifests:
        if id(manifest) not in selected:
            result.append(manifest)
            continue
        try:
            body = patch.apply(copy.deepcopy(manifest.body))
        except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
            diagnostics.append(Diagnostic("PATCH-APPLY", f"patch does not apply to {manifest.display_name}: {exc}", "fix the operation's path or value against the rendered object", doc.locate(("patch",))))
            result.append(manifest)
            continue
        origins = {op["path"]: doc.locate(("patch", index, "path")) for index, op in enumerate(ops) if isinstance(op, dict) and "path" in op}
        result.append(_patch_origins(replace(manifest, body=body), origins))
    return result, diagnostics


def _leaf_pointers(value: object, prefix: str = "") -> list[str]:
    if isinstance(value, dict) and value:
        return [p for key, child in value.items() for p in _leaf_pointers(child, f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}")]
    return [prefix]


def _locate_pointer(doc: LoadedDocument, pointer: str) -> Location:
    keys = tuple(part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:])
    return doc.locate(keys)


def _merge_patch(doc: LoadedDocument, manifests: list[Manifest]) -> tuple[list[Manifest], list[Diagnostic]]:
    data = doc.data
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    target = {"kind": data.get("kind"), "name": metadata.get("name")}
    if not all(isinstance(v, str) for v in target.values()):
        return manifests, [Diagnostic("PATCH-SHAPE", "a merge patch names its object with kind and metadata.name", "add them, or write a JSON Patch with target: and patch:", doc.locate(()))]
    if "apiVersion" in data:
        target["group"] = data["apiVersion"].split("/", 1)[0] if "/" in data["apiVersion"] else ""
    if "namespace" in metadata:
        target["namespace"] = metadata["namespace"]
    selected = {id(m) for m in manifests if _selects(target, m)}
    if not selected:
        return manifests, [Diagnostic("PATCH-TARGET", f"merge patch for {target['kind']} {target['name']!r} matches no rendered object", "check kind and name against rendered/<env>/", doc.locate(("metadata", "name")))]
    changes = {key: value for key, value in data.items() if key not in ("apiVersion", "kind")}
    result = []
    for manifest in manifests:
        if id(manifest) in selected:
            body = merge(Layer(copy.deepcopy(manifest.body), {}, ""), Layer(changes, {}, doc.path)).data
            origins = {pointer: _locate_pointer(doc, pointer) for pointer in _leaf_pointers(changes) if pointer not in ("/metadata/name", "/metadata/namespace")}
            manifest = _patch_origins(replace(manifest, body=body), origins)
        result.append(manifest)
    return result, []


def apply_patches(manifests: list[Manifest], patch_files: list[Path]) -> tuple[list[Manifest], list[Diagnostic]]:
    """Every patch of the environment, files in name order, documents in file order."""
    diagnostics: list[Diagnostic] = []
    for path in patch_files:
        docs, errors = load_file(path, display_path(path))
        diagnostics.extend(errors)
        for doc in docs:
            if not isinstance(doc.data, dict):
                diagnostics.append(Diagnostic("PATCH-SHAPE", "a patch is a mapping", "write `target:` + `patch:`, or a partial object", doc.locate(())))
                continue
            apply = _json_patch if "patch" in doc.data or "target" in doc.data else _merge_patch
            manifests, found = apply(doc, manifests)
            diagnostics.extend(found)
    return manifests, diagnostics
