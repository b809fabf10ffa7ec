"""Spec of a Ray Serve application on KubeRay: `mode: ray` and a `ray:` block rendered as a
RayService (ray.io/v1) with its own Ray cluster, or the route to a Ray cluster the environment
declares for teams that share one (`ray.cluster`, `spec.rayClusters`; docs/workloads.md).

Only base.py, names.py and components.py are imported: models.py imports this module.
"""

from __future__ import annotations

from pydantic import Field

from .base import Int32, Resources, SpecModel
from .components import GpuRequest
from .names import DnsLabel

# rayStartParams is map[string]string in KubeRay; numbers are accepted here so that rule RAY-02
# can say which parameter to quote, at its line, instead of a type error.
StartParams = dict[str, str | int | float | bool]


class RayHead(SpecModel):
    resources: Resources | None = Field(None, description="CPU and memory of the head (RAY-04: set limits).")
    gpu: GpuRequest | None = Field(None, description="GPUs of a class from the environment's catalogue on the head (its class places the head on GPU nodes).")
    start_params: StartParams = Field(default_factory=dict, description="rayStartParams of the head: strings, e.g. num-cpus: \"0\" to keep work off the head.")


class RayWorkerGroup(SpecModel):
    name: str = Field(description="groupName of the worker group.")
    min_replicas: Int32 = Field(0, ge=0, description="Fewest workers (the autoscaler's lower bound).")
    max_replicas: Int32 = Field(ge=0, description="Most workers (the autoscaler's upper bound; the GPU budget counts it).")
    replicas: Int32 | None = Field(None, ge=0, description="Workers at start (between min and max).")
    gpu: GpuRequest | None = Field(None, description="GPUs of a class from the environment's catalogue, per worker.")
    resources: Resources | None = Field(None, description="CPU and memory of each worker (GPUs: use gpu).")
    start_params: StartParams = Field(default_factory=dict, description="rayStartParams of the group: strings.")


class RayClusterShape(SpecModel):
    """What a Ray cluster is, whether a RayService owns it or the environment shares it."""

    ray_version: str | None = Field(None, description="Ray version of the image (rayVersion).")
    head: RayHead = Field(default_factory=RayHead)
    workers: list[RayWorkerGroup] = Field(default_factory=list, description="Worker groups.")
    autoscaling: bool = Field(False, description="Ray's in-tree autoscaler scales each group between min and max.")


class RaySpec(RayClusterShape):
    cluster: DnsLabel | None = Field(
        None,
        description="Serve on a Ray cluster the environment declares (spec.rayClusters) instead of a RayService's own: "
        "Inferplane renders the route to its Serve port; the Serve application is deployed to that cluster outside GitOps (KubeRay has no RayService on an existing RayCluster).",
    )
    image: str | None = Field(None, description="Ray image of every pod, e.g. rayproject/ray:2.41.0-py311-gpu (a RayService of its own).")
    serve_config: dict | None = Field(None, description="The Ray Serve config (applications, deployments): rendered as serveConfigV2 (a RayService of its own).")


class EnvironmentRayCluster(RayClusterShape):
    """A RayCluster the environment renders for the teams that share it (spec.rayClusters.<name>)."""

    image: str = Field(description="Ray image of every pod, e.g. rayproject/ray:2.41.0-py311-gpu.")
