"""Pairing: by identity, then renames by likeness within one group/kind/namespace."""

from __future__ import annotations

from compiler.diff import diff_trees

from .diff.builders import config_map, isvc, tree

SETTINGS = {f"key{i}": f"value{i}" for i in range(10)}


def statuses(base, head):
    [environment] = diff_trees(base, head).environments
    return sorted((change.status, change.display) for change in environment.changes)


def test_a_hash_suffix_change_is_a_rename():
    base = tree(prod=[config_map("settings-5f7c9", **SETTINGS)])
    head = tree(prod=[config_map("settings-8d2e1", **SETTINGS)])
    assert statuses(base, head) == [("renamed", "ConfigMap ml/settings-5f7c9 → ConfigMap ml/settings-8d2e1")]


def test_a_rename_carries_its_field_changes_and_likeness():
    base = tree(prod=[config_map("settings-a", **SETTINGS)])
    head = tree(prod=[config_map("settings-b", **{**SETTINGS, "key0": "changed"})])
    [change] = diff_trees(base, head).environments[0].changes
    assert change.status == "renamed" and 0.8 <= change.similarity < 1
    assert ("/data/key0", "value0", "changed") in [(f.pointer, f.old, f.new) for f in change.fields]


def test_different_content_is_a_removal_and_an_addition():
    base = tree(prod=[config_map("colors", red="1", blue="2")])
    head = tree(prod=[config_map("shapes", square="4", circle="0")])
    assert statuses(base, head) == [("added", "ConfigMap ml/shapes"), ("removed", "ConfigMap ml/colors")]


def test_a_rename_needs_the_same_kind_and_namespace():
    base = tree(prod=[config_map("settings-a", namespace="ml", **SETTINGS)])
    head = tree(prod=[config_map("settings-b", namespace="other", **SETTINGS)])
    assert [status for status, _ in statuses(base, head)] == ["added", "removed"]


def test_each_resource_is_paired_once_best_match_first():
    base = tree(prod=[config_map("a-1", **SETTINGS), config_map("b-1", **{**SETTINGS, "key9": "x"})])
    head = tree(prod=[config_map("a-2", **SETTINGS), config_map("b-2", **{**SETTINGS, "key9": "x"})])
    assert statuses(base, head) == [
        ("renamed", "ConfigMap ml/a-1 → ConfigMap ml/a-2"),
        ("renamed", "ConfigMap ml/b-1 → ConfigMap ml/b-2"),
    ]


def test_a_new_api_version_of_one_kind_is_a_change_not_a_rename():
    old = isvc()
    new = {**isvc(), "apiVersion": "serving.kserve.io/v1"}
    [change] = diff_trees(tree(prod=[old]), tree(prod=[new])).environments[0].changes
    assert change.status == "changed"
    assert [(f.pointer, f.old, f.new) for f in change.fields] == [("/apiVersion", "serving.kserve.io/v1beta1", "serving.kserve.io/v1")]
