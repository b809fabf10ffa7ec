"""Rules of a `mode: ray` service, a KubeRay RayService (docs/workloads.md; the KubeRay + KServe
seed): rayStartParams as strings, GPUs from the catalogue with requests = limits, a head with
resource limits, worker bounds."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.ray import MODE
from .llm import workload_block
from .registry import Finding, RuleContext, rule

RAY = ("spec", "ray")


@rule("RAY-01", "a Ray Serve app is `mode: ray` with a `ray` block and nothing of a predictor", source="KubeRay RayService v1")
def ray_service(ctx: RuleContext) -> Iterator[Finding]:
    """`mode: ray` renders a KubeRay RayService from the `ray` block: its own Ray cluster runs
    the Serve application, so there is no predictor, transformer, explainer or versions."""
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


def _groups(ctx: RuleContext):
    ray = ctx.service.spec.ray
    if ray is None:
        return
    yield RAY + ("head",), "the head", ray.head, None
    for index, group in enumerate(ray.workers):
        yield RAY + ("workers", index), f"worker group {group.name!r}", group, group.gpu


@rule("RAY-02", "rayStartParams are strings, and num-gpus agrees with the group's GPUs", source="KubeRay RayCluster rayStartParams map[string]string; the KubeRay + KServe seed (num-gpus: 1 unquoted)")
def ray_start_params(ctx: RuleContext) -> Iterator[Finding]:
    """KubeRay's rayStartParams is a map of strings: `num-gpus: 1` is refused by the API server
    (write `"1"`). A group's `num-gpus` that differs from its `gpu.count` makes Ray schedule on
    GPUs the pod does not have, or leave some idle."""
    for at, what, group, gpu in _groups(ctx):
        for key, value in group.start_params.items():
            if not isinstance(value, str):
                yield Finding(at + ("startParams", key), f"rayStartParams {key} of {what} is {value!r}, not a string", f"quote it: {key}: \"{str(value).lower() if isinstance(value, bool) else value}\"")
            elif key == "num-gpus" and gpu is not None and value.strip() != str(gpu.count):
                yield Finding(at + ("startParams", key), f"num-gpus {value!r} of {what} differs from its {gpu.count} GPU(s)", f"set num-gpus: \"{gpu.count}\", or leave it out (Ray counts the container's GPUs)")


@rule("RAY-03", "Ray GPUs come from the catalogue; requests equal limits", source="environment gpuClasses; Kubernetes extended resources; KubeRay GPU autodetection")
def ray_gpus(ctx: RuleContext) -> Iterator[Finding]:
    """A worker group asks for GPUs with `gpu: {class, count}` from the environment's catalogue,
    within `maxPerPod`; Inferplane writes the same count to requests and limits (Kubernetes
    refuses them unequal). A GPU written in `resources` must be equal in both."""
    classes = ctx.environment.spec.gpu_classes
    for at, what, group, gpu in _groups(ctx):
        if gpu is not None:
            gpu_class = classes.get(gpu.class_)
            if gpu_class is None:
                known = f"use one of: {', '.join(sorted(classes))}" if classes else f"add it to environments/{ctx.env_name}.yaml spec.gpuClasses"
                yield Finding(at + ("gpu", "class"), f"GPU class {gpu.class_!r} of {what} is not defined in environment {ctx.env_name!r}", known)
            elif gpu_class.max_per_pod is not None and gpu.count > gpu_class.max_per_pod:
                yield Finding(at + ("gpu", "count"), f"{gpu.count} GPUs of class {gpu.class_!r} per pod of {what}, the class allows {gpu_class.max_per_pod}", f"ask for at most {gpu_class.max_per_pod}")
        resources = group.resources
        for name in sorted({**resources.requests, **resources.limits} if resources else {}):
            if upstream.is_gpu_resource(name) and str(resources.requests.get(name)) != str(resources.limits.get(name)):
                yield Finding(at + ("resources",), f"{name} of {what} is requested {resources.requests.get(name)} but limited {resources.limits.get(name)}", "use gpu: {class: ..., count: ...}, or make requests equal limits")


@rule("RAY-04", "the Ray head has CPU and memory limits; worker bounds are ordered", source="KubeRay docs (head pod sizing: the GCS and dashboard run there); RayCluster workerGroupSpecs min/max")
def ray_sizes(ctx: RuleContext) -> Iterator[Finding]:
    """The head runs Ray's GCS, the dashboard and the Serve controller: without CPU and memory
    limits it is the first pod evicted under pressure, and the whole cluster restarts. A worker
    group's minReplicas is at most its maxReplicas, and its replicas lie between them."""
    ray = ctx.service.spec.ray
    if ray is None:
        return
    limits = ray.head.resources.limits if ray.head.resources else {}
    missing = [name for name in ("cpu", "memory") if name not in limits]
    if missing:
        yield Finding(RAY + ("head",), f"the Ray head has no {' or '.join(missing)} limit", "set head.resources.limits cpu and memory (e.g. cpu: \"2\", memory: 8Gi)")
    for index, group in enumerate(ray.workers):
        at = RAY + ("workers", index)
        if group.min_replicas > group.max_replicas:
            yield Finding(at + ("minReplicas",), f"worker group {group.name!r} has minReplicas {group.min_replicas} above maxReplicas {group.max_replicas}", f"lower minReplicas to {group.max_replicas} or raise maxReplicas")
        elif group.replicas is not None and not group.min_replicas <= group.replicas <= group.max_replicas:
            yield Finding(at + ("replicas",), f"worker group {group.name!r} starts {group.replicas} workers, outside {group.min_replicas}..{group.max_replicas}", "set replicas between minReplicas and maxReplicas")
