"""Built-in kinds from kubernetes-validate's bundled strict schemas."""

from __future__ import annotations

import pytest

from compiler.validate import SchemaRegistry, ValidationInput, validate_objects
from compiler.validate.core import CoreSchemas, bundled_versions, pick_version


def test_version_picking():
    versions = bundled_versions()
    newest = versions[-1]
    assert pick_version("1.33") == "1.33.0"
    assert pick_version("v1.33.4") == "1.33.0"
    assert pick_version("99.0") == newest  # newer than every bundle: the newest
    assert pick_version("master") == newest
    with pytest.raises(ValueError, match="older than every bundled"):
        pick_version("1.0")
    with pytest.raises(ValueError, match="invalid Kubernetes version"):
        pick_version("latest-ish")


def test_same_file_name_of_another_group_is_not_taken():
    # networking.istio.io/v1 flattens to "networking-v1", the file name of networking.k8s.io/v1.
    core = CoreSchemas("1.33")
    assert core.load("networking.k8s.io/v1", "Ingress") is not None
    assert core.load("networking.istio.io/v1", "Ingress") is None


def test_core_kinds_validate_with_metadata_rules():
    registry = SchemaRegistry("1.33")
    good = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "ml"}, "data": {"a": "b"}}
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Settings", "labels": {"a": "b c"}}, "data": {"a": 1}}
    report = validate_objects([ValidationInput(good, "a.yaml"), ValidationInput(bad, "a.yaml", 1)], registry)
    assert sorted((i.document, i.pointer, i.keyword) for i in report.issues) == [
        (1, "/data/a", "type"),
        (1, "/metadata/labels/a", "pattern"),
        (1, "/metadata/name", "pattern"),
    ]


def test_int_or_string_null_is_not_ambiguous():
    registry = SchemaRegistry("1.33")
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {"selector": {}, "strategy": {"rollingUpdate": {"maxSurge": None, "maxUnavailable": "25%"}}, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}},
    }
    assert validate_objects([ValidationInput(deployment, "d.yaml")], registry).issues == []


def test_versions_by_number_and_the_exact_refusals():
    versions = bundled_versions()
    assert versions == sorted(versions, key=lambda v: tuple(int(p) for p in v.split("."))) and versions[0] == "1.25.0"
    assert pick_version("latest") == versions[-1]
    with pytest.raises(ValueError) as older:
        pick_version("1.0")
    assert str(older.value) == "Kubernetes 1.0 is older than every bundled schema set (oldest: 1.25.0)"
    with pytest.raises(ValueError) as invalid:
        pick_version("one")
    assert str(invalid.value) == "invalid Kubernetes version 'one': expected e.g. 1.33"


def test_a_one_of_plain_types_becomes_one_type_list():
    from compiler.validate.core import _union_of_types

    node = {"description": "d", "oneOf": [{"type": ["string", "null"]}, {"type": "integer"}, {"type": ["integer", "null"]}]}
    assert _union_of_types(node) == {"description": "d", "type": ["string", "null", "integer"]}
    assert _union_of_types({"oneOf": [{"type": "string"}, {"type": "integer", "format": "int32"}]}) is None  # a branch with more than a type
    assert _union_of_types({"oneOf": ["string"]}) is None
    assert _union_of_types({"type": "string"}) is None


def test_int_or_string_numbers_are_int32():
    registry = SchemaRegistry("1.33")

    def deployment(surge):
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"selector": {}, "strategy": {"rollingUpdate": {"maxSurge": surge}}, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}

    assert validate_objects([ValidationInput(deployment(2147483647), "d.yaml")], registry).issues == []
    [issue] = validate_objects([ValidationInput(deployment(2147483648), "d.yaml")], registry).issues
    assert (issue.pointer, issue.keyword, issue.message) == ("/spec/strategy/rollingUpdate/maxSurge", "maximum", "must be of type int32: 2147483648 is not between -2147483648 and 2147483647")


def test_the_schema_keeps_its_own_required_fields_and_adds_the_identity():
    import json

    core = CoreSchemas("1.33")
    loaded = core.load("apps/v1", "ControllerRevision")
    own = json.loads(core.file_for("apps/v1", "ControllerRevision").read_text())["required"]
    assert loaded.schema["required"] == sorted(set(own) | {"apiVersion", "kind", "metadata"}) and "revision" in own
    assert loaded.source == "kubernetes-validate v1.33.0"
    [issue] = validate_objects([ValidationInput({"apiVersion": "v1", "kind": "ConfigMap"}, "c.yaml")], SchemaRegistry("1.33")).issues
    assert (issue.pointer, issue.keyword, issue.message) == ("/metadata", "required", 'missing required field "metadata"')
