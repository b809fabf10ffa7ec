"""CRD openAPIV3Schema → strict JSON Schema: each structural-schema rule, then every shared CRD."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.validate import SchemaRegistry, ValidationInput, validate_objects
from compiler.validate import crd
from tests.conftest import SHARED_CRDS, needs_shared

WIDGET_CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size, mode]
              properties:
                size: {type: integer, minimum: 1, exclusiveMinimum: true, maximum: 10}
                mode: {type: string, default: fast, enum: [fast, slow]}
                port: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                note: {type: string, nullable: true}
                free:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties:
                    typed:
                      type: object
                      properties:
                        a: {type: string}
                bare: {type: object}
                labels: {type: object, additionalProperties: {type: string}}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                servers:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name, protocol]
                  items:
                    type: object
                    required: [name]
                    properties:
                      name: {type: string}
                      protocol: {type: string, default: TCP}
                tags:
                  type: array
                  x-kubernetes-list-type: set
                  items: {type: string}
                matcher:
                  type: object
                  properties:
                    exact: {type: string}
                    prefix: {type: string}
                  oneOf:
                    - not: {anyOf: [{required: [exact]}, {required: [prefix]}]}
                    - required: [exact]
                    - required: [prefix]
    - name: v1alpha1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object}
"""


@pytest.fixture(scope="module")
def registry(tmp_path_factory) -> SchemaRegistry:
    folder = tmp_path_factory.mktemp("crds")
    (folder / "widget.yaml").write_text(WIDGET_CRD, encoding="utf-8")
    return SchemaRegistry("1.33", crd_paths=[folder])


def widget(**spec) -> dict:
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns"}, "spec": {"size": 5, **spec}}


def issues(registry: SchemaRegistry, body: dict) -> list[tuple[str, str, str]]:
    report = validate_objects([ValidationInput(body, "w.yaml")], registry)
    return [(issue.pointer, issue.keyword, issue.message) for issue in report.issues]


def pointers(registry: SchemaRegistry, body: dict) -> list[str]:
    return [pointer for pointer, _, _ in issues(registry, body)]


def test_valid_widget_passes(registry):
    assert issues(registry, widget(mode="slow", port=80, note=None, tags=["a", "b"], servers=[{"name": "a"}, {"name": "b"}])) == []


def test_required_field_with_default_is_not_missing(registry):
    # `mode` is required but has a default: the API server fills it in before validating.
    assert issues(registry, widget()) == []


def test_exclusive_minimum_boolean_is_converted(registry):
    assert issues(registry, widget(size=1)) == [("/spec/size", "exclusiveMinimum", "must be > 1 (got 1)")]
    assert issues(registry, widget(size=10)) == []


def test_int_or_string_accepts_both_and_nothing_else(registry):
    assert issues(registry, widget(port="http")) == issues(registry, widget(port=8080)) == []
    assert issues(registry, widget(port=True)) == [("/spec/port", "type", "expected integer or string, got boolean true")]


def test_nullable_allows_null(registry):
    assert issues(registry, widget(note=None)) == []


def test_preserve_unknown_fields_keeps_unknown_but_prunes_typed_children(registry):
    assert issues(registry, widget(free={"anything": {"goes": 1}})) == []
    assert pointers(registry, widget(free={"typed": {"a": "x", "b": "y"}})) == ["/spec/free/typed/b"]


def test_object_without_properties_accepts_no_field(registry):
    assert issues(registry, widget(bare={})) == []
    [(pointer, keyword, message)] = issues(registry, widget(bare={"x": 1}))
    assert (pointer, keyword) == ("/spec/bare/x", "additionalProperties")
    assert "declares no fields" in message


def test_unknown_field_gets_a_suggestion(registry):
    [(pointer, _, message)] = issues(registry, widget(sise=3))
    assert pointer == "/spec/sise"
    assert message == 'unknown field "sise"; did you mean "size"?'


