"""emit/availability.py: the PodDisruptionBudget belongs to its InferenceService and points its
errors at scaling.minReplicas, the key that asked for two or more replicas."""

from __future__ import annotations

from compiler.emit import availability
from compiler.plan.versions import lower_service_plans
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched


def test_the_budget_belongs_to_its_service_and_points_at_min_replicas():
    layer = _located(patched(BASE_SERVICE, {"spec": {"mode": "standard", "scaling": {"minReplicas": 2, "maxReplicas": 4}}}), SERVICE_FILE)
    env = Environment.model_validate(BASE_ENV)
    (plan,) = lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    (manifest,) = availability.emit(plan, env)
    assert (manifest.kind, manifest.name, manifest.service) == ("PodDisruptionBudget", manifest.body["metadata"]["name"], "iris")
    # services/iris.yaml as dumped (keys sorted): scaling at 11, its minReplicas at 13
    assert {pointer: str(at) for pointer, at in manifest.origins.items()} == {"": "services/iris.yaml:13:5"}
