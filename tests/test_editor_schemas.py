"""The editor schemas (schemas/) checked with a real JSON Schema validator on every example file,
and on typo'd copies of them: each typo is flagged, and a valid file gets no false error."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from compiler.commands.patch_schema import stale_editor_schemas

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
# Projects whose spec files are meant to be valid: the repository's own, examples/ and the tests'
# examples (error-* and usage-* cases hold broken files on purpose).
PROJECTS = [ROOT, ROOT / "tests" / "bad_input" / "_base", *sorted(path for path in (ROOT / "examples").iterdir() if path.is_dir())] + sorted(
    case for case in (ROOT / "tests" / "cases").iterdir() if case.is_dir() and not case.name.startswith(("error-", "usage-"))
)


def _kind_files() -> list[tuple[str, Path]]:
    found = []
    for project in PROJECTS:
        found += [("modelservice", path) for path in sorted((project / "services").glob("*.yaml"))]
        found += [("environment", path) for path in sorted((project / "environments").glob("*.yaml"))]
        found += [("overlay", path) for path in sorted((project / "overlays").glob("*/*.yaml"))]
        found += [("patch", path) for path in sorted((project / "overlays").glob("*/patches/*.yaml"))]
    return found


FILES = _kind_files()


@functools.cache
def _validator(kind: str) -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / f"{kind}.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _documents(path: Path) -> list:
    return [doc for doc in YAML(typ="safe").load_all(path.read_text(encoding="utf-8")) if doc is not None]


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Inside `anyOf: [X, null]` the error that matters is X's (what an editor shows too)."""
    relevant = [e for e in error.context if e.validator_value != "null"]
    return _deepest(jsonschema.exceptions.best_match(relevant)) if relevant else error


def _errors(kind: str, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in map(_deepest, _validator(kind).iter_errors(document))]


def test_the_examples_cover_every_kind_of_file():
    kinds = {kind for kind, _ in FILES}
    assert kinds == {"modelservice", "environment", "overlay", "patch"} and len(FILES) > 40


def test_schemas_folder_is_up_to_date():
    assert stale_editor_schemas(SCHEMAS) == [], "run `inferplane schema`"


@pytest.mark.parametrize(("kind", "path"), FILES, ids=[str(path.relative_to(ROOT)) for _, path in FILES])
def test_every_example_file_is_valid_for_its_schema(kind, path):
    for document in _documents(path):
        assert _errors(kind, document) == []


def _typos(document: dict) -> list[tuple[dict, str]]:
    """Copies of the document with one key misspelled each: spec's first key, and the first key of
    spec.scaling or spec.versions (nested models with fixed keys) where the file has them."""
    copies = []
    for trail in ((), ("scaling",), ("versions",)):
        broken = copy.deepcopy(document)
        node = broken["spec"]
        for key in trail:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or not node:
            continue
        key = next(iter(node))
        node[key + "x"] = node.pop(key)
        copies.append((broken, key + "x"))
    return copies


def _misspelled(document: dict, trail: tuple) -> tuple[dict, str] | None:
    """A copy with the first key of the mapping at `trail` misspelled, None when there is none."""
    broken = copy.deepcopy(document)
    node = broken
    for key in trail:
        node = node[key] if isinstance(node, (dict, list)) and (key in node if isinstance(node, dict) else key < len(node)) else None
    if not isinstance(node, dict) or not node:
        return None
    key = next(iter(node))
    node[key + "x"] = node.pop(key)
    return broken, key + "x"


def _patch_typos(document: dict) -> list[tuple[dict, str]]:
    """A JSON Patch: its first key, its target's first key, its first operation's first key; a
    merge patch: its metadata's first key (its body has the target kind's shape, see below)."""
    trails = [("metadata",)] if "kind" in document else [(), ("target",), ("patch", 0)]
    return [found for found in (_misspelled(document, trail) for trail in trails) if found]


@pytest.mark.parametrize(("kind", "path"), FILES, ids=[str(path.relative_to(ROOT)) for _, path in FILES])
def test_a_typo_in_any_example_file_is_flagged(kind, path):
    for document in _documents(path):
        if kind == "patch":
            typos = _patch_typos(document)
            assert typos, "a patch example with nothing to misspell"
        elif not isinstance(document.get("spec"), dict) or not document["spec"]:
            continue
        else:
            typos = _typos(document)
        for broken, typo in typos:
            errors = _errors(kind, broken)
            assert any(f"('{typo}' was unexpected)" in error for error in errors), errors


