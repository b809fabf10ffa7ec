"""The HPA the compiler owns: the elastic-inference seed's QPS autoscaler, and no HPA or
`replicas` where another owner scales."""

import pytest

from compiler.emit import autoscaling, emit_all, kserve
from tests.conftest import needs_shared
from tests.helpers import fleet_plan, plan_of, schema_errors

from compiler.spec.models import Environment
from tests.helpers import BASE_ENV

BASE = Environment.model_validate(BASE_ENV)

SERVICES = ("bert-tfserving", "sklearn-iris", "torch-classifier")
ENVIRONMENTS = ("dev", "staging", "prod")


def seed_hpa(env_name: str) -> dict:
    plan, env = fleet_plan("bert-tfserving", env_name)
    [hpa] = autoscaling.emit(plan, env)
    return hpa.body


@pytest.mark.parametrize("env_name", ["staging", "prod"])
def test_seed_hpa_scales_the_predictor_deployment_on_ingress_qps(env_name):
    spec = seed_hpa(env_name)["spec"]
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "bert-tfserving-predictor"}
    assert (spec["minReplicas"], spec["maxReplicas"]) == (1, 10)
    [metric] = spec["metrics"]
    assert metric["type"] == "External"
    assert metric["external"]["metric"]["name"] == "sls_ingress_qps"
    assert metric["external"]["target"] == {"type": "AverageValue", "averageValue": 10}


@pytest.mark.parametrize("env_name", ["staging", "prod"])
def test_seed_selector_names_this_environments_route_without_placeholders(env_name):
    labels = seed_hpa(env_name)["spec"]["metrics"][0]["external"]["metric"]["selector"]["matchLabels"]
    assert labels["sls.logstore"] == "nginx-ingress"
    assert labels["sls.ingress.route"] == f"ml-{env_name}-bert-tfserving-predictor-80"  # {namespace}-{service}-{port}
    assert labels["sls.project"].startswith("k8s-log-c")
    assert not any("{" in value or "}" in value for value in labels.values())


def test_seed_hpa_is_not_named_like_kserves_own():
    assert seed_hpa("prod")["metadata"]["name"] == "bert-tfserving-predictor-hpa"


@pytest.mark.parametrize("env_name", ["staging", "prod"])
def test_seed_isvc_hands_its_replicas_to_the_hpa(env_name):
    plan, env = fleet_plan("bert-tfserving", env_name)
    [isvc] = kserve.emit(plan, env)
    assert isvc.body["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "external"
    predictor = isvc.body["spec"]["predictor"]
    assert "scaleMetric" not in predictor and "scaleTarget" not in predictor and "autoScaling" not in predictor


def test_dev_keeps_one_replica_and_no_autoscaler():
    plan, env = fleet_plan("bert-tfserving", "dev")
    assert autoscaling.emit(plan, env) == []
    [isvc] = kserve.emit(plan, env)
    assert isvc.body["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "none"
    assert (isvc.body["spec"]["predictor"]["minReplicas"], isvc.body["spec"]["predictor"]["maxReplicas"]) == (1, 1)


@pytest.mark.parametrize("env_name, kubernetes", [("staging", "1.33"), ("prod", "1.32")])
def test_seed_hpa_passes_the_kubernetes_schema(env_name, kubernetes):
    assert schema_errors(seed_hpa(env_name), kubernetes) == []


def _keys(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _keys(item)


@pytest.mark.parametrize("env_name", ENVIRONMENTS)
def test_nothing_writes_replicas_an_autoscaler_owns(env_name):
    plans, env = [], None
    for name in SERVICES:
        plan, env = fleet_plan(name, env_name)
        plans.append(plan)
    for manifest in emit_all(plans, env):
        assert "replicas" not in set(_keys(manifest.body)), manifest.display_name


def test_cpu_with_stabilization_windows_gets_the_compilers_hpa():
    plan = plan_of({"spec": {"mode": "standard", "scaling": {"minReplicas": 2, "maxReplicas": 8, "metric": "cpu", "target": 70, "stabilization": {"scaleUpSeconds": 0, "scaleDownSeconds": 300}}}})
    [hpa] = autoscaling.emit(plan, BASE)
    spec = hpa.body["spec"]
    assert spec["metrics"] == [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    assert spec["behavior"] == {"scaleUp": {"stabilizationWindowSeconds": 0}, "scaleDown": {"stabilizationWindowSeconds": 300}}
    assert schema_errors(hpa.body) == []


def test_min_replicas_zero_is_rendered_as_one():
    plan = plan_of({"spec": {"mode": "standard", "scaling": {"minReplicas": 0, "maxReplicas": 5, "metric": "external", "target": 10, "external": {"name": "qps"}}}})
    [hpa] = autoscaling.emit(plan, BASE)
    assert hpa.body["spec"]["minReplicas"] == 1
    assert "selector" not in hpa.body["spec"]["metrics"][0]["external"]["metric"]


@pytest.mark.parametrize(
    "service_patch, env_patch",
    [
        (None, None),  # Knative
        ({"spec": {"mode": "standard", "scaling": {"metric": "cpu", "target": 70}}}, None),  # KServe's HPA
        ({"spec": {"mode": "standard", "scaling": {"metric": "external", "target": 5, "external": {"query": "up", "serverAddress": "http://p:9090"}}}}, {"spec": {"autoscaling": {"keda": True}}}),
    ],
)
def test_no_hpa_where_another_owner_scales(service_patch, env_patch):
    assert autoscaling.emit(plan_of(service_patch, env_patch), BASE) == []


def test_hpa_errors_point_at_the_scaling_spec():
    plan, env = fleet_plan("bert-tfserving", "prod")
    [hpa] = autoscaling.emit(plan, env)
    assert hpa.origin_of("/spec/metrics/0/external/target/averageValue").line > 0
    assert hpa.origin_of("/spec/metrics/0/external/target/averageValue").path.endswith("services/bert-tfserving.yaml")


@needs_shared
def test_seed_isvc_passes_the_kserve_schema():
    plan, env = fleet_plan("bert-tfserving", "prod")
    [isvc] = kserve.emit(plan, env)
    assert schema_errors(isvc.body) == []
