"""Builders for typed specs in tests: one line per case in the rule tests."""

from __future__ import annotations

import copy

from compiler.resolve import Layer, merge
from compiler.rules import REGISTRY, RuleContext, all_rules, run_rules
from compiler.spec.models import Environment, ModelService

BASE_SERVICE = {
    "apiVersion": "inferplane.dev/v1alpha1",
    "kind": "ModelService",
    "metadata": {"name": "iris"},
    "spec": {
        "mode": "knative",
        "predictor": {"model": {"format": "sklearn", "storageUri": "gs://bucket/model"}},
        "scaling": {"minReplicas": 1, "maxReplicas": 3},
    },
}

BASE_ENV = {
    "apiVersion": "inferplane.dev/v1alpha1",
    "kind": "Environment",
    "metadata": {"name": "prod"},
    "spec": {
        "versions": {"kubernetes": "1.33", "kserve": "0.16.0"},
        "namespace": "ml-prod",
        "gpuClasses": {"t4": {"resource": "nvidia.com/gpu", "maxPerPod": 2}},
    },
}


def patched(base: dict, patch: dict) -> dict:
    """base with patch merged by the overlay rules (null deletes)."""
    return merge(Layer(copy.deepcopy(base), {}, "base"), Layer(patch, {}, "patch")).data


def rule_ids(service_patch: dict | None = None, env_patch: dict | None = None) -> set[str]:
    """IDs of every rule that fires for the base service with the patches applied."""
    data = patched(BASE_SERVICE, service_patch or {})
    service = ModelService.model_validate(data)
    env = Environment.model_validate(patched(BASE_ENV, env_patch or {}))
    all_rules()
    context = RuleContext(service, env, Layer(data, {}, "services/iris.yaml"), env.metadata.name)
    return {diag.rule for diag in run_rules(context)}


def fires(rule_id: str, service_patch: dict | None = None, env_patch: dict | None = None) -> bool:
    assert rule_id in REGISTRY or all_rules() and rule_id in REGISTRY, f"unknown rule {rule_id}"
    return rule_id in rule_ids(service_patch, env_patch)
