"""Lower a service's transformer and explainer (docs/workloads.md): each is a set of pods of its
own beside the predictor, with its resources, replica bounds and GPU placement decided here.

Every InferenceService of the service carries them: a service split by version renders them in
each version's InferenceService, so every version's traffic passes its transformer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.components import ComponentBase, Explainer, Transformer
from ..spec.models import Environment, ModelService
from .service import GpuPlacement, gpu_placement, resources_with_gpu, security_context

COMPONENT_KINDS = ("transformer", "explainer")


@dataclass(frozen=True)
class ComponentPlan:
    kind: str  # transformer | explainer: the InferenceService field and KServe's component label
    spec: Transformer | Explainer
    resources: dict[str, dict]
    gpu: GpuPlacement | None
    security_context: dict | None
    ceiling: int | None  # most replicas; None when unbounded (Knative without maxReplicas)
    version_override: bool = False  # a version's own transformer (spec.versions[].transformer)


def service_components(service: ModelService) -> list[tuple[str, ComponentBase]]:
    """(kind, spec) of each component the service declares, in the InferenceService's order."""
    return [(kind, component) for kind in COMPONENT_KINDS if (component := getattr(service.spec, kind)) is not None]


def component_ceiling(component: ComponentBase, mode: str | None) -> int | None:
    """As for a predictor: Standard mode raises a missing maxReplicas to minReplicas (at least 1)."""
    high = component.scaling.max_replicas or 0
    if mode != "standard":
        return high or None
    return max(high, component.scaling.min_replicas or 1, 1)


def plan_components(service: ModelService, env: Environment) -> tuple[ComponentPlan, ...]:
    # A component's container is always a custom one: hardened like a custom predictor container
    # (writable root filesystem), following the predictor's `security` settings.
    hardening = security_context(service.spec.predictor.model_copy(update={"model": None}))
    plans = []
    for kind, component in service_components(service):
        gpu = gpu_placement(component.gpu, env.spec.gpu_classes)
        plans.append(ComponentPlan(kind, component, resources_with_gpu(component.resources, gpu), gpu, hardening, component_ceiling(component, service.spec.mode)))
    return tuple(plans)
