"""Emit the HorizontalPodAutoscaler (autoscaling/v2, kubernetes_versions HPA_API) the compiler owns (replica owner `hpa`).

Used for an external metric read from the external metrics API (the elastic-inference seed's
sls_ingress_qps) and for cpu/memory with stabilization windows, which KServe's own HPA drops.
The InferenceService carries autoscalerClass external, so KServe creates no HPA of its own and
leaves the replicas to this one (serving-rules §1.2, KS-19).
"""

from __future__ import annotations

from .. import naming, upstream
from .manifest import Manifest
from ..plan.service import ServicePlan
from ..plan.scaling import AutoscalerPlan
from ..spec.scaling import ExternalMetric
from ..spec.models import Environment
from ..plan.kubernetes_versions import HPA_API, kubernetes_of



def hpa_name(isvc: str) -> str:
    """Not `<isvc>-predictor`: KServe deletes an HPA of that name that it owns, and a user HPA
    of that name looks like KServe's to people and tools (KS-19)."""
    return naming.predictor_object_name(isvc, "hpa")


def _metric(scaler: AutoscalerPlan) -> dict:
    return _metric_of(scaler.metric, scaler.target, scaler.external)


def _metric_of(name: str | None, target: object, external: ExternalMetric | None) -> dict:
    if name == "external":
        assert external is not None and external.name
        metric: dict = {"name": external.name}
        if external.selector:
            metric["selector"] = {"matchLabels": dict(external.selector)}
        # The seed's target: the metric's value averaged over the pods (QPS per replica).
        return {"type": "External", "external": {"metric": metric, "target": {"type": "AverageValue", "averageValue": target}}}
    utilization = upstream.DEFAULT_CPU_UTILIZATION if target is None else int(float(target))  # type: ignore[arg-type]
    return {"type": "Resource", "resource": {"name": name, "target": {"type": "Utilization", "averageUtilization": utilization}}}


def _behavior(scaler: AutoscalerPlan) -> dict:
    behavior = {}
    if scaler.scale_up_seconds is not None:
        behavior["scaleUp"] = {"stabilizationWindowSeconds": scaler.scale_up_seconds}
    if scaler.scale_down_seconds is not None:
        behavior["scaleDown"] = {"stabilizationWindowSeconds": scaler.scale_down_seconds}
    return behavior


def horizontal_pod_autoscaler(plan: ServicePlan, env: Environment) -> dict:
    scaler = plan.autoscaler
    spec: dict = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": plan.release.predictor_name(plan.name)},
        "minReplicas": scaler.min_replicas,
        "maxReplicas": scaler.ceiling,
        "metrics": [_metric(scaler)] + [_metric_of(extra.metric, extra.target, extra.external) for extra in scaler.additional],
    }
    behavior = _behavior(scaler)
    if behavior:
        spec["behavior"] = behavior
    return {
        "apiVersion": kubernetes_of(env).api(HPA_API),
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": hpa_name(plan.name), "namespace": plan.namespace, "labels": dict(plan.labels)},
        "spec": spec,
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    if plan.autoscaler.owner != "hpa":
        return []
    origins = {
        "": plan.locate("spec", "scaling"),
        "/spec/minReplicas": plan.locate("spec", "scaling", "minReplicas"),
        "/spec/maxReplicas": plan.locate("spec", "scaling", "maxReplicas"),
        "/spec/metrics": plan.locate("spec", "scaling", "external" if plan.autoscaler.metric == "external" else "metric"),
        "/spec/metrics/0/external/target": plan.locate("spec", "scaling", "target"),
        "/spec/metrics/0/resource/target": plan.locate("spec", "scaling", "target"),
        "/spec/behavior": plan.locate("spec", "scaling", "stabilization"),
    }
    for index, _extra in enumerate(plan.autoscaler.additional, start=1):
        origins[f"/spec/metrics/{index}"] = plan.locate("spec", "scaling", "additionalMetrics", index - 1)
    return [Manifest(horizontal_pod_autoscaler(plan, env), service=plan.name, origins=origins)]