def test_additional_properties_map_is_open_but_typed(registry):
    assert issues(registry, widget(labels={"a": "b"})) == []
    assert pointers(registry, widget(labels={"a": 1})) == ["/spec/labels/a"]


def test_embedded_resource_needs_apiversion_and_kind(registry):
    assert issues(registry, widget(template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"x": 1}})) == []
    assert sorted(pointers(registry, widget(template={"metadata": {"name": "p"}}))) == ["/spec/template/apiVersion", "/spec/template/kind"]
    assert pointers(registry, widget(template={"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "P!"}})) == ["/spec/template/metadata/name"]


def test_list_map_keys_are_unique_with_defaults_applied(registry):
    found = issues(registry, widget(servers=[{"name": "a"}, {"name": "a", "protocol": "UDP"}, {"name": "a", "protocol": "TCP"}]))
    assert found == [("/spec/servers/2", "list-map-key", 'duplicate entry with name="a", protocol="TCP" (same key as item 0); keys must be unique in this list')]


def test_list_set_values_are_unique(registry):
    assert issues(registry, widget(tags=["a", "b", "a"])) == [("/spec/tags/2", "list-set", 'duplicate value "a" (same as item 0); this list is a set')]


def test_at_most_one_of_idiom(registry):
    assert issues(registry, widget(matcher={"exact": "x"})) == []
    assert issues(registry, widget(matcher={"exact": "x", "prefix": "y"})) == [
        ("/spec/matcher", "oneOf", 'only one of "exact", "prefix" may be set, found "exact", "prefix"')
    ]


def test_root_rejects_unknown_top_level_fields_and_needs_a_name(registry):
    body = widget()
    body["extra"] = 1
    del body["metadata"]["name"]
    assert sorted(pointers(registry, body)) == ["/extra", "/metadata/name"]
    body["metadata"]["generateName"] = "w-"
    assert pointers(registry, body) == ["/extra"]


def test_unserved_version_is_missing_with_a_reason(registry):
    body = widget()
    body["apiVersion"] = "example.com/v1alpha1"
    [(pointer, keyword, message)] = issues(registry, body)
    assert (pointer, keyword) == ("", "missing-schema")
    assert "does not serve v1alpha1 (served: v1)" in message


def test_junctor_branches_never_close_objects():
    converted = crd.convert({"type": "object", "properties": {"a": {"type": "string"}}, "anyOf": [{"properties": {"a": {"minLength": 1}}}, {"required": ["a"]}]})
    assert converted["additionalProperties"] is False
    assert all("additionalProperties" not in branch for branch in converted["anyOf"])


def test_descriptions_are_dropped_but_properties_named_description_are_kept():
    converted = crd.convert({"type": "object", "description": "doc", "properties": {"description": {"type": "string", "description": "doc"}}})
    assert converted == {"type": "object", "properties": {"description": {"type": "string"}}, "additionalProperties": False}


@needs_shared
def test_every_shared_crd_converts_and_compiles():
    registry = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS])
    definitions = registry.crd_definitions()
    assert len(definitions) >= 30
    compiled = 0
    for definition in definitions:
        for version in definition.served_versions:
            api_version = f"{definition.group}/{version}"
            kind_schema = registry.lookup(api_version, definition.kind)
            assert kind_schema is not None and kind_schema.source.startswith("CRD "), (api_version, definition.kind)
            minimal = {"apiVersion": api_version, "kind": definition.kind, "metadata": {"name": "x", "namespace": "y"}}
            kind_schema.compiled.violations(minimal)  # must not raise
            compiled += 1
    assert compiled >= 50


@needs_shared
def test_crd_cache_gives_the_same_schema(tmp_path: Path):
    cold = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "knative-serving"], cache_dir=tmp_path)
    first = cold.lookup("serving.knative.dev/v1", "Service").schema
    assert list((tmp_path / "parsed").glob("*.json"))
    warm = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "knative-serving"], cache_dir=tmp_path)
    assert warm.lookup("serving.knative.dev/v1", "Service").schema == first


