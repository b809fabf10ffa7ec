"""Noise versus change, one line per case: what the API server treats as the same value."""

from __future__ import annotations

import pytest

from compiler.diff.fields import align, diff_values
from compiler.diff.normalize import named_items, pointer, prune, same_leaf


@pytest.mark.parametrize(
    "path, old, new, same",
    [
        (("resources", "limits", "cpu"), "1000m", "1", True),
        (("resources", "limits", "cpu"), "1", 1, True),
        (("resources", "requests", "memory"), "1Gi", "1024Mi", True),
        (("resources", "requests", "memory"), "0.5Gi", "512Mi", True),
        (("resources", "limits", "nvidia.com/gpu"), 1, "1", True),
        (("resources", "limits", "cpu"), "1", "2", False),
        (("volumes", 0, "emptyDir", "sizeLimit"), "1Gi", "1073741824", True),
        (("ports", 0, "targetPort"), "8080", 8080, True),
        (("ports", 0, "port"), 80, "80", True),
        (("rollingUpdate", "maxUnavailable"), 1, "1", True),
        (("rollingUpdate", "maxUnavailable"), "25%", "25%", True),
        (("rollingUpdate", "maxUnavailable"), 1, "25%", False),
        (("ports", 0, "containerPort"), 8080, "8080", False),  # not int-or-string: a real (invalid) change
        (("metadata", "labels", "version"), "1.0", "1", False),  # not a quantity field
        (("spec", "replicas"), 1, True, False),  # bool is not an int in a manifest
        (("spec", "replicas"), 2, 2.0, True),
        (("data", "limits"), "1", "1000m", False),  # a key named `limits` outside a quantity map path shape
    ],
)
def test_same_leaf(path, old, new, same):
    assert same_leaf(path, old, new) is same


@pytest.mark.parametrize(
    "value, pruned",
    [
        ({"a": None, "b": {}, "c": [], "d": 1}, {"d": 1}),
        ({"a": {"b": {"c": None}}}, {}),
        ({"volumes": [{"name": "cache", "emptyDir": {}}]}, {"volumes": [{"name": "cache", "emptyDir": {}}]}),
        ({"podSelector": {}}, {"podSelector": {}}),
        # Istio: `rules: [{}]` allows every request, no rules allows none: list items are kept.
        ({"rules": [{}]}, {"rules": [{}]}),
    ],
)
def test_prune(value, pruned):
    assert prune(value) == pruned


@pytest.mark.parametrize(
    "items, named",
    [
        ([{"name": "a"}, {"name": "b"}], ["a", "b"]),
        ([{"name": "a"}, {"name": "a"}], None),  # duplicate names: by index
        ([{"name": "a"}, {"port": 80}], None),  # one item without a name: by index
        (["a", "b"], None),
        ([], None),
    ],
)
def test_named_items(items, named):
    result = named_items(items)
    assert (list(result) if result is not None else None) == named


def test_pointer_escapes_slash_and_tilde():
    assert pointer(("metadata", "annotations", "inferplane.dev/gpu-class")) == "/metadata/annotations/inferplane.dev~1gpu-class"
    assert pointer(("a~b", 0)) == "/a~0b/0"


def test_an_item_inserted_in_an_unnamed_list_is_one_addition():
    changes = diff_values({"args": ["--a", "--b", "--c"]}, {"args": ["--a", "--x", "--b", "--c"]})
    assert [(c.op, c.pointer, c.new) for c in changes] == [("add", "/args/1", "--x")]


def test_reordered_named_items_are_no_change_but_istio_routes_are():
    containers = {"containers": [{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}
    assert diff_values(containers, {"containers": list(reversed(containers["containers"]))}) == []
    routes = {"http": [{"name": "canary", "route": []}, {"name": "default", "route": []}]}
    [change] = diff_values(routes, {"http": list(reversed(routes["http"]))})
    assert (change.op, change.pointer, change.old, change.new) == ("reorder", "/http", ["canary", "default"], ["default", "canary"])


def test_align_keeps_old_spellings_so_line_diffs_show_only_real_changes():
    old = {"limits": {"cpu": "1000m", "memory": "1Gi"}, "ports": [{"name": "b", "port": 80}, {"name": "a", "port": 81}]}
    new = {"limits": {"cpu": "1", "memory": "2Gi"}, "ports": [{"name": "a", "port": "81"}, {"name": "b", "port": 80}]}
    assert align(old, new) == {"limits": {"cpu": "1000m", "memory": "2Gi"}, "ports": [{"name": "b", "port": 80}, {"name": "a", "port": 81}]}
