"""Scaling plan: who owns a predictor's replicas (exactly one owner) and what each owner needs.

Decided once here; the emitters (kserve, autoscaling) and the scaling rules read the decision,
so they can never disagree about the owner.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import upstream
from ..spec.scaling import ExternalMetric, Scaling
from .kserve_versions import KServeRelease


# Who owns the predictor's replicas (exactly one):
#   knative-kpa  Knative's pod autoscaler; KServe turns minReplicas/scaleMetric/... into annotations
#   knative-hpa  Knative's HPA class (cpu, memory): annotation autoscaling.knative.dev/class
#   kserve-hpa   KServe's own HPA `<isvc>-predictor` (autoscalerClass hpa)
#   hpa          an HPA this compiler emits (autoscalerClass external, so KServe makes none)
#   keda         KServe's ScaledObject `<isvc>-predictor` built from spec.predictor.autoScaling
#   fixed        no autoscaler: autoscalerClass none, KServe sets the Deployment to minReplicas
HPA_OWNERS = ("kserve-hpa", "hpa")


@dataclass(frozen=True)
class AutoscalerPlan:
    owner: str
    autoscaler_class: str | None  # serving.kserve.io/autoscalerClass; None in Knative mode
    min_replicas: int | None
    max_replicas: int | None
    metric: str | None
    target: str | int | float | None
    container_concurrency: int | None
    knative_annotations: dict[str, str]
    external: ExternalMetric | None
    scale_up_seconds: int | None
    scale_down_seconds: int | None
    ceiling: int | None  # most replicas that can run; None: unbounded (Knative without maxReplicas)
    additional: tuple = ()  # spec.scaling.additionalMetrics, for the compiler's HPA


def _has_windows(scaling: Scaling) -> bool:
    windows = scaling.stabilization
    return windows is not None and (windows.scale_up_seconds is not None or windows.scale_down_seconds is not None)


def autoscaler_owner(scaling: Scaling, mode: str | None, kserve_version: tuple[int, int, int]) -> str:
    """Pick the one owner of replicas from the mode and the metric (rules check the combination)."""
    if mode != "standard":
        return "knative-hpa" if scaling.metric in ("cpu", "memory") else "knative-kpa"
    if scaling.additional_metrics:
        return "hpa"  # KServe's own HPA takes one metric; ours takes them all (SCALE-04 checks the rest)
    if scaling.metric == "external":
        # A query runs in KEDA (KServe builds the ScaledObject); a metric name is read by an HPA
        # from the external metrics API, which KServe's own HPA cannot do.
        return "keda" if scaling.external is not None and scaling.external.query else "hpa"
    if scaling.metric in ("cpu", "memory") and _has_windows(scaling):
        return "hpa"  # KServe's own HPA leaves spec.behavior empty (hpa_reconciler createHPA)
    fixed = scaling.metric is None and scaling.min_replicas is not None and scaling.min_replicas >= 1 and scaling.max_replicas == scaling.min_replicas
    if fixed and KServeRelease(kserve_version[:2]).has("autoscaler-none"):
        return "fixed"
    return "kserve-hpa"


def effective_min_replicas(scaling: Scaling, owner: str) -> int | None:
    """An HPA cannot scale to zero: KServe raises minReplicas 0 to 1 (KS-15), and so do we."""
    if owner in HPA_OWNERS and scaling.min_replicas is not None:
        return max(scaling.min_replicas, 1)
    if owner == "hpa":
        return 1
    return scaling.min_replicas


def replica_ceiling(scaling: Scaling, mode: str | None, owner: str) -> int | None:
    """The most replicas that can run, None when unbounded (Knative without maxReplicas).

    In Standard mode KServe raises a missing or lower maxReplicas to minReplicas."""
    high = scaling.max_replicas or 0
    if mode != "standard":
        return high or None
    low = effective_min_replicas(scaling, owner)
    return max(high, 1 if low is None else low)


def _knative_annotations(scaling: Scaling, owner: str) -> dict[str, str]:
    """The Knative annotations KServe does not derive itself (serving-rules §1.4)."""
    annotations = {}
    if owner == "knative-hpa":
        # KServe writes the class only when none is set: this picks Knative's HPA class.
        annotations[upstream.KNATIVE_CLASS_ANNOTATION] = upstream.KNATIVE_HPA_CLASS
    if scaling.initial_scale is not None:
        annotations[upstream.KNATIVE_INITIAL_SCALE_ANNOTATION] = str(scaling.initial_scale)
    if scaling.scale_to_zero_retention_seconds is not None:
        annotations[upstream.KNATIVE_RETENTION_ANNOTATION] = f"{scaling.scale_to_zero_retention_seconds}s"
    if scaling.stabilization is not None and scaling.stabilization.scale_down_seconds is not None:
        annotations[upstream.KNATIVE_SCALE_DOWN_DELAY_ANNOTATION] = f"{scaling.stabilization.scale_down_seconds}s"
    return annotations


_AUTOSCALER_CLASS = {
    "kserve-hpa": upstream.AUTOSCALER_CLASS_HPA,
    "hpa": upstream.AUTOSCALER_CLASS_EXTERNAL,
    "keda": upstream.AUTOSCALER_CLASS_KEDA,
    "fixed": upstream.AUTOSCALER_CLASS_NONE,
}


def plan_autoscaler(scaling: Scaling, mode: str | None, kserve_version: tuple[int, int, int]) -> AutoscalerPlan:
    owner = autoscaler_owner(scaling, mode, kserve_version)
    knative = owner.startswith("knative")
    windows = scaling.stabilization
    return AutoscalerPlan(
        owner=owner,
        autoscaler_class=_AUTOSCALER_CLASS.get(owner),
        min_replicas=effective_min_replicas(scaling, owner),
        max_replicas=scaling.max_replicas,
        metric=scaling.metric,
        target=scaling.target,
        # containerConcurrency is a Knative revision setting; a Deployment has no such field.
        container_concurrency=scaling.container_concurrency if knative else None,
        knative_annotations=_knative_annotations(scaling, owner) if knative else {},
        external=scaling.external if scaling.metric == "external" else None,
        scale_up_seconds=windows.scale_up_seconds if windows else None,
        scale_down_seconds=windows.scale_down_seconds if windows else None,
        ceiling=replica_ceiling(scaling, mode, owner),
        additional=tuple(scaling.additional_metrics) if owner == "hpa" else (),
    )


# ---------------------------------------------------------------- GPU placement and resources
