"""validate_paths: files and folders, multi-document YAML, lines, YAML problems, processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.validate import SchemaRegistry, ValidationInput, validate_objects, validate_paths
from compiler.validate import runner

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}
  namespace: ml
data:
  key: value
"""


@pytest.fixture(scope="module")
def registry() -> SchemaRegistry:
    return SchemaRegistry("1.33")


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folders_multi_documents_and_skipped_files(tmp_path: Path, registry):
    write(tmp_path, "a.yaml", CONFIGMAP.format(name="a") + "---\n---\n" + CONFIGMAP.format(name="b"))
    write(tmp_path, "nested/c.yml", CONFIGMAP.format(name="c"))
    write(tmp_path, "d.json", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}}')
    write(tmp_path, "kustomization.yaml", "resources: [a.yaml]\n")
    write(tmp_path, "notes.txt", "not a manifest")
    report = validate_paths([tmp_path], registry)
    assert report.ok
    assert [(Path(r.file).name, r.document, r.name) for r in report.resources] == [("a.yaml", 0, "a"), ("a.yaml", 2, "b"), ("d.json", 0, "d"), ("c.yml", 0, "c")]


def test_lines_point_at_the_offending_key(tmp_path: Path, registry):
    text = CONFIGMAP.format(name="a") + "---\n" + CONFIGMAP.format(name="b").replace("data:\n  key: value", "data:\n  key: 3\n  other: x\nbinaryData: 7")
    path = write(tmp_path, "a.yaml", text)
    report = validate_paths([path], registry)
    assert [(i.document, i.line, i.column, i.pointer) for i in report.issues] == [(1, 15, 3, "/data/key"), (1, 17, 1, "/binaryData")]


def test_missing_field_gets_the_line_of_its_parent(tmp_path: Path, registry):
    path = write(tmp_path, "hpa.yaml", "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\nspec:\n  maxReplicas: 3\n")
    [issue] = validate_paths([path], registry).issues
    assert (issue.pointer, issue.line) == ("/spec/scaleTargetRef", 5)


def test_yaml_problems_are_issues_and_other_documents_still_count(tmp_path: Path, registry):
    path = write(tmp_path, "a.yaml", CONFIGMAP.format(name="a") + "---\n" + "a: 1\na: 2\n---\n" + CONFIGMAP.format(name="c") + "---\nkey: [unclosed\n")
    report = validate_paths([path], registry)
    assert [(i.document, i.keyword, i.pointer, i.line) for i in report.issues] == [(1, "yaml", "/a", 10), (3, "yaml", "", 21)]
    assert report.issues[0].message == 'duplicate key "a" (first at line 9)'
    assert report.issues[1].message.startswith("invalid YAML:")
    assert [(r.document, r.status) for r in report.resources] == [(0, "valid"), (1, "error"), (2, "valid"), (3, "error")]


def test_kubectl_yaml_rules(tmp_path: Path, registry):
    # Timestamps stay strings (the value is a string in the API), `=` is a plain string.
    path = write(tmp_path, "a.yaml", CONFIGMAP.format(name="a").replace("key: value", "when: 2024-01-01\n  eq: =\n  '1': one"))
    assert validate_paths([path], registry).issues == []


def test_unreadable_and_non_object_documents(tmp_path: Path, registry):
    write(tmp_path, "list.yaml", "- a\n- b\n")
    report = validate_paths([tmp_path / "list.yaml", tmp_path / "gone.yaml"], registry)
    assert sorted((Path(i.file).name, i.keyword) for i in report.issues) == [("gone.yaml", "yaml"), ("list.yaml", "type")]


