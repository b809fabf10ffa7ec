"""`x-kubernetes-list-type` uniqueness wherever the annotated list sits: at the root, inside array
items, under additionalProperties, in allOf parts, behind `$ref`s (recursive ones, cycles, other
documents); every finding exact (pointer, keyword, message)."""

from __future__ import annotations

import signal

from compiler.validate.listtypes import ListTypeChecker
from compiler.validate.messages import Finding

PORTS = {
    "type": "array",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["containerPort", "protocol"],
    "items": {"type": "object", "properties": {"containerPort": {"type": "integer"}, "protocol": {"type": "string", "default": "TCP"}}},
}
TAGS = {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}}


def findings(schema: dict, instance, documents: dict | None = None) -> list[tuple[str, str, str]]:
    return [(f.pointer, f.keyword, f.message) for f in ListTypeChecker(schema, documents).check(instance)]


def test_list_map_at_the_root_uses_key_defaults():
    assert findings(PORTS, [{"containerPort": 80}, {"containerPort": 80, "protocol": "TCP"}, {"containerPort": 80, "protocol": "UDP"}]) == [
        ("/1", "list-map-key", "duplicate entry with containerPort=80, protocol=\"TCP\" (same key as item 0); keys must be unique in this list"),
    ]


def test_each_repeat_names_the_first_item_and_non_objects_are_skipped():
    assert findings(PORTS, ["x", {"containerPort": 1}, {"containerPort": 1}, {"containerPort": 1}]) == [
        ("/2", "list-map-key", "duplicate entry with containerPort=1, protocol=\"TCP\" (same key as item 1); keys must be unique in this list"),
        ("/3", "list-map-key", "duplicate entry with containerPort=1, protocol=\"TCP\" (same key as item 1); keys must be unique in this list"),
    ]


def test_list_set_repeats_by_value():
    assert findings(TAGS, ["a", "b", "a", {"k": 1}, {"k": 1}]) == [
        ("/2", "list-set", "duplicate value \"a\" (same as item 0); this list is a set"),
        ("/4", "list-set", "duplicate value {\"k\": 1} (same as item 3); this list is a set"),
    ]


def test_no_findings_for_unique_items_or_an_atomic_list():
    assert findings(PORTS, [{"containerPort": 80}, {"containerPort": 80, "protocol": "UDP"}]) == []
    atomic = {**TAGS, "x-kubernetes-list-type": "atomic"}
    assert ListTypeChecker({"properties": {"tags": atomic}}).needed is False
    assert ListTypeChecker({"properties": {"tags": TAGS}}).needed is True
    assert findings({"properties": {"tags": atomic}}, {"tags": ["a", "a"]}) == []


def test_lists_nested_in_array_items():
    schema = {"properties": {"containers": {"type": "array", "items": {"properties": {"ports": PORTS}}}}}
    instance = {"containers": [{"ports": [{"containerPort": 1}]}, {"ports": [{"containerPort": 2}, {"containerPort": 2}]}]}
    assert findings(schema, instance) == [("/containers/1/ports/1", "list-map-key", "duplicate entry with containerPort=2, protocol=\"TCP\" (same key as item 0); keys must be unique in this list")]


def test_lists_under_additional_properties_but_not_under_named_properties_twice():
    schema = {"properties": {"fixed": {"properties": {"tags": {"type": "array"}}}}, "additionalProperties": {"properties": {"tags": TAGS}}}
    instance = {"fixed": {"tags": ["x", "x"]}, "free": {"tags": ["y", "y"]}}
    assert findings(schema, instance) == [("/free/tags/1", "list-set", "duplicate value \"y\" (same as item 0); this list is a set")]


def test_lists_in_all_of_parts_and_behind_refs():
    schema = {
        "definitions": {"Tagged": {"properties": {"tags": TAGS}}, "Alias": {"$ref": "#/definitions/Tagged"}},
        "properties": {"meta": {"allOf": [{"properties": {"name": {"type": "string"}}}, {"$ref": "#/definitions/Alias"}]}},
    }
    assert findings(schema, {"meta": {"name": "n", "tags": ["a", "a"]}}) == [("/meta/tags/1", "list-set", "duplicate value \"a\" (same as item 0); this list is a set")]


def test_recursive_ref_is_followed_to_any_depth():
    schema = {"$ref": "#/definitions/Node", "definitions": {"Node": {"properties": {"tags": TAGS, "children": {"type": "array", "items": {"$ref": "#/definitions/Node"}}}}}}
    instance = {"tags": ["a"], "children": [{"children": [{"tags": ["b", "b"]}]}]}
    assert findings(schema, instance) == [("/children/0/children/0/tags/1", "list-set", "duplicate value \"b\" (same as item 0); this list is a set")]


