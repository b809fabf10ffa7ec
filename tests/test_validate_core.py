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
