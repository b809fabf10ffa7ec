"""Schema extensions: a vendor's extra fields on an upstream kind."""

from __future__ import annotations

import pytest

from compiler.validate import SchemaExtension, SchemaRegistry, ValidationInput, validate_objects
from compiler.validate.extensions import merge_patch
from tests.conftest import SHARED_CRDS, needs_shared

VS = {
    "apiVersion": "networking.istio.io/v1",
    "kind": "VirtualService",
    "metadata": {"name": "iris", "namespace": "ml"},
    "spec": {"hosts": ["iris.example.com"], "http": [{"route": [{"destination": {"host": "iris"}}], "asmRetry": {"budget": 3}}]},
}
# What Alibaba ASM-style extra fields look like: a new object inside http routes.
ASM_OP = {
    "op": "add",
    "path": "/properties/spec/properties/http/items/properties/asmRetry",
    "value": {"type": "object", "properties": {"budget": {"type": "integer"}}},
}


def test_merge_patch_follows_rfc7386():
    assert merge_patch({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": None, "e": 3}, "d": [1]}) == {"a": {"c": 2, "e": 3}, "d": [1]}


def test_ops_add_replace_remove():
    schema = {"properties": {"a": {"type": "string"}}, "required": ["a"]}
    extension = SchemaExtension(
        "g", "K", "v1",
        ops=(
            {"op": "add", "path": "/properties/b", "value": {"type": "integer"}},
            {"op": "replace", "path": "/properties/a", "value": {"type": "number"}},
            {"op": "remove", "path": "/required"},
            {"op": "add", "path": "/enumish", "value": []},
            {"op": "add", "path": "/enumish/-", "value": 1},
        ),
    )
    assert extension.apply(schema) == {"properties": {"a": {"type": "number"}, "b": {"type": "integer"}}, "enumish": [1]}
    assert schema == {"properties": {"a": {"type": "string"}}, "required": ["a"]}  # the original is untouched
    with pytest.raises(ValueError, match="unsupported op"):
        SchemaExtension("g", "K", "v1", ops=({"op": "move", "path": "/a"},)).apply(schema)


def test_openapi_dialect_closes_new_objects():
    extension = SchemaExtension("g", "K", "v1", ops=(ASM_OP,), dialect="openapi")
    added = extension.apply({"properties": {"spec": {"properties": {"http": {"items": {"properties": {}}}}}}})
    assert added["properties"]["spec"]["properties"]["http"]["items"]["properties"]["asmRetry"]["additionalProperties"] is False


def test_matches_only_its_kind():
    extension = SchemaExtension("networking.istio.io", "VirtualService", "v1")
    assert extension.matches("networking.istio.io/v1", "VirtualService")
    assert not extension.matches("networking.istio.io/v1beta1", "VirtualService")
    assert not extension.matches("networking.istio.io/v1", "Gateway")


@needs_shared
def test_registry_applies_an_extension_to_one_kind():
    plain = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "istio"])
    report = validate_objects([ValidationInput(VS, "vs.yaml")], plain, cel=False)
    assert [issue.pointer for issue in report.issues] == ["/spec/http/0/asmRetry"]

    extended = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "istio"], extensions=[SchemaExtension("networking.istio.io", "VirtualService", "v1", ops=(ASM_OP,), dialect="openapi")])
    assert validate_objects([ValidationInput(VS, "vs.yaml")], extended, cel=False).issues == []
    typo = {**VS, "spec": {**VS["spec"], "http": [{"route": [{"destination": {"host": "iris"}}], "asmRetry": {"budgett": 3}}]}}
    assert [i.pointer for i in validate_objects([ValidationInput(typo, "vs.yaml")], extended, cel=False).issues] == ["/spec/http/0/asmRetry/budgett"]
