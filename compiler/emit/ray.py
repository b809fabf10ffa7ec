"""Emit KubeRay objects (ray.io/v1; CRDs ../shared/crds/kuberay/): the RayService of a `mode: ray`
service with a cluster of its own (serveConfigV2 from the spec's serve config, a head and GPU
worker groups: the KubeRay + KServe seed's cluster shape), the environment's shared RayClusters,
and for a service on a shared cluster the Service to that cluster's Serve port (plan/ray.py says
why that is all GitOps can hold)."""

from __future__ import annotations

from ..errors import Location
from ..plan.ray import API_VERSION, SERVE_PORT, RayClusterPlan, RayPlan, WorkerGroupPlan, environment_clusters
from ..plan.service import GpuPlacement, ServicePlan
from ..source.yaml_io import dump
from ..spec.models import Environment
from .manifest import Manifest, drop_empty
from .meta import environment_labels

KIND = "RayService"
CLUSTER_KIND = "RayCluster"
# Ray's ports on the head: GCS, dashboard (the RayService controller talks to it) and Serve.
HEAD_PORTS = ({"name": "gcs-server", "containerPort": 6379}, {"name": "dashboard", "containerPort": 8265}, {"name": "serve", "containerPort": SERVE_PORT})


def _start_params(params: dict) -> dict[str, str]:
    # RAY-02 has reported any value that is not a string; str() here only spells what it accepted.
    return {key: str(value) for key, value in params.items()}


def _template(container: dict, gpu: GpuPlacement | None, labels: dict[str, str]) -> dict:
    pod = drop_empty(
        {
            "containers": [drop_empty(container)],
            "nodeSelector": dict(gpu.node_selector) if gpu else {},
            "tolerations": [dict(toleration) for toleration in gpu.tolerations] if gpu else [],
            "runtimeClassName": gpu.runtime_class_name if gpu else None,
        }
    )
    return drop_empty({"metadata": {"labels": dict(labels)} if labels else None, "spec": pod})


def _worker(group: WorkerGroupPlan, image: str, labels: dict[str, str]) -> dict:
    spec = group.spec
    return drop_empty(
        {
            "groupName": spec.name,
            "minReplicas": spec.min_replicas,
            "maxReplicas": spec.max_replicas,
            "replicas": spec.replicas,
            "rayStartParams": _start_params(spec.start_params),
            "template": _template({"name": "ray-worker", "image": image, "resources": group.resources}, group.gpu, labels),
        }
    )


def cluster_spec(cluster: RayClusterPlan, labels: dict[str, str]) -> dict:
    """A RayCluster's spec (also a RayService's rayClusterConfig); `labels` go on every pod."""
    shape = cluster.shape
    head_container = {"name": "ray-head", "image": cluster.image, "ports": [dict(port) for port in HEAD_PORTS], "resources": cluster.head_resources}
    head = {"rayStartParams": _start_params(shape.head.start_params), "template": _template(head_container, cluster.head_gpu, labels)}
    return drop_empty(
        {
            "rayVersion": shape.ray_version,
            "enableInTreeAutoscaling": shape.autoscaling or None,
            "headGroupSpec": head,
            "workerGroupSpecs": [_worker(group, cluster.image, labels) for group in cluster.workers],
        }
    )


def cluster_origins(locate, pointer: str, at: tuple) -> dict[str, Location]:
    """Where each part of a cluster spec at `pointer` was set (`at`: the spec key of the cluster)."""
    origins = {pointer: locate(*at), f"{pointer}/headGroupSpec": locate(*at, "head")}
    origins[f"{pointer}/headGroupSpec/rayStartParams"] = locate(*at, "head", "startParams")
    origins[f"{pointer}/headGroupSpec/template/spec/containers/0/resources"] = locate(*at, "head", "resources")
    return origins


def _origins(plan: ServicePlan, ray: RayPlan) -> dict[str, Location]:
    at = ("spec", "ray")
    pointer = "/spec/rayClusterConfig"
    origins = {"": plan.locate(), "/metadata": plan.locate("metadata"), "/spec/serveConfigV2": plan.locate(*at, "serveConfig")}
    origins.update(cluster_origins(plan.locate, pointer, at))
    for index, _group in enumerate(ray.cluster.workers if ray.cluster else ()):
        group_at = f"{pointer}/workerGroupSpecs/{index}"
        origins[group_at] = plan.locate(*at, "workers", index)
        for key, spec_key in (("minReplicas", "minReplicas"), ("maxReplicas", "maxReplicas"), ("replicas", "replicas"), ("rayStartParams", "startParams")):
            origins[f"{group_at}/{key}"] = plan.locate(*at, "workers", index, spec_key)
        origins[f"{group_at}/template/spec/containers/0/resources"] = plan.locate(*at, "workers", index, "resources")
    return origins


def _metadata(name: str, namespace: str, labels: dict, annotations: dict | None = None) -> dict:
    return drop_empty({"name": name, "namespace": namespace, "labels": dict(labels), "annotations": dict(annotations or {})})


def serve_service(plan: ServicePlan, ray: RayPlan) -> dict:
    """The Service to a shared cluster's Serve proxy (KubeRay makes `<name>-serve-svc` only for a
    RayService). Port named `http` so the mesh routes it as HTTP."""
    port = {"name": "http", "port": SERVE_PORT, "targetPort": SERVE_PORT, "protocol": "TCP"}
    spec = {"selector": ray.serve_selector(plan.name), "ports": [port]}
    return {"apiVersion": "v1", "kind": "Service", "metadata": _metadata(ray.serve_service(plan.name), plan.namespace, plan.labels), "spec": spec}


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    ray: RayPlan | None = plan.ray
    if ray is None:
        return []
    if ray.cluster is None:
        return [Manifest(serve_service(plan, ray), service=plan.name, origins={"": plan.locate("spec", "ray", "cluster")})]
    spec = ray.spec
    # The service's name on every pod: its access policies select them (plan/access.py).
    pod_labels = {"app.kubernetes.io/name": plan.service or plan.name}
    body = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": _metadata(plan.name, plan.namespace, plan.labels, plan.annotations),
        # serveConfigV2 is a YAML document in a string (KubeRay parses it): canonical, so the
        # same serve config always renders the same bytes.
        "spec": {"serveConfigV2": dump(spec.serve_config or {}), "rayClusterConfig": cluster_spec(ray.cluster, pod_labels)},
    }
    return [Manifest(body, service=plan.name, origins=_origins(plan, ray))]


def emit_environment(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    """The environment's shared RayClusters, whether or not a service of this compile uses them."""
    manifests = []
    for cluster in environment_clusters(env):
        body = {"apiVersion": API_VERSION, "kind": CLUSTER_KIND, "metadata": _metadata(cluster.name, env.spec.namespace, environment_labels(cluster.name, env)), "spec": cluster_spec(cluster, {})}
        manifests.append(Manifest(body))
    return manifests
