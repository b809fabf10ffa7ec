"""The compiler's HPA, whole: every field of the object and every entry of its error-location
map (which key of the spec an error in each part of the HPA points at)."""

from __future__ import annotations

import pytest

from compiler.emit import autoscaling
from compiler.plan.service import lower_service
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

LABELS = {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}
TARGET_REF = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "iris-predictor"}


def emitted(scaling: dict):
    layer = _located(patched(BASE_SERVICE, {"spec": {"mode": "standard", "scaling": scaling}}), SERVICE_FILE)
    env = Environment.model_validate(BASE_ENV)
    plan = lower_service(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    return autoscaling.emit(plan, env)


def hpa(spec: dict) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "iris-predictor-hpa", "namespace": "ml-prod", "labels": LABELS},
        "spec": {"scaleTargetRef": TARGET_REF, **spec},
    }


def test_external_metric_by_name_with_selector_and_both_windows():
    # services/iris.yaml as dumped: scaling 11:3, external 12:5, maxReplicas 16:5, minReplicas 18:5,
    # stabilization 19:5, target 22:5
    (manifest,) = emitted({"metric": "external", "target": 10, "minReplicas": 2, "maxReplicas": 7, "external": {"name": "qps", "selector": {"a": "b"}}, "stabilization": {"scaleUpSeconds": 0, "scaleDownSeconds": 300}})
    assert manifest.body == hpa({
        "minReplicas": 2,
        "maxReplicas": 7,
        "metrics": [{"type": "External", "external": {"metric": {"name": "qps", "selector": {"matchLabels": {"a": "b"}}}, "target": {"type": "AverageValue", "averageValue": 10}}}],
        "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0}, "scaleDown": {"stabilizationWindowSeconds": 300}},
    })
    assert manifest.service == "iris"
    assert {pointer: str(location) for pointer, location in manifest.origins.items()} == {
        "": "services/iris.yaml:11:3",
        "/spec/minReplicas": "services/iris.yaml:18:5",
        "/spec/maxReplicas": "services/iris.yaml:16:5",
        "/spec/metrics": "services/iris.yaml:12:5",
        "/spec/metrics/0/external/target": "services/iris.yaml:22:5",
        "/spec/metrics/0/resource/target": "services/iris.yaml:22:5",
        "/spec/behavior": "services/iris.yaml:19:5",
    }


def test_cpu_without_target_gets_the_default_utilization_and_min_replicas_one():
    # scaling 11:3, maxReplicas 12:5, metric 13:5, minReplicas 14:5, stabilization 15:5; no target:
    # its errors point at scaling
    (manifest,) = emitted({"metric": "cpu", "minReplicas": 0, "maxReplicas": 4, "stabilization": {"scaleDownSeconds": 60}})
    assert manifest.body == hpa({
        "minReplicas": 1,
        "maxReplicas": 4,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}},
    })
    assert {pointer: str(location) for pointer, location in manifest.origins.items()} == {
        "": "services/iris.yaml:11:3",
        "/spec/minReplicas": "services/iris.yaml:14:5",
        "/spec/maxReplicas": "services/iris.yaml:12:5",
        "/spec/metrics": "services/iris.yaml:13:5",
        "/spec/metrics/0/external/target": "services/iris.yaml:11:3",
        "/spec/metrics/0/resource/target": "services/iris.yaml:11:3",
        "/spec/behavior": "services/iris.yaml:15:5",
    }


@pytest.mark.parametrize("target, utilization", [(75, 75), ("75", 75), (1, 1), (100, 100)])
def test_memory_target_is_a_whole_utilization_and_scale_up_alone_is_kept(target, utilization):
    (manifest,) = emitted({"metric": "memory", "target": target, "minReplicas": 1, "maxReplicas": 3, "stabilization": {"scaleUpSeconds": 30}})
    assert manifest.body["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": utilization}}}]
    assert manifest.body["spec"]["behavior"] == {"scaleUp": {"stabilizationWindowSeconds": 30}}


def test_external_metric_without_selector_has_no_selector_and_no_behavior():
    (manifest,) = emitted({"metric": "external", "target": "500m", "minReplicas": 1, "maxReplicas": 3, "external": {"name": "qps"}})
    assert manifest.body["spec"]["metrics"] == [{"type": "External", "external": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "500m"}}}]
    assert "behavior" not in manifest.body["spec"]


@pytest.mark.parametrize("scaling", [
    {"metric": "cpu", "target": 70, "minReplicas": 1, "maxReplicas": 3},  # KServe's own HPA
    {"minReplicas": 2, "maxReplicas": 2},  # fixed
])
def test_no_hpa_of_our_own_when_kserve_or_nobody_scales(scaling):
    assert emitted(scaling) == []


def test_hpa_name_is_the_predictor_name_with_hpa():
    assert autoscaling.hpa_name("bert") == "bert-predictor-hpa"
