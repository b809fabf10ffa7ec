"""Rules of a `mode: ray` service, a KubeRay RayService or a service on a shared RayCluster, and of
the environment's shared RayClusters (docs/workloads.md; the KubeRay + KServe seed): rayStartParams
as strings, GPUs from the catalogue with requests = limits, a head with resource limits, worker
bounds. RAY-02..04 check a service's own cluster at the service's lines and each of the
environment's `rayClusters` at the environment file's lines (`also_in_environment`)."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.ray import MODE
from ..spec.ray import RayClusterShape
from .llm import workload_block
from .manifests import EnvironmentContext, EnvironmentFinding
from .registry import Finding, RuleContext, also_in_environment, rule

RAY = ("spec", "ray")
# What a service on a shared cluster leaves to the cluster: every key of a cluster of its own.
OWN_CLUSTER_KEYS = (("image", "image"), ("serve_config", "serveConfig"), ("ray_version", "rayVersion"), ("head", "head"), ("workers", "workers"), ("autoscaling", "autoscaling"))


@rule("RAY-01", "a Ray Serve app is `mode: ray` with a `ray` block: a cluster of its own or a shared one, and nothing of a predictor", source="KubeRay RayService v1; kuberay#1542 (no RayService on an existing RayCluster)")
def ray_service(ctx: RuleContext) -> Iterator[Finding]:
    """`mode: ray` renders a KubeRay RayService from the `ray` block: its own Ray cluster runs
    the Serve application (`image` and `serveConfig` are needed), so there is no predictor,
    transformer, explainer or versions. With `ray.cluster` the service serves on a RayCluster the
    environment declares (`spec.rayClusters`): the cluster is the environment's, so the service
    sets none of image, serveConfig, rayVersion, head, workers or autoscaling (KubeRay cannot
    attach a RayService to an existing cluster; the Serve app is deployed there outside GitOps)."""
    spec = ctx.service.spec
    yield from workload_block(ctx, MODE, "RayService", "{image: rayproject/ray:2.41.0, serveConfig: {applications: [...]}}")
    if spec.mode != MODE:
        return
    for key in ("model", "container"):
        if getattr(spec.predictor, key) is not None:
            yield Finding(("spec", "predictor", key), "mode ray has no predictor: the Serve application is the workload", f"remove predictor.{key}")
    for key in ("transformer", "explainer", "versions"):
        if getattr(spec, key):
            yield Finding(("spec", key), f"a RayService has no {key}", f"remove {key}")
    ray = spec.ray
    if ray is None:
        return
    if ray.cluster is None:
        for field, key, example in (("image", "image", "rayproject/ray:2.41.0-py311-gpu"), ("serve_config", "serveConfig", "{applications: [...]}")):
            if getattr(ray, field) is None:
                yield Finding(RAY, f"the RayService has no {key}", f"add `{key}: {example}`, or serve on a shared cluster with `cluster: <name>`")
        return
    clusters = ctx.environment.spec.ray_clusters
    if ray.cluster not in clusters:
        known = f"use one of: {', '.join(sorted(clusters))}" if clusters else f"declare it in environments/{ctx.env_name}.yaml spec.rayClusters"
        yield Finding(RAY + ("cluster",), f"Ray cluster {ray.cluster!r} is not declared in environment {ctx.env_name!r}", known)
    for field, key in OWN_CLUSTER_KEYS:
        if field in ray.model_fields_set:
            yield Finding(RAY + (key,), f"{key} is set on a service that serves on the environment's Ray cluster {ray.cluster!r}", f"remove {key} (the cluster's settings are in the environment's spec.rayClusters), or remove `cluster` to own a RayService")


def _groups(at: tuple, shape: RayClusterShape, of: str):
    yield at + ("head",), f"the head{of}", shape.head, shape.head.gpu
    for index, group in enumerate(shape.workers):
        yield at + ("workers", index), f"worker group {group.name!r}{of}", group, group.gpu


def _own_cluster(ctx: RuleContext) -> RayClusterShape | None:
    ray = ctx.service.spec.ray
    return ray if ray is not None and ray.cluster is None else None


def _service_findings(check, ctx: RuleContext) -> Iterator[Finding]:
    shape = _own_cluster(ctx)
    if shape is not None:
        for key_path, message, hint in check(RAY, shape, "", ctx):
            yield Finding(key_path, message, hint)


def _environment_findings(check, ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    for name, shape in sorted(ctx.environment.spec.ray_clusters.items()):
        for key_path, message, hint in check(("spec", "rayClusters", name), shape, f" of Ray cluster {name!r}", ctx):
            yield EnvironmentFinding(ctx.at_environment(*key_path), message, hint, key_path)


def _start_params(at: tuple, shape: RayClusterShape, of: str, ctx) -> Iterator[tuple]:
    for where, what, group, gpu in _groups(at, shape, of):
        for key, value in group.start_params.items():
            if not isinstance(value, str):
                yield where + ("startParams", key), f"rayStartParams {key} of {what} is {value!r}, not a string", f"quote it: {key}: \"{str(value).lower() if isinstance(value, bool) else value}\""
            elif key == "num-gpus" and gpu is not None and value.strip() != str(gpu.count):
                yield where + ("startParams", key), f"num-gpus {value!r} of {what} differs from its {gpu.count} GPU(s)", f"set num-gpus: \"{gpu.count}\", or leave it out (Ray counts the container's GPUs)"


@rule("RAY-02", "rayStartParams are strings, and num-gpus agrees with the group's GPUs", source="KubeRay RayCluster rayStartParams map[string]string; the KubeRay + KServe seed (num-gpus: 1 unquoted)")
def ray_start_params(ctx: RuleContext) -> Iterator[Finding]:
    """KubeRay's rayStartParams is a map of strings: `num-gpus: 1` is refused by the API server
    (write `"1"`). A group's `num-gpus` that differs from its `gpu.count` makes Ray schedule on
    GPUs the pod does not have, or leave some idle. Checked for a RayService's cluster and for
    each of the environment's `rayClusters`."""
    yield from _service_findings(_start_params, ctx)


