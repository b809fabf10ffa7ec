"""Lower a `mode: ray` service and the environment's shared Ray clusters (docs/workloads.md):
each group's GPU placement and resources, and where the Serve endpoint is.

A service either owns its cluster (a RayService: KubeRay creates the cluster, deploys the Serve
config and the Service `<name>-serve-svc`) or serves on a RayCluster the environment declares
(`ray.cluster`). KubeRay has no RayService on an existing RayCluster (kuberay#1542, #2560: "for
production, create a RayService CR with a new RayCluster"), and the Serve application on a shared
cluster is deployed through its dashboard (`serve deploy`), which is not GitOps. So for a shared
cluster Inferplane renders only what git can hold: the RayCluster (environment) and, per
service, a Service to the head's Serve port with the service's routes and access policies.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import upstream
from ..spec.models import Environment, GpuClass, GpuRequest, ModelService
from ..spec.ray import RayClusterShape, RaySpec, RayWorkerGroup
from .service import GpuPlacement, gpu_placement, resources_with_gpu

MODE = "ray"
API_VERSION = "ray.io/v1"
# Ray Serve's HTTP proxy port (serve.config.HTTPOptions default 8000) and the labels KubeRay puts
# on a cluster's pods (ray-operator/controllers/ray/utils/constant.go: RayClusterLabelKey,
# RayNodeTypeLabelKey).
SERVE_PORT = 8000
CLUSTER_LABEL = upstream.RAY_CLUSTER_POD_LABEL
NODE_TYPE_LABEL = "ray.io/node-type"


@dataclass(frozen=True)
class WorkerGroupPlan:
    spec: RayWorkerGroup
    gpu: GpuPlacement | None
    resources: dict[str, dict]


@dataclass(frozen=True)
class RayClusterPlan:
    name: str
    image: str
    shape: RayClusterShape
    head_gpu: GpuPlacement | None
    head_resources: dict[str, dict]
    workers: tuple[WorkerGroupPlan, ...]

    def gpu_groups(self) -> list[tuple[str, GpuPlacement, int]]:
        """(group, placement, most pods) of every group with GPUs: the head is one pod."""
        groups = [("head", self.head_gpu, 1)] if self.head_gpu else []
        return groups + [(group.spec.name, group.gpu, group.spec.max_replicas) for group in self.workers if group.gpu]


@dataclass(frozen=True)
class RayPlan:
    spec: RaySpec
    cluster: RayClusterPlan | None  # the RayService's own cluster
    shared_cluster: str | None  # the environment's RayCluster the service serves on

    def serve_service(self, service: str) -> str:
        """The Kubernetes Service in front of the Serve proxy: KubeRay's for a RayService
        (GenerateServeServiceName: `<name>-serve-svc`), ours for a shared cluster."""
        return f"{service}-serve" if self.shared_cluster else f"{service}-serve-svc"

    def serve_selector(self, service: str) -> dict[str, str]:
        """The pods whose Serve proxy answers: the shared cluster's head, which always runs one."""
        return {CLUSTER_LABEL: self.shared_cluster or service, NODE_TYPE_LABEL: "head"}


def _placement(request: GpuRequest | None, classes: dict[str, GpuClass]) -> GpuPlacement | None:
    # RAY-03 reports an unknown class; an environment's cluster is rendered beside that error.
    return gpu_placement(request, classes) if request is not None and request.class_ in classes else None


def plan_cluster(name: str, image: str, shape: RayClusterShape, env: Environment) -> RayClusterPlan:
    classes = env.spec.gpu_classes
    workers = []
    for group in shape.workers:
        gpu = _placement(group.gpu, classes)
        workers.append(WorkerGroupPlan(group, gpu, resources_with_gpu(group.resources, gpu, gpu_in_requests=True)))  # RAY-03
    head_gpu = _placement(shape.head.gpu, classes)
    return RayClusterPlan(name, image, shape, head_gpu, resources_with_gpu(shape.head.resources, head_gpu, gpu_in_requests=True), tuple(workers))


def plan_ray(service: ModelService, env: Environment) -> RayPlan | None:
    spec = service.spec.ray
    if service.spec.mode != MODE or spec is None:
        return None
    if spec.cluster is not None:
        return RayPlan(spec, None, spec.cluster)
    return RayPlan(spec, plan_cluster(service.metadata.name, spec.image or "", spec, env), None)


def environment_clusters(env: Environment) -> list[RayClusterPlan]:
    """The environment's shared RayClusters, by name."""
    return [plan_cluster(name, cluster.image, cluster, env) for name, cluster in sorted(env.spec.ray_clusters.items())]
