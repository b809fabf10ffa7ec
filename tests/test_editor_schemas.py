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

from compiler.spec.schema import stale_schemas

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
# Projects whose spec files are meant to be valid: the repository's own and the tests' examples
# (error-* and usage-* cases hold broken files on purpose).
PROJECTS = [ROOT, ROOT / "tests" / "bad_input" / "_base"] + sorted(
    case for case in (ROOT / "tests" / "cases").iterdir() if case.is_dir() and not case.name.startswith(("error-", "usage-"))
)


def _kind_files() -> list[tuple[str, Path]]:
    found = []
    for project in PROJECTS:
        found += [("modelservice", path) for path in sorted((project / "services").glob("*.yaml"))]
        found += [("environment", path) for path in sorted((project / "environments").glob("*.yaml"))]
        found += [("overlay", path) for path in sorted((project / "overlays").glob("*/*.yaml"))]
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
    assert kinds == {"modelservice", "environment", "overlay"} and len(FILES) > 40


def test_schemas_folder_is_up_to_date():
    assert stale_schemas(SCHEMAS) == [], "run `inferplane schema`"


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


@pytest.mark.parametrize(("kind", "path"), FILES, ids=[str(path.relative_to(ROOT)) for _, path in FILES])
def test_a_typo_in_any_example_file_is_flagged(kind, path):
    for document in _documents(path):
        if not isinstance(document.get("spec"), dict) or not document["spec"]:
            continue
        for broken, typo in _typos(document):
            errors = _errors(kind, broken)
            assert any(f"('{typo}' was unexpected)" in error for error in errors), errors


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
