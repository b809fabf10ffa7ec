"""The review-first list: which changes are risky, in which order, and that ordinary ones are not."""

from __future__ import annotations

from compiler.diff import diff_trees, render_text
from compiler.diff.result import DiffResult, EnvironmentDiff, SummaryItem
from compiler.diff.risk import risks

from .diff.builders import config_map, tree

ISSUER = {"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "letsencrypt"}, "spec": {"acme": {}}}


def test_removing_a_cluster_scoped_object_ranks_first_and_an_ordinary_removal_is_not_listed():
    result = diff_trees(tree(prod=[ISSUER, config_map("docs", readme="x")]), tree(prod=[]))
    assert [(r.rank, r.text) for r in risks(result)] == [(0, "removes the cluster-scoped ClusterIssuer letsencrypt")]
    text = render_text(result)
    assert "review first (1, highest risk first):\n  ! prod: removes the cluster-scoped ClusterIssuer letsencrypt" in text


def _items(*items: SummaryItem, environment: str = "prod") -> DiffResult:
    return DiffResult("main", "HEAD", (EnvironmentDiff(environment, (), items),))


def test_a_major_image_bump_is_risky_and_a_minor_one_is_not():
    major = SummaryItem("prod", "llama", "images", "image a:v1.9 → a:v2.0", "docker.io/a:v1.9", "docker.io/a:v2.0")
    minor = SummaryItem("prod", "llama", "images", "image a:v1.9 → a:v1.10", "docker.io/a:v1.9", "docker.io/a:v1.10")
    assert [r.rank for r in risks(_items(major, minor))] == [3]


def test_traffic_is_risky_in_production_only():
    move = SummaryItem("staging", "llama", "traffic", "weight 10% → 25%", 10, 25)
    assert risks(_items(move, environment="staging")) == []
    assert [r.rank for r in risks(_items(move, environment="prod"))] == [2]
