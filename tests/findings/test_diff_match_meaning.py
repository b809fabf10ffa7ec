"""The diff's matcher, exactly: the leaves it compares (own name masked, metadata.name left out),
the Dice score, the threshold on both sides, best-first pairing with stable ties, and the cap on
pairs per scope."""

from __future__ import annotations

from collections import Counter

import pytest

from compiler.diff import match
from compiler.diff.match import dice, leaves, pair_resources, similarity
from compiler.diff.model import Resource


def cm(name: str, data: dict, namespace: str = "ml") -> Resource:
    return Resource.from_body({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}}, "data": data})


def test_leaves_mask_the_own_name_and_leave_out_metadata_name():
    assert leaves(cm("iris-abc", {"k": "iris-abc-x", "n": 1}, "ml")) == Counter({
        '/apiVersion="v1"': 1,
        '/kind="ConfigMap"': 1,
        '/metadata/namespace="ml"': 1,
        '/metadata/labels/app="\\u0000name\\u0000"': 1,
        '/data/k="\\u0000name\\u0000-x"': 1,
        '/data/n=1': 1,
    })


def test_short_names_are_not_masked_and_lists_are_flattened_by_index():
    resource = Resource.from_body({"apiVersion": "v1", "kind": "List", "metadata": {"name": "ab"}, "items": ["ab", "XXabXX"]})
    assert leaves(resource) == Counter({'/apiVersion="v1"': 1, '/kind="List"': 1, '/items/0="ab"': 1, '/items/1="XXabXX"': 1})
    three = Resource.from_body({"apiVersion": "v1", "kind": "List", "metadata": {"name": "abc"}, "items": ["abc"]})
    assert leaves(three)['/items/0="\\u0000name\\u0000"'] == 1


def test_a_body_without_metadata():
    assert leaves(Resource(match.Resource.from_body({"apiVersion": "v1", "kind": "X", "metadata": {"name": "x"}}).identity, {"kind": "X"})) == Counter({'/kind="X"': 1})


def test_dice():
    assert dice(Counter(), Counter()) == 1.0
    assert dice(Counter({"a": 1}), Counter()) == 0.0
    assert dice(Counter({"a": 2, "b": 1}), Counter({"a": 1, "c": 1})) == 2 * 1 / 5
    assert similarity(cm("x-1", {"k": "v"}), cm("x-2", {"k": "v"})) == 1.0


def test_threshold_on_both_sides():
    old, new = {"a": cm("cfg-1", {"k": "v"})}, {"b": cm("cfg-2", {"k": "w"})}
    score = similarity(old["a"], new["b"])
    assert len(pair_resources(old, new, threshold=score).renamed) == 1
    assert pair_resources(old, new, threshold=score + 1e-9).renamed == []


def test_best_pairs_first_with_stable_ties_and_renames_sorted_by_new_identity():
    old = {"a": cm("cfg-a", {"x": "1", "y": "2"}), "b": cm("cfg-b", {"x": "1", "y": "2", "z": "3"})}
    new = {"c": cm("cfg-c", {"x": "1", "y": "2", "z": "3"}), "d": cm("cfg-d", {"x": "1", "y": "2"})}
    pairing = pair_resources(old, new, threshold=0.5)
    assert [(o.identity.name, n.identity.name, s) for o, n, s in pairing.renamed] == [("cfg-b", "cfg-c", 1.0), ("cfg-a", "cfg-d", 1.0)]
    assert pairing.removed == [] and pairing.added == [] and pairing.matched == []


def test_one_old_object_is_renamed_once():
    old = {"a": cm("cfg-a", {"x": "1"})}
    new = {"b": cm("cfg-b", {"x": "1"}), "c": cm("cfg-c", {"x": "1"})}
    pairing = pair_resources(old, new)
    assert [(o.identity.name, n.identity.name) for o, n, _ in pairing.renamed] == [("cfg-a", "cfg-b")]
    assert [r.identity.name for r in pairing.added] == ["cfg-c"]


@pytest.mark.parametrize("cap, renamed", [(4, 2), (3, 0)])
def test_past_the_cap_of_pairs_per_scope_nothing_is_a_rename(monkeypatch, cap, renamed):
    monkeypatch.setattr(match, "MAX_RENAME_PAIRS", cap)
    old = {"a": cm("cfg-a", {"x": "1"}), "b": cm("cfg-b", {"y": "1"})}
    new = {"c": cm("cfg-c", {"x": "1"}), "d": cm("cfg-d", {"y": "1"})}
    assert len(pair_resources(old, new).renamed) == renamed


def test_other_namespaces_are_not_renames():
    pairing = pair_resources({"a": cm("cfg-a", {"x": "1"}, "ml")}, {"b": cm("cfg-b", {"x": "1"}, "other")})
    assert pairing.renamed == [] and len(pairing.removed) == 1 and len(pairing.added) == 1
