"""Lower a `mode: ray` service (docs/workloads.md): each worker group's GPU placement and
resources, the head's, and the GPUs the groups can use at their most workers."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.models import Environment, ModelService
from ..spec.ray import RaySpec, RayWorkerGroup
from .service import GpuPlacement, gpu_placement, resources_with_gpu

MODE = "ray"
API_VERSION = "ray.io/v1"


@dataclass(frozen=True)
class WorkerGroupPlan:
    spec: RayWorkerGroup
    gpu: GpuPlacement | None
    resources: dict[str, dict]


@dataclass(frozen=True)
class RayPlan:
    spec: RaySpec
    head_resources: dict[str, dict]
    workers: tuple[WorkerGroupPlan, ...]


def plan_ray(service: ModelService, env: Environment) -> RayPlan | None:
    spec = service.spec.ray
    if service.spec.mode != MODE or spec is None:
        return None
    workers = []
    for group in spec.workers:
        gpu = gpu_placement(group.gpu, env.spec.gpu_classes)
        workers.append(WorkerGroupPlan(group, gpu, resources_with_gpu(group.resources, gpu, gpu_in_requests=True)))  # RAY-03
    return RayPlan(spec, resources_with_gpu(spec.head.resources, None), tuple(workers))