def test_a_patch_operation_needs_its_own_members_and_a_known_op():
    target = {"kind": "InferenceService", "name": "iris"}
    assert _errors("patch", {"target": target, "patch": [{"op": "move", "from": "/a", "path": "/b"}, {"op": "remove", "path": "/c"}]}) == []
    assert _errors("patch", {"target": target, "patch": [{"op": "add", "path": "/spec/x"}]}) == ["patch/0: 'value' is a required property"]
    assert _errors("patch", {"target": target, "patch": [{"op": "copy", "path": "/spec/x"}]}) == ["patch/0: 'from' is a required property"]
    assert _errors("patch", {"target": target, "patch": [{"op": "replce", "path": "/a", "value": 1}]}) == [
        "patch/0/op: 'replce' is not one of ['add', 'remove', 'replace', 'move', 'copy', 'test']"
    ]
    assert _errors("patch", {"target": target, "patch": [{"op": "remove", "path": "spec/x"}]}) == ["patch/0/path: 'spec/x' does not match '^(/([^~/]|~[01])*)*$'"]
    assert _errors("patch", {"target": {"kind": "InferenceService", "nmae": "iris"}, "patch": [{"op": "remove", "path": "/a"}]}) == [
        "target: Additional properties are not allowed ('nmae' was unexpected)"
    ]


def test_a_merge_patch_needs_what_picks_its_object_and_leaves_the_body_to_compile():
    picked = {"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": "iris"}}
    # The body has the target kind's shape: compile validates the patched object against it.
    assert _errors("patch", {**picked, "spec": {"predictor": {"anything": None}}}) == []
    assert _errors("patch", {**picked, "metadata": {}}) == ["metadata: 'name' is a required property"]
    assert _errors("patch", {"apiVersion": "v1", "metadata": {"name": "x"}}) == [": 'kind' is a required property"]


def test_overlays_remove_with_null_and_services_have_no_null_noise():
    assert _errors("overlay", {"spec": {"access": None, "scaling": {"maxReplicas": None}}}) == []
    assert _errors("overlay", {"spec": {"scaling": {"maxReplica": 3}}}) == ["spec/scaling: Additional properties are not allowed ('maxReplica' was unexpected)"]
    service = json.loads((SCHEMAS / "modelservice.schema.json").read_text(encoding="utf-8"))
    text = json.dumps(service)
    assert '{"type": "null"}' not in text and '"default": null' not in text
    assert '"title": "Minreplicas"' not in text


def test_environment_defaults_are_a_partial_service_spec():
    base = {"apiVersion": "inferplane.dev/v1alpha1", "kind": "Environment", "metadata": {"name": "prod"}, "spec": {"namespace": "ml", "versions": {"kubernetes": "1.33", "kserve": "0.16.0"}}}
    good = copy.deepcopy(base)
    good["spec"]["defaults"] = {"scaling": {"minReplicas": 1}, "access": None}
    assert _errors("environment", good) == []
    bad = copy.deepcopy(base)
    bad["spec"]["defaults"] = {"scaling": {"minReplica": 1}}
    assert _errors("environment", bad) == ["spec/defaults/scaling: Additional properties are not allowed ('minReplica' was unexpected)"]


# Companion objects (resources/) are Kubernetes objects: editors take the YAML extension's built-in
# `kubernetes` schema (docs/editors.md), and compile validates each against its kind's schema.
CORE_COMPANIONS = sorted(
    path
    for path in (ROOT / "examples").glob("*/resources/**/*.yaml")
    if "/" not in str(_documents(path)[0].get("apiVersion", "/"))  # core kinds: schemas bundled, no CRDs needed
)


@pytest.mark.parametrize("path", CORE_COMPANIONS, ids=[str(path.relative_to(ROOT)) for path in CORE_COMPANIONS])
def test_a_typo_in_a_companion_object_is_flagged_at_its_line(path, tmp_path):
    import shutil

    from click.testing import CliRunner

    from compiler.cli import main

    project = path.parents[2] if path.parent.parent.name == "resources" else path.parents[3]
    copy_root = tmp_path / project.name
    shutil.copytree(project, copy_root, ignore=shutil.ignore_patterns("rendered"))
    target = copy_root / path.relative_to(project)
    document = _documents(path)[0]
    section = "spec" if isinstance(document.get("spec"), dict) else "metadata"
    # A misspelled metadata.name is a missing name (COMPANION-SHAPE), told at `metadata:`.
    key = next((key for key in document[section] if key != "name"), "name")
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    inside = False
    for number, line in enumerate(lines):
        inside = inside or line.startswith(f"{section}:")
        if inside and line.startswith(f"  {key}:"):
            lines[number] = line.replace(f"  {key}:", f"  {key}x:", 1)
            break
    else:
        pytest.fail(f"no `{key}:` line under {section} in {path}")
    target.write_text("".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["-C", str(copy_root), "compile", "--all", "--check"], catch_exceptions=False)
    shown = target.relative_to(copy_root).as_posix()
    errors = [line for line in result.output.splitlines() if "error[" in line]
    assert result.exit_code == 1 and len(errors) == 1 and shown in errors[0], result.output
    if key == "name":
        assert f"error[COMPANION-SHAPE]: the {document['kind']} has no metadata.name" in errors[0]
    else:
        assert f":{number + 1}:" in errors[0] and "error[VAL-SCHEMA]" in errors[0] and f'unknown field "{key}x"' in errors[0]
