"""Emit the prometheus-operator monitor (monitoring.coreos.com/v1) of a service's model server.

PodMonitor: selects the predictor pods by KServe's labels and scrapes a named container port
(queue-proxy's `aggr-metric` in Knative mode, the model server's own port in Standard mode).
ServiceMonitor: needs a Service, so a headless `<isvc>-predictor-metrics` Service is emitted
beside it; KServe's own Services expose only the serving port.
"""

from __future__ import annotations

from .. import naming, upstream
from .manifest import Manifest
from ..plan.service import MetricsPlan, ServicePlan
from ..spec.models import Environment

API_VERSION = "monitoring.coreos.com/v1"


def _metadata(plan: ServicePlan, name: str, metrics: MetricsPlan) -> dict:
    return {"name": name, "namespace": plan.namespace, "labels": {**metrics.labels, **plan.labels}}


def _endpoint(metrics: MetricsPlan) -> dict:
    return {"port": metrics.port_name, "path": metrics.path, "interval": metrics.interval}


def pod_monitor(plan: ServicePlan, metrics: MetricsPlan) -> dict:
    return {
        "apiVersion": API_VERSION,
        "kind": "PodMonitor",
        "metadata": _metadata(plan, naming.predictor_object_name(plan.name), metrics),
        "spec": {
            "selector": {"matchLabels": upstream.predictor_pod_labels(plan.name)},
            "podMetricsEndpoints": [_endpoint(metrics)],
        },
    }


def metrics_service_name(isvc: str) -> str:
    return naming.predictor_object_name(isvc, "metrics")


def _metrics_service_labels(plan: ServicePlan) -> dict[str, str]:
    # KServe copies the ISVC's labels onto its own Services: the component label tells ours apart.
    return {**plan.labels, "app.kubernetes.io/component": "predictor-metrics"}


def metrics_service(plan: ServicePlan, metrics: MetricsPlan) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": metrics_service_name(plan.name), "namespace": plan.namespace, "labels": _metrics_service_labels(plan)},
        "spec": {
            "clusterIP": "None",
            "selector": upstream.predictor_pod_labels(plan.name),
            "ports": [{"name": metrics.port_name, "port": metrics.port, "targetPort": metrics.port, "protocol": "TCP"}],
        },
    }


def service_monitor(plan: ServicePlan, metrics: MetricsPlan) -> dict:
    service_labels = _metrics_service_labels(plan)
    selector = {key: service_labels[key] for key in ("app.kubernetes.io/name", "app.kubernetes.io/component")}
    return {
        "apiVersion": API_VERSION,
        "kind": "ServiceMonitor",
        "metadata": _metadata(plan, naming.predictor_object_name(plan.name), metrics),
        "spec": {"selector": {"matchLabels": selector}, "endpoints": [_endpoint(metrics)]},
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    metrics = plan.metrics
    if metrics is None:
        return []
    origins = {"": plan.locate("spec", "observability")}
    if metrics.kind == "PodMonitor":
        return [Manifest(pod_monitor(plan, metrics), service=plan.name, origins=origins)]
    return [
        Manifest(metrics_service(plan, metrics), service=plan.name, origins=origins),
        Manifest(service_monitor(plan, metrics), service=plan.name, origins=origins),
    ]