def test_missing_schema_error_or_skip(tmp_path: Path, registry):
    path = write(tmp_path, "x.yaml", "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n")
    strict = validate_paths([path], registry)
    assert [(i.keyword, i.line) for i in strict.issues] == [("missing-schema", 1)]
    assert strict.missing_schemas == [("example.com/v1", "Gadget")] and strict.counts["errors"] == 1 and not strict.ok
    lenient = validate_paths([path], registry, ignore_missing_schemas=True)
    assert lenient.ok and lenient.issues == [] and lenient.counts["skipped"] == 1
    assert lenient.missing_schemas == [("example.com/v1", "Gadget")]


def test_positions_give_lines_for_objects(registry):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": 1}}
    report = validate_objects([ValidationInput(body, "r.yaml", 0, positions={"": 1, "/data": 6})], registry)
    assert [(i.pointer, i.line, i.column) for i in report.issues] == [("/data/k", 6, None)]
    from compiler.errors import Location

    report = validate_objects([ValidationInput(body, "r.yaml", 0, positions={"/data/k": Location("spec.yaml", 9, 5)})], registry)
    assert [(i.pointer, i.line, i.column) for i in report.issues] == [("/data/k", 9, 5)]


def test_processes_give_the_same_report_as_one(tmp_path: Path, registry, monkeypatch):
    for index in range(40):
        name = f"cm-{index}" if index % 7 else f"Bad_{index}"
        write(tmp_path, f"f{index:03}.yaml", CONFIGMAP.format(name=name))
    serial = validate_paths([tmp_path], registry, jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_MIN_FILES", 4)
    parallel = validate_paths([tmp_path], registry, jobs=2)
    assert parallel == serial
    assert serial.counts["invalid"] == 6 and serial.counts["resources"] == 40


def test_report_order_is_stable(tmp_path: Path, registry):
    write(tmp_path, "b.yaml", CONFIGMAP.format(name="B"))
    write(tmp_path, "a.yaml", CONFIGMAP.format(name="A"))
    first = validate_paths([tmp_path / "b.yaml", tmp_path / "a.yaml"], registry)
    second = validate_paths([tmp_path / "a.yaml", tmp_path / "b.yaml"], registry)
    assert first == second
    assert [Path(i.file).name for i in first.issues] == ["a.yaml", "b.yaml"]


def test_resource_kinds_lists_what_pull_must_fetch(tmp_path: Path):
    from compiler.validate import resource_kinds

    write(tmp_path, "a.yaml", CONFIGMAP.format(name="a") + "---\napiVersion: example.com/v1\nkind: Gadget\n---\n- not: an object\n")
    write(tmp_path, "kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
    assert resource_kinds([tmp_path]) == {("v1", "ConfigMap"), ("example.com/v1", "Gadget")}


def test_objects_that_are_not_json_data_are_reported(registry):
    import datetime

    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"when": datetime.date(2024, 1, 1)}}
    report = validate_objects([ValidationInput(body, "r.yaml")], registry)
    if registry.engine == "jsonschema-rs":
        assert [(i.keyword, i.message.startswith("not JSON data")) for i in report.issues] == [("type", True)]
    else:
        assert [i.pointer for i in report.issues] == ["/data/when"]


def test_yaml_io_positions_can_feed_validate_objects(registry):
    from compiler.validate.pointer import from_key_paths
    from compiler.source.yaml_io import parse_documents

    [document], problems = parse_documents("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  a/b: 1\n", "cm.yaml")
    assert problems == []
    report = validate_objects([ValidationInput(document.data, "cm.yaml", 0, from_key_paths(document.positions))], registry)
    assert [(i.pointer, i.line, i.column) for i in report.issues] == [("/data/a~1b", 6, 3)]


def test_registry_pickles_without_its_compiled_schemas(registry):
    import pickle

    registry.lookup("v1", "ConfigMap")
    copy = pickle.loads(pickle.dumps(registry))  # what a spawned worker receives
    assert copy.kubernetes_version == registry.kubernetes_version and copy.engine == registry.engine
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": 1}}
    assert [i.pointer for i in validate_objects([ValidationInput(body, "a.yaml")], copy).issues] == ["/data/k"]
