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
import difflib
from dataclasses import replace
from pathlib import Path

import jsonpatch
import jsonpointer

from ..emit.manifest import Manifest, origins_shifted, origins_without, pointer_to
from ..errors import Diagnostic, Location
from ..source.load import display_path
from ..source.resolve import Layer, merge
from ..source.yaml_io import KeyPath, LoadedDocument, load_file

TARGET_KEYS = ("group", "version", "kind", "namespace", "name")
# RFC 6902 section 4: each operation and the members it needs besides `op`.
OPERATIONS = {"add": ("path", "value"), "remove": ("path",), "replace": ("path", "value"), "move": ("from", "path"), "copy": ("from", "path"), "test": ("path", "value")}
Origins = dict[str, Location]


def _selects(target: dict, manifest: Manifest) -> bool:
    version = manifest.api_version.rsplit("/", 1)[-1]
    actual = {"group": manifest.group, "version": version, "kind": manifest.kind, "namespace": manifest.namespace, "name": manifest.name}
    return all(actual[key] == target[key] for key in TARGET_KEYS if key in target)


def _set_by_patch(origins: Origins, pointer: str, doc: LoadedDocument, at: KeyPath) -> Origins:
    """Origins once the value at `pointer` is the one written at key path `at` of the patch: it,
    and every key and item inside it, point at their own line of the patch."""
    origins = origins_without(origins, pointer)
    origins[pointer] = doc.locate(at)
    for key_path, location in doc.positions.items():
        if len(key_path) > len(at) and key_path[: len(at)] == at:
            inner = pointer
            for token in key_path[len(at) :]:
                inner = pointer_to(inner, token)
            origins[inner] = location
    return origins


# ---------------------------------------------------------------- JSON Patch


def _operation_problems(ops: list, doc: LoadedDocument) -> list[Diagnostic]:
    """Each malformed operation, located at its own line (jsonpatch would name only the first)."""
    problems = []
    for index, op in enumerate(ops):
        at: KeyPath = ("patch", index)
        if not isinstance(op, dict):
            problems.append(Diagnostic("PATCH-SHAPE", f"operation {index + 1} is not a mapping", "write {op: add, path: /json/pointer, value: …} (RFC 6902)", doc.locate(at)))
            continue
        name = op.get("op")
        if name not in OPERATIONS:
            close = difflib.get_close_matches(str(name), list(OPERATIONS), n=1)
            what = f"unknown JSON Patch operation {name!r}" if "op" in op else "a JSON Patch operation without `op`"
            hint = f"did you mean {close[0]!r}?" if close else f"op is one of {', '.join(OPERATIONS)}"
            problems.append(Diagnostic("PATCH-SHAPE", what, hint, doc.locate(at + ("op",))))
            continue
        for member in OPERATIONS[name]:
            if member not in op:
                problems.append(Diagnostic("PATCH-SHAPE", f"`{name}` operation without `{member}`", f"a `{name}` operation has {', '.join(('op',) + OPERATIONS[name])} (RFC 6902)", doc.locate(at)))
            elif member in ("path", "from") and not (isinstance(op[member], str) and (op[member] == "" or op[member].startswith("/"))):
                problems.append(Diagnostic("PATCH-SHAPE", f"{member} {op[member]!r} is not a JSON pointer", "start it with / and separate keys with /, e.g. /spec/predictor/priorityClassName (RFC 6901)", doc.locate(at + (member,))))
    return problems


def _parent(pointer: str) -> tuple[str, str]:
    """The parent's pointer and the last token (unescaped)."""
    parent, _, token = pointer.rpartition("/")
    return parent, token.replace("~1", "/").replace("~0", "~")


def _container(body: object, pointer: str) -> object:
    return jsonpointer.resolve_pointer(body, pointer, None)