def test_a_ref_cycle_ends():
    signal.alarm(10)  # a cycle that hangs fails the test instead of the suite
    schema = {"definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"}}, "properties": {"x": {"$ref": "#/definitions/A"}, "tags": TAGS}}
    assert findings(schema, {"x": {"tags": ["a", "a"]}, "tags": ["c", "c"]}) == [("/tags/1", "list-set", "duplicate value \"c\" (same as item 0); this list is a set")]
    signal.alarm(0)


def test_refs_into_other_documents_and_unknown_documents():
    other = {"$id": "https://example.com/other.json", "definitions": {"Tagged": {"properties": {"tags": TAGS}}}}
    schema = {"$id": "https://example.com/root.json", "properties": {"a": {"$ref": "other.json#/definitions/Tagged"}, "b": {"$ref": "missing.json#/x"}}}
    assert findings(schema, {"a": {"tags": [1, 1]}, "b": {"tags": [2, 2]}}, {"https://example.com/other.json": other}) == [("/a/tags/1", "list-set", "duplicate value 1 (same as item 0); this list is a set")]
    assert ListTypeChecker(schema).needed is False


def test_key_of_a_list_map_from_its_item_ref():
    schema = {"definitions": {"Port": PORTS["items"]}, "properties": {"ports": {**PORTS, "items": {"$ref": "#/definitions/Port"}}}}
    assert findings(schema, {"ports": [{"containerPort": 5}, {"containerPort": 5}]}) == [("/ports/1", "list-map-key", "duplicate entry with containerPort=5, protocol=\"TCP\" (same key as item 0); keys must be unique in this list")]


def test_values_of_the_wrong_shape_are_not_walked():
    schema = {"properties": {"spec": {"properties": {"tags": TAGS}}}}
    assert findings(schema, {"spec": ["not", "a", "map"]}) == []
    assert findings(schema, {"spec": {"tags": "not a list"}}) == []
    assert findings(schema, "scalar") == []


def test_a_schema_without_list_types_is_not_needed():
    checker = ListTypeChecker({"properties": {"a": {"type": "array", "items": {"properties": {"b": {"type": "string"}}}}}})
    assert checker.needed is False
    assert checker.check({"a": [{"b": "x"}, {"b": "x"}]}) == []
    assert Finding("/1", "list-set", "m") == Finding("/1", "list-set", "m")


def _chain(hops: int) -> dict:
    """A property reached through `hops` $refs in a row (R0 -> R1 -> ... -> the tagged object)."""
    definitions = {f"R{n}": {"$ref": f"#/definitions/R{n + 1}"} for n in range(hops - 1)}
    definitions[f"R{hops - 1}"] = {"properties": {"tags": TAGS}}
    return {"definitions": definitions, "properties": {"x": {"$ref": "#/definitions/R0"}}}


def test_ref_chains_are_followed_up_to_32_hops():
    instance = {"x": {"tags": ["a", "a"]}}
    assert findings(_chain(32), instance) == [("/x/tags/1", "list-set", "duplicate value \"a\" (same as item 0); this list is a set")]
    assert findings(_chain(33), instance) == []  # the guard against $ref cycles stops the walk there


def test_set_items_compare_as_values_whatever_their_key_order():
    assert findings(TAGS, [{"a": 1, "b": 2}, {"b": 2, "a": 1}]) == [("/1", "list-set", "duplicate value {\"a\": 1, \"b\": 2} (same as item 0); this list is a set")]


def test_boolean_subschemas_are_no_plan():
    schema = {"properties": {"anything": True, "nothing": False, "tags": TAGS}, "additionalProperties": True}
    assert findings(schema, {"anything": ["a", "a"], "tags": ["b", "b"]}) == [("/tags/1", "list-set", "duplicate value \"b\" (same as item 0); this list is a set")]


def test_the_plan_keeps_only_branches_that_lead_to_a_list_type():
    """Checking walks only what the plan names: an object without such lists costs almost nothing."""
    checker = ListTypeChecker({
        "properties": {"tags": TAGS, "plain": {"type": "array", "items": {"properties": {"x": {"type": "string"}}}}},
        "additionalProperties": {"properties": {"y": {"type": "string"}}},
        "items": {"properties": {"z": {"type": "string"}}},
    })
    root = checker._root
    assert list(root.properties) == ["tags"]
    assert root.additional is None and root.items is None
    assert root.properties["tags"].list_type == "set"


def test_values_json_cannot_spell_are_compared_by_their_text():
    import datetime

    day = datetime.date(2024, 1, 1)
    assert findings(TAGS, [day, day]) == [("/1", "list-set", "duplicate value \"2024-01-01\" (same as item 0); this list is a set")]
