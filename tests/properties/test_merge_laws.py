"""The overlay merge's laws (README "Environments and overlays"), for any documents hypothesis can
build: identity, the overlay wins, null deletes, idempotence, associativity where it holds, named
lists merge by name, and every key of the result remembers the file that set it."""

from __future__ import annotations

from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from compiler.errors import Location
from compiler.source.resolve import Layer, merge, strip_deletions

KEYS = st.sampled_from(["a", "b", "c", "d"])
SCALARS = st.one_of(st.integers(-3, 3), st.sampled_from(["x", "y", ""]), st.booleans())


def _named_list(children):
    names = st.lists(st.sampled_from(["n1", "n2", "n3"]), unique=True, min_size=1, max_size=3)
    return names.flatmap(lambda ns: st.tuples(*[st.dictionaries(KEYS, children, max_size=2) for _ in ns]).map(lambda ds: [{**d, "name": n} for n, d in zip(ns, ds)]))


def documents(nulls: bool = False, lists: bool = True) -> st.SearchStrategy[dict]:
    leaves = st.one_of(SCALARS, st.none()) if nulls else SCALARS

    def extend(children):
        options = [st.dictionaries(KEYS, children, max_size=3)]
        if lists:
            options += [st.lists(SCALARS, max_size=2), _named_list(children)]
        return st.one_of(*options)

    return st.dictionaries(KEYS, st.recursive(leaves, extend, max_leaves=8), max_size=4)


def positions_of(data: Any, path: str, prefix: tuple = ()) -> dict:
    """A position for every key path, naming the file: the laws below check who set what."""
    found = {prefix: Location(path, len(prefix) + 1, 1)} if prefix else {}
    if isinstance(data, dict):
        for key, value in data.items():
            found.update(positions_of(value, path, prefix + (key,)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(positions_of(value, path, prefix + (index,)))
    return found


def layer(data: dict, path: str) -> Layer:
    return Layer(data, positions_of(data, path), path)


def leaves(data: Any, prefix: tuple = ()) -> dict[tuple, Any]:
    """Scalar leaves of a tree of maps (lists count as leaves: they are replaced whole)."""
    if isinstance(data, dict) and data:
        found = {}
        for key, value in data.items():
            found.update(leaves(value, prefix + (key,)))
        return found
    return {prefix: data}


@given(documents(lists=True))
def test_an_empty_overlay_changes_nothing(base):
    result = merge(layer(base, "base.yaml"), layer({}, "overlay.yaml"))
    assert result.data == base
    assert result.positions == positions_of(base, "base.yaml")


@given(documents(lists=True))
def test_an_overlay_onto_nothing_is_the_overlay(overlay):
    assert merge(layer({}, "base.yaml"), layer(overlay, "overlay.yaml")).data == overlay


@given(documents(lists=False), documents(nulls=True, lists=False))
def test_the_overlay_wins_null_deletes_and_the_rest_of_the_base_stays(base, overlay):
    result = merge(layer(base, "base.yaml"), layer(overlay, "overlay.yaml"))
    cleaned = strip_deletions(result).data
    got = leaves(cleaned)
    for path, value in leaves(overlay).items():
        if value is None:
            # Deleted: the key is gone wherever the overlay said null.
            assert not any(p[: len(path)] == path for p in got if got[p] != {}), path
        elif value != {}:
            assert got[path] == value
            assert result.positions[path].path == "overlay.yaml"
    overlay_paths = [p for p in leaves(overlay)]
    for path, value in leaves(base).items():
        touched = any(path[: len(o)] == o or o[: len(path)] == path for o in overlay_paths)
        if not touched and value != {}:
            assert got[path] == value
            assert result.positions[path].path == "base.yaml"


@given(documents(lists=True), documents(nulls=True, lists=True))
def test_merging_the_same_overlay_twice_is_merging_it_once(base, overlay):
    once = merge(layer(base, "base.yaml"), layer(overlay, "overlay.yaml"))
    twice = merge(once, layer(overlay, "overlay.yaml"))
    assert strip_deletions(twice).data == strip_deletions(once).data


def same_shape(*documents: dict) -> bool:
    """No key is a map in one document and a value in another (a type change replaces whole,
    which is not associative: x ← scalar ← map is the map, x ← (scalar ← map) merges into x)."""
    kinds: dict[tuple, bool] = {}

    def walk(data: Any, prefix: tuple) -> bool:
        for key, value in data.items():
            path, is_map = prefix + (key,), isinstance(value, dict)
            if kinds.setdefault(path, is_map) != is_map or (is_map and not walk(value, path)):
                return False
        return True

    return all(walk(document, ()) for document in documents)


@given(documents(lists=False), documents(lists=False), documents(lists=False))
def test_maps_without_deletions_merge_associatively(a, b, c):
    assume(same_shape(a, b, c))
    left = merge(merge(layer(a, "a.yaml"), layer(b, "b.yaml")), layer(c, "c.yaml"))
    right = merge(layer(a, "a.yaml"), merge(layer(b, "b.yaml"), layer(c, "c.yaml")))
    assert left.data == right.data


@settings(max_examples=200)
@given(st.dictionaries(st.sampled_from(["n1", "n2", "n3", "n4"]), SCALARS, min_size=1), st.dictionaries(st.sampled_from(["n1", "n2", "n3", "n4"]), SCALARS, min_size=1))
def test_named_lists_merge_by_name_base_order_first(base_items, overlay_items):
    base = {"env": [{"name": n, "value": v} for n, v in base_items.items()]}
    overlay = {"env": [{"name": n, "value": v} for n, v in overlay_items.items()]}
    result = merge(layer(base, "base.yaml"), layer(overlay, "overlay.yaml")).data["env"]
    expected_names = list(base_items) + [n for n in overlay_items if n not in base_items]
    assert [item["name"] for item in result] == expected_names
    assert {item["name"]: item["value"] for item in result} == {**base_items, **overlay_items}


def test_an_empty_list_in_the_overlay_replaces_a_named_list():
    base = {"env": [{"name": "A", "value": "1"}]}
    assert merge(layer(base, "base.yaml"), layer({"env": []}, "overlay.yaml")).data == {"env": []}


def test_a_named_item_merges_deeply_and_keeps_where_each_key_came_from():
    base = {"env": [{"name": "A", "value": "1", "valueFrom": {"x": 1}}]}
    overlay = {"env": [{"name": "A", "valueFrom": {"y": 2}}]}
    result = merge(layer(base, "base.yaml"), layer(overlay, "overlay.yaml"))
    assert result.data == {"env": [{"name": "A", "value": "1", "valueFrom": {"x": 1, "y": 2}}]}
    assert result.positions[("env", 0, "value")].path == "base.yaml"
    assert result.positions[("env", 0, "valueFrom", "y")].path == "overlay.yaml"
    assert result.positions[("env", 0, "valueFrom", "x")].path == "base.yaml"