def _removed(origins: Origins, pointer: str, from_list: bool, location: Location) -> Origins:
    """Origins once the value at `pointer` is gone (`from_list`: it was a list item)."""
    origins = origins_without(origins, pointer)
    if from_list:
        parent, token = _parent(pointer)
        return origins_shifted(origins, parent, int(token) + 1, -1)
    # The validator reports a missing required field at the pointer it should have: the patch's.
    origins[pointer] = location
    return origins


def _inserted(origins: Origins, body: object, pointer: str) -> tuple[Origins, str]:
    """Origins with room made for a value added at `pointer` of `body` (after the operation),
    and the pointer where the value really is (`-` is the end of a list)."""
    parent, token = _parent(pointer)
    items = _container(body, parent)
    if not pointer or not isinstance(items, list):
        return origins, pointer
    index = len(items) - 1 if token == "-" else int(token)
    return origins_shifted(origins, parent, index, +1), pointer_to(parent, index)


def _apply_operation(body: object, origins: Origins, op: dict, index: int, doc: LoadedDocument) -> tuple[object, Origins]:
    """One operation applied to `body` (changed in place); its origins moved with it. Raises
    jsonpatch's and jsonpointer's errors for an operation that does not apply."""
    name, path = op["op"], op["path"]
    here = doc.locate(("patch", index, "path"))
    source = path if name == "remove" else op.get("from", "")
    from_list = isinstance(_container(body, _parent(source)[0]), list)
    body = jsonpatch.JsonPatch([op]).apply(body, in_place=True)
    if name == "test":
        return body, origins
    if name in ("remove", "move"):
        origins = _removed(origins, source, from_list, here)
        if name == "remove":
            return body, origins
    if name in ("add", "copy", "move"):
        origins, path = _inserted(origins, body, path)
    if name in ("add", "replace"):
        origins = _set_by_patch(origins, path, doc, ("patch", index, "value"))
    else:
        origins = origins_without(origins, path)
    # The value's own keys are located inside `value:`; the place it lands is the operation's path.
    origins[path] = here
    return body, origins


_ABSENT = object()


def _why(exc: Exception, op: dict, body: object) -> str:
    """jsonpatch's reason, except where it says only the missing key (`'nothing'`) of a `from`."""
    if "from" in op and jsonpointer.resolve_pointer(body, op["from"], _ABSENT) is _ABSENT:
        return f"nothing at {op['from']}"
    return str(exc)


def _json_patch(doc: LoadedDocument, manifests: list[Manifest]) -> tuple[list[Manifest], list[Diagnostic]]:
    target, ops = doc.data.get("target"), doc.data.get("patch")
    unknown = sorted(set(doc.data) - {"target", "patch"})
    if unknown:
        # A misspelled `patch:` or `target:` (what patch.schema.json flags in an editor), at its own line.
        close = difflib.get_close_matches(unknown[0], ["target", "patch"], n=1)
        hint = f"did you mean {close[0]!r}?" if close else "a JSON Patch document has only `target:` and `patch:`; a merge patch has apiVersion, kind and metadata.name"
        return manifests, [Diagnostic("PATCH-SHAPE", f"unknown key {unknown[0]!r} in a JSON Patch document", hint, doc.locate((unknown[0],)))]
    if not isinstance(target, dict) or not isinstance(ops, list):
        # At the document's first key: the root of a file's second document has no line of its own.
        first = (next(iter(doc.data)),) if isinstance(doc.data, dict) and doc.data else ()
        return manifests, [Diagnostic("PATCH-SHAPE", "a JSON Patch document has `target:` (kind, name, …) and `patch:` (a list of operations)", "or write a merge patch: a partial object with apiVersion, kind and metadata.name", doc.locate(first))]
    bad_keys = sorted(set(target) - set(TARGET_KEYS))
    if bad_keys:
        return manifests, [Diagnostic("PATCH-SHAPE", f"unknown target key {bad_keys[0]!r}", f"a target selects by {', '.join(TARGET_KEYS)}", doc.locate(("target", bad_keys[0])))]
    problems = _operation_problems(ops, doc)
    selected = {id(m) for m in manifests if _selects(target, m)}
    if not selected:
        problems.append(Diagnostic("PATCH-TARGET", f"patch target {target} matches no rendered object", "check kind and name against rendered/<env>/ (patches apply to this environment only)", doc.locate(("target",))))
    if problems:
        return manifests, problems
    result, diagnostics = [], []
    for manifest in manifests:
        if id(manifest) not in selected:
            result.append(manifest)
            continue
        body, origins = copy.deepcopy(manifest.body), dict(manifest.origins)
        for index, op in enumerate(ops):
            try:
                body, origins = _apply_operation(body, origins, op, index, doc)
            except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
                diagnostics.append(Diagnostic("PATCH-APPLY", f"{op['op']} {op['path']} does not apply to {manifest.display_name}: {_why(exc, op, body)}", "fix the operation's path or value against the rendered object", doc.locate(("patch", index))))
                break
        else:
            manifest = replace(manifest, body=body, origins=origins)
        result.append(manifest)
    return result, diagnostics