@also_in_environment("RAY-02")
def ray_start_params_in_environment(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    yield from _environment_findings(_start_params, ctx)


def _gpus(at: tuple, shape: RayClusterShape, of: str, ctx) -> Iterator[tuple]:
    classes = ctx.environment.spec.gpu_classes
    for where, what, group, gpu in _groups(at, shape, of):
        if gpu is not None:
            gpu_class = classes.get(gpu.class_)
            if gpu_class is None:
                known = f"use one of: {', '.join(sorted(classes))}" if classes else f"add it to environments/{ctx.env_name}.yaml spec.gpuClasses"
                yield where + ("gpu", "class"), f"GPU class {gpu.class_!r} of {what} is not defined in environment {ctx.env_name!r}", known
            elif gpu_class.max_per_pod is not None and gpu.count > gpu_class.max_per_pod:
                yield where + ("gpu", "count"), f"{gpu.count} GPUs of class {gpu.class_!r} per pod of {what}, the class allows {gpu_class.max_per_pod}", f"ask for at most {gpu_class.max_per_pod}"
        resources = group.resources
        for name in sorted({**resources.requests, **resources.limits} if resources else {}):
            if upstream.is_gpu_resource(name) and str(resources.requests.get(name)) != str(resources.limits.get(name)):
                yield where + ("resources",), f"{name} of {what} is requested {resources.requests.get(name)} but limited {resources.limits.get(name)}", "use gpu: {class: ..., count: ...}, or make requests equal limits"


@rule("RAY-03", "Ray GPUs come from the catalogue; requests equal limits", source="environment gpuClasses; Kubernetes extended resources; KubeRay GPU autodetection")
def ray_gpus(ctx: RuleContext) -> Iterator[Finding]:
    """A Ray group (head or workers) asks for GPUs with `gpu: {class, count}` from the
    environment's catalogue, within `maxPerPod`; Inferplane writes the same count to requests and
    limits (Kubernetes refuses them unequal) and the class's placement. A GPU written in
    `resources` must be equal in both. Checked for a RayService's cluster and for each of the
    environment's `rayClusters`."""
    yield from _service_findings(_gpus, ctx)


@also_in_environment("RAY-03")
def ray_gpus_in_environment(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    yield from _environment_findings(_gpus, ctx)


def _sizes(at: tuple, shape: RayClusterShape, of: str, ctx) -> Iterator[tuple]:
    limits = shape.head.resources.limits if shape.head.resources else {}
    missing = [name for name in ("cpu", "memory") if name not in limits]
    if missing:
        yield at + ("head",), f"the Ray head{of} has no {' or '.join(missing)} limit", "set head.resources.limits cpu and memory (e.g. cpu: \"2\", memory: 8Gi)"
    for index, group in enumerate(shape.workers):
        where = at + ("workers", index)
        if group.min_replicas > group.max_replicas:
            yield where + ("minReplicas",), f"worker group {group.name!r}{of} has minReplicas {group.min_replicas} above maxReplicas {group.max_replicas}", f"lower minReplicas to {group.max_replicas} or raise maxReplicas"
        elif group.replicas is not None and not group.min_replicas <= group.replicas <= group.max_replicas:
            yield where + ("replicas",), f"worker group {group.name!r}{of} starts {group.replicas} workers, outside {group.min_replicas}..{group.max_replicas}", "set replicas between minReplicas and maxReplicas"


@rule("RAY-04", "the Ray head has CPU and memory limits; worker bounds are ordered", source="KubeRay docs (head pod sizing: the GCS and dashboard run there); RayCluster workerGroupSpecs min/max")
def ray_sizes(ctx: RuleContext) -> Iterator[Finding]:
    """The head runs Ray's GCS, the dashboard and the Serve controller: without CPU and memory
    limits it is the first pod evicted under pressure, and the whole cluster restarts. A worker
    group's minReplicas is at most its maxReplicas, and its replicas lie between them. Checked
    for a RayService's cluster and for each of the environment's `rayClusters`."""
    yield from _service_findings(_sizes, ctx)


@also_in_environment("RAY-04")
def ray_sizes_in_environment(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    yield from _environment_findings(_sizes, ctx)
