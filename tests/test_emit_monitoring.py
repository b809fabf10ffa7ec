"""prometheus-operator monitors select the predictor pods and scrape a port that exists."""

import pytest

from compiler.emit import kserve, monitoring
from tests.conftest import needs_shared
from tests.helpers import fleet_plan, plan_of, schema_errors

PROMETHEUS = {"spec": {"observability": {"prometheus": {"enabled": True, "interval": "15s", "labels": {"release": "prom"}}}}}
SERVICE_MONITOR = {"spec": {"observability": {"prometheus": {"enabled": True, "kind": "ServiceMonitor"}}}}
PREDICTOR_PODS = {"serving.kserve.io/inferenceservice": "iris", "component": "predictor"}


def standard(model_format="sklearn", **predictor) -> dict:
    return {"spec": {"mode": "standard", "predictor": {"model": {"format": model_format}, **predictor}}}


def test_torch_classifier_pod_monitor_scrapes_torchserve_on_a_declared_port():
    plan, env = fleet_plan("torch-classifier", "prod")
    [monitor] = monitoring.emit(plan, env)
    assert monitor.body["kind"] == "PodMonitor"
    assert monitor.body["spec"]["selector"] == {"matchLabels": {"serving.kserve.io/inferenceservice": "torch-classifier", "component": "predictor"}}
    assert monitor.body["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    assert monitor.body["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    [isvc] = kserve.emit(plan, env)
    ports = isvc.body["spec"]["predictor"]["model"]["ports"]
    # the serving port stays first: KServe's Service targets the first declared port
    assert ports == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}, {"name": "metrics", "containerPort": 8082, "protocol": "TCP"}]


def test_knative_scrapes_queue_proxys_aggregate_port():
    plan = plan_of(None, PROMETHEUS)
    [monitor] = monitoring.emit(plan, None)
    assert monitor.body["spec"]["podMetricsEndpoints"] == [{"port": "aggr-metric", "path": "/metrics", "interval": "15s"}]
    [isvc] = kserve.emit(plan, None)
    assert isvc.body["metadata"]["annotations"]["serving.kserve.io/enable-metric-aggregation"] == "true"
    assert "ports" not in isvc.body["spec"]["predictor"]["model"]  # Knative allows one port; KServe adds aggr-metric


def test_knative_custom_port_tells_queue_proxy_where_to_read():
    plan = plan_of({"spec": {"observability": {"metrics": {"port": 9100, "path": "/stats"}}}}, PROMETHEUS)
    [isvc] = kserve.emit(plan, None)
    annotations = isvc.body["metadata"]["annotations"]
    assert (annotations["prometheus.kserve.io/port"], annotations["prometheus.kserve.io/path"]) == ("9100", "/stats")


def test_standard_metrics_on_the_serving_port_declare_one_port():
    plan = plan_of(standard(), PROMETHEUS)
    [monitor] = monitoring.emit(plan, None)
    assert monitor.body["spec"]["podMetricsEndpoints"][0]["port"] == "http"
    [isvc] = kserve.emit(plan, None)
    assert isvc.body["spec"]["predictor"]["model"]["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]


def test_custom_container_keeps_its_ports_and_names_the_metrics_one():
    container = {"image": "ghcr.io/acme/ranker@sha256:" + "b" * 64, "ports": [{"containerPort": 9000, "protocol": "TCP"}]}
    plan = plan_of({"spec": {"mode": "standard", "predictor": {"model": None, "container": container}, "observability": {"metrics": {"port": 9000}}}}, PROMETHEUS)
    [isvc] = kserve.emit(plan, None)
    assert isvc.body["spec"]["predictor"]["containers"][0]["ports"] == [{"name": "metrics", "containerPort": 9000, "protocol": "TCP"}]


def test_service_monitor_comes_with_a_metrics_service_that_selects_the_pods():
    service, monitor = monitoring.emit(plan_of(standard("pytorch"), SERVICE_MONITOR), None)
    assert (service.body["kind"], service.body["metadata"]["name"]) == ("Service", "iris-predictor-metrics")
    assert service.body["spec"]["selector"] == PREDICTOR_PODS
    assert service.body["spec"]["ports"] == [{"name": "metrics", "port": 8082, "targetPort": 8082, "protocol": "TCP"}]
    selected = monitor.body["spec"]["selector"]["matchLabels"]
    assert selected.items() <= service.body["metadata"]["labels"].items()
    assert selected["app.kubernetes.io/component"] == "predictor-metrics"  # not KServe's own Services
    assert monitor.body["spec"]["endpoints"] == [{"port": "metrics", "path": "/metrics", "interval": "30s"}]
    assert schema_errors(service.body) == []


@pytest.mark.parametrize(
    "service_patch, env_patch",
    [(None, None), ({"spec": {"observability": {"metrics": {"enabled": False}}}}, PROMETHEUS)],
)
def test_no_monitor_unless_the_environment_has_prometheus_and_the_service_wants_it(service_patch, env_patch):
    assert monitoring.emit(plan_of(service_patch, env_patch), None) == []


def test_dev_has_no_monitors():
    plan, env = fleet_plan("torch-classifier", "dev")
    assert monitoring.emit(plan, env) == []


@needs_shared
@pytest.mark.parametrize("service_patch, env_patch", [(None, PROMETHEUS), (standard("pytorch"), PROMETHEUS), (standard(), SERVICE_MONITOR)])
def test_monitors_pass_the_prometheus_operator_schema(service_patch, env_patch):
    for manifest in monitoring.emit(plan_of(service_patch, env_patch), None):
        assert schema_errors(manifest.body) == [], manifest.display_name