# ---------------------------------------------------------------- merge patch


def _merged_origins(origins: Origins, before: object, after: object, change: object, pointer: str, doc: LoadedDocument, at: KeyPath) -> Origins:
    """Origins after a merge patch: what the patch set points at its line, nothing it replaced or
    deleted keeps an old origin, and what it only merged into keeps its own. Follows what `merge`
    did (before and after) instead of restating its rules."""
    if isinstance(change, dict) and isinstance(before, dict) and isinstance(after, dict):
        for key, value in change.items():
            child = pointer_to(pointer, key)
            if value is None:
                origins = origins_without(origins, child)
                origins[child] = doc.locate(at + (key,))  # a required field it deleted is its doing
            elif key in before:
                origins = _merged_origins(origins, before[key], after[key], value, child, doc, at + (key,))
            else:
                origins = _set_by_patch(origins, child, doc, at + (key,))
        return origins
    if isinstance(change, list) and isinstance(before, list) and isinstance(after, list) and after != change:
        # Merged item by item on `name`: an item keeps its index in the result, new ones follow.
        index_after = {item.get("name"): i for i, item in enumerate(after) if isinstance(item, dict)}
        index_before = {item.get("name"): i for i, item in enumerate(before) if isinstance(item, dict)}
        for offset, item in enumerate(change):
            name = item.get("name") if isinstance(item, dict) else None
            child = pointer_to(pointer, index_after[name])
            if name in index_before:
                origins = _merged_origins(origins, before[index_before[name]], after[index_after[name]], item, child, doc, at + (offset,))
            else:
                origins = _set_by_patch(origins, child, doc, at + (offset,))
        return origins
    if before == change:
        return origins  # restated as it was (metadata.name that picks the object): nothing changed
    return _set_by_patch(origins, pointer, doc, at)


def _merge_patch(doc: LoadedDocument, manifests: list[Manifest]) -> tuple[list[Manifest], list[Diagnostic]]:
    data = doc.data
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    target = {"kind": data.get("kind"), "name": metadata.get("name")}
    if not all(isinstance(v, str) for v in target.values()):
        return manifests, [Diagnostic("PATCH-SHAPE", "a merge patch names its object with kind and metadata.name", "add them, or write a JSON Patch with target: and patch:", doc.locate(()))]
    if not isinstance(data.get("apiVersion", ""), str):
        return manifests, [Diagnostic("PATCH-SHAPE", f"apiVersion {data['apiVersion']!r} is not a string", "write it as the object's group/version, e.g. serving.kserve.io/v1beta1, or leave it out", doc.locate(("apiVersion",)))]
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
            origins = _merged_origins(dict(manifest.origins), manifest.body, body, changes, "", doc, ())
            manifest = replace(manifest, body=body, origins=origins)
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
