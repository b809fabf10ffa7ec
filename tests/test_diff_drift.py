"""Drift between two environments of one tree: only differences that are not the environment's name."""

from __future__ import annotations

import pytest

from compiler.diff import diff_environments, render_markdown, render_text
from compiler.errors import UsageError

from .diff.builders import config_map, isvc, tree, virtual_service


def route(host: str) -> list[dict]:
    return [{"name": "default", "route": [{"destination": {"host": host}}]}]


def fleet(prod_weight: int = 10, prod_max: int = 3) -> object:
    return tree(
        label="rendered",
        staging=[
            isvc(namespace="ml-staging", weight=10, maxReplicas=3),
            virtual_service("iris", route("iris.ml-staging.svc.cluster.local"), "ml-staging", hosts=("iris.staging.example.com",)),
            config_map("iris-staging-settings", "ml-staging", region="eu", stage="staging"),
        ],
        prod=[
            isvc(namespace="ml-prod", weight=prod_weight, maxReplicas=prod_max),
            virtual_service("iris", route("iris.ml-prod.svc.cluster.local"), "ml-prod", hosts=("iris.prod.example.com",)),
            config_map("iris-prod-settings", "ml-prod", region="eu", stage="prod"),
        ],
    )


def test_environments_that_differ_only_by_name_and_namespace_do_not_drift():
    result = diff_environments(fleet(), "staging", "prod")
    assert result.kind == "environments"
    assert not result.changed, render_text(result)


def test_drift_is_reported_with_the_same_words_as_a_revision_diff():
    result = diff_environments(fleet(prod_weight=25, prod_max=8), "staging", "prod")
    [environment] = result.environments
    assert environment.name == "staging → prod"
    assert [change.display for change in environment.changes] == ["InferenceService ml-prod/sklearn-iris"]
    texts = {(item.topic, item.text, item.old, item.new) for item in environment.summary}
    assert ("traffic", "sklearn-iris: canary weight 10% → 25%", 10, 25) in texts
    assert ("replicas", "sklearn-iris: predictor max replicas 3 → 8", 3, 8) in texts
    markdown = render_markdown(result)
    assert "environment drift" in markdown and "--- rendered/staging/" in markdown and "+++ rendered/prod/" in markdown


def test_an_object_only_one_environment_has_is_drift():
    base = fleet()
    base.environments["prod"].update(tree(prod=[config_map("prod-only", "ml-prod", a="1")])["prod"])
    [environment] = diff_environments(base, "staging", "prod").environments
    assert [(c.status, c.display) for c in environment.changes] == [("added", "ConfigMap ml-prod/prod-only")]


def test_an_unknown_environment_is_a_usage_error_listing_the_known_ones():
    with pytest.raises(UsageError, match="qa.*prod, staging"):
        diff_environments(fleet(), "qa", "prod")