def test_broken_crd_file_is_a_configuration_error(tmp_path: Path):
    from compiler.validate import SchemaSourceError

    (tmp_path / "broken.yaml").write_text("kind: CustomResourceDefinition\nspec:\n  group: example.com\n  names: {kind: Widget\n", encoding="utf-8")
    registry = SchemaRegistry("1.33", crd_paths=[tmp_path])
    with pytest.raises(SchemaSourceError, match="broken.yaml:"):
        registry.lookup("example.com/v1", "Widget")
    with pytest.raises(SchemaSourceError, match="no such file or folder"):
        SchemaRegistry("1.33", crd_paths=[tmp_path / "missing"])


def test_harden_repairs_catalog_style_schemas():
    catalog = {
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"a": {"type": "string"}}, "additionalProperties": False},
                    "port": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True},
                    "default": {"type": "object", "properties": {"x": {"x-kubernetes-preserve-unknown-fields": True, "additionalProperties": False}}},
                },
            },
        },
    }
    hardened = crd.harden(catalog)
    spec = hardened["properties"]["spec"]["properties"]
    assert "additionalProperties" not in spec["config"]
    assert spec["port"]["type"] == ["integer", "string"] and "anyOf" not in spec["port"]
    assert "additionalProperties" not in spec["default"]["properties"]["x"]  # a property named "default" is still a schema
    assert hardened["additionalProperties"] is False
    assert hardened["properties"]["metadata"]["properties"]["name"]["pattern"]
    assert catalog["properties"]["spec"]["properties"]["config"]["additionalProperties"] is False  # input untouched


def test_any_of_reports_the_branch_that_was_meant():
    from compiler.validate.engine import make_engine
    from compiler.validate.messages import describe

    schema = {
        "type": "object",
        "properties": {
            "target": {
                "anyOf": [
                    {"type": "object", "properties": {"port": {"type": "integer"}}, "additionalProperties": False},
                    {"type": "string"},
                ]
            },
            "either": {"type": "object", "anyOf": [{"required": ["a"]}, {"required": ["b"]}]},
        },
    }
    for engine in ("python-jsonschema", "jsonschema-rs"):
        try:
            compiled = make_engine(engine).compile(schema, {})
        except ImportError:
            continue
        found = [(f.pointer, f.message) for f in describe(compiled.violations({"target": {"prot": 1}, "either": {}}))]
        assert found == [("/target/prot", 'unknown field "prot"; did you mean "port"?'), ("/either", 'set at least one of "a", "b"')], engine
        found = [(f.pointer, f.message) for f in describe(compiled.violations({"target": 5}))]
        assert found == [("/target", "expected object or string, got integer 5")], engine


def test_a_planted_parsed_crd_is_not_believed(tmp_path: Path):
    """A parsed-CRD entry committed by a pull request (a CRD with no rules under the real file's
    digest) is ignored: the CRD file is parsed again and still refuses the bad object."""
    import hashlib
    import json

    crds = tmp_path / "crds"
    crds.mkdir()
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gadgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"kind": "Gadget", "plural": "gadgets", "singular": "gadget", "listKind": "GadgetList"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                     "type": "object", "properties": {"spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]},
    }
    (crds / "gadget.yaml").write_text(json.dumps(crd))
    bad = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "namespace": "n"}, "spec": {"size": "big"}}
    cache_dir = tmp_path / "cache"
    SchemaRegistry("1.33", crd_paths=[crds], cache_dir=cache_dir).lookup("example.com/v1", "Gadget")
    [entry] = (cache_dir / "parsed").glob("*.json")
    permissive = json.loads(json.dumps(crd))
    permissive["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    body = json.dumps([permissive]).encode()
    for planted in (body, hashlib.sha256(body).hexdigest().encode() + b"\n" + body):  # bare, or signed with another key
        entry.write_bytes(planted)
        schema = SchemaRegistry("1.33", crd_paths=[crds], cache_dir=cache_dir).lookup("example.com/v1", "Gadget")
        assert list(schema.compiled.violations(bad)), "the planted permissive CRD was used"
