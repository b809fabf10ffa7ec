"""Emit the KubeRay RayService (ray.io/v1) of a `mode: ray` service: serveConfigV2 from the
spec's serve config, and a Ray cluster with a head and GPU worker groups (CRD
../shared/crds/kuberay/ray.io_rayservices.yaml; the KubeRay + KServe seed's cluster shape)."""

from __future__ import annotations

from ..errors import Location
from ..plan.ray import API_VERSION, RayPlan, WorkerGroupPlan
from ..plan.service import ServicePlan
from ..source.yaml_io import dump
from ..spec.models import Environment
from .manifest import Manifest, drop_empty

KIND = "RayService"
# Ray's ports on the head: GCS, dashboard (the RayService controller talks to it) and Serve.
HEAD_PORTS = ({"name": "gcs-server", "containerPort": 6379}, {"name": "dashboard", "containerPort": 8265}, {"name": "serve", "containerPort": 8000})


def _start_params(params: dict) -> dict[str, str]:
    # RAY-02 has reported any value that is not a string; str() here only spells what it accepted.
    return {key: str(value) for key, value in params.items()}


def _worker(group: WorkerGroupPlan, image: str) -> dict:
    gpu = group.gpu
    pod = drop_empty(
        {
            "containers": [drop_empty({"name": "ray-worker", "image": image, "resources": group.resources})],
            "nodeSelector": dict(gpu.node_selector) if gpu else {},
            "tolerations": [dict(toleration) for toleration in gpu.tolerations] if gpu else [],
            "runtimeClassName": gpu.runtime_class_name if gpu else None,
        }
    )
    spec = group.spec
    return drop_empty(
        {
            "groupName": spec.name,
            "minReplicas": spec.min_replicas,
            "maxReplicas": spec.max_replicas,
            "replicas": spec.replicas,
            "rayStartParams": _start_params(spec.start_params),
            "template": {"spec": pod},
        }
    )


def _origins(plan: ServicePlan, ray: RayPlan) -> dict[str, Location]:
    at = ("spec", "ray")
    cluster = "/spec/rayClusterConfig"
    origins = {"": plan.locate(), "/metadata": plan.locate("metadata"), "/spec/serveConfigV2": plan.locate(*at, "serveConfig"), cluster: plan.locate(*at)}
    origins[f"{cluster}/headGroupSpec"] = plan.locate(*at, "head")
    origins[f"{cluster}/headGroupSpec/rayStartParams"] = plan.locate(*at, "head", "startParams")
    origins[f"{cluster}/headGroupSpec/template/spec/containers/0/resources"] = plan.locate(*at, "head", "resources")
    for index, _group in enumerate(ray.workers):
        group_at = f"{cluster}/workerGroupSpecs/{index}"
        origins[group_at] = plan.locate(*at, "workers", index)
        for key, spec_key in (("minReplicas", "minReplicas"), ("maxReplicas", "maxReplicas"), ("replicas", "replicas"), ("rayStartParams", "startParams")):
            origins[f"{group_at}/{key}"] = plan.locate(*at, "workers", index, spec_key)
        origins[f"{group_at}/template/spec/containers/0/resources"] = plan.locate(*at, "workers", index, "resources")
    return origins


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    ray: RayPlan | None = plan.ray
    if ray is None:
        return []
    spec = ray.spec
    head = {
        "rayStartParams": _start_params(spec.head.start_params),
        "template": {"spec": {"containers": [drop_empty({"name": "ray-head", "image": spec.image, "ports": [dict(port) for port in HEAD_PORTS], "resources": ray.head_resources})]}},
    }
    cluster = drop_empty(
        {
            "rayVersion": spec.ray_version,
            "enableInTreeAutoscaling": spec.autoscaling or None,
            "headGroupSpec": head,
            "workerGroupSpecs": [_worker(group, spec.image) for group in ray.workers],
        }
    )
    body = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": drop_empty({"name": plan.name, "namespace": plan.namespace, "labels": dict(plan.labels), "annotations": dict(plan.annotations)}),
        # serveConfigV2 is a YAML document in a string (KubeRay parses it): canonical, so the
        # same serve config always renders the same bytes.
        "spec": {"serveConfigV2": dump(spec.serve_config), "rayClusterConfig": cluster},
    }
    return [Manifest(body, service=plan.name, origins=_origins(plan, ray))]
