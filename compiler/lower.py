"""Lower: one checked service spec + its environment → a plan the emitters render.

The plan holds every decision (deployment mode spelling, labels, GPU placement, resources), so
emitters stay small pure functions that only arrange data into Kubernetes shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import upstream
from .errors import Location
from .resolve import Layer
from .spec.models import Environment, GpuClass, ModelService, Predictor, Scaling, parse_version


@dataclass(frozen=True)
class GpuPlacement:
    class_name: str
    resource: str
    count: int
    node_selector: dict[str, str]


@dataclass(frozen=True)
class ServicePlan:
    name: str
    namespace: str
    environment: str
    source: str  # the service file, relative to the project root: names it in rendered headers
    mode: str  # knative | standard
    kserve_version: tuple[int, int, int]
    deployment_mode: str  # the annotation value, spelled for the KServe version
    labels: dict[str, str]
    annotations: dict[str, str]
    predictor: Predictor
    scaling: Scaling
    resources: dict[str, dict[str, str | int | float]]
    gpu: GpuPlacement | None
    layer: Layer = field(compare=False, repr=False)

    def locate(self, *key_path: str | int) -> Location:
        """Where in the user's files the spec key path was set (for output → input tracing)."""
        return self.layer.locate(tuple(key_path))


def recommended_labels(service: ModelService, env: Environment) -> dict[str, str]:
    spec = service.spec
    labels = {
        "app.kubernetes.io/name": service.metadata.name,
        "app.kubernetes.io/part-of": spec.part_of or env.spec.part_of or service.metadata.name,
        "app.kubernetes.io/managed-by": upstream.MANAGED_BY,
    }
    if spec.version:
        labels["app.kubernetes.io/version"] = spec.version
    return {**service.metadata.labels, **labels}


def _resources(predictor: Predictor, gpu: GpuPlacement | None) -> dict[str, dict]:
    requests = dict(predictor.resources.requests) if predictor.resources else {}
    limits = dict(predictor.resources.limits) if predictor.resources else {}
    if gpu is not None:
        # Extended resources go in limits; Kubernetes sets the request equal (GPU-01).
        limits[gpu.resource] = gpu.count
    result = {}
    if limits:
        result["limits"] = limits
    if requests:
        result["requests"] = requests
    return result


def _gpu(service: ModelService, classes: dict[str, GpuClass]) -> GpuPlacement | None:
    request = service.spec.hardware.gpu
    if request is None:
        return None
    gpu_class = classes[request.class_]  # GPU-CLASS has reported unknown classes before lowering
    return GpuPlacement(request.class_, gpu_class.resource, request.count, dict(gpu_class.node_selector))


def lower_service(service: ModelService, env: Environment, layer: Layer, source: str) -> ServicePlan:
    spec = service.spec
    kserve_version = parse_version(env.spec.versions.kserve)
    assert spec.mode is not None  # KS-01 rejects a service without a mode before lowering
    gpu = _gpu(service, env.spec.gpu_classes)
    annotations = {k: v for k, v in service.metadata.annotations.items() if k != upstream.DEPLOYMENT_MODE_ANNOTATION}
    return ServicePlan(
        name=service.metadata.name,
        namespace=env.spec.namespace,
        environment=env.metadata.name,
        source=source,
        mode=spec.mode,
        kserve_version=kserve_version,
        deployment_mode=upstream.deployment_mode_value(spec.mode, kserve_version),
        labels=recommended_labels(service, env),
        annotations=annotations,
        predictor=spec.predictor,
        scaling=spec.scaling,
        resources=_resources(spec.predictor, gpu),
        gpu=gpu,
        layer=layer,
    )
