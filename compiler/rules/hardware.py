"""GPU rules: classes from the environment's catalogue, limits as Kubernetes requires (§6)."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from . import Finding, RuleContext, rule

GPU = ("spec", "hardware", "gpu")


@rule("GPU-CLASS", "the GPU class exists in the environment's catalogue", source="environment gpuClasses")
def gpu_class_known(ctx: RuleContext) -> Iterator[Finding]:
    """A service asks for a GPU class by name; each environment defines its classes in
    `spec.gpuClasses`. A class missing in one environment fails that environment only."""
    gpu = ctx.service.spec.hardware.gpu
    if gpu is None:
        return
    classes = ctx.environment.spec.gpu_classes
    gpu_class = classes.get(gpu.class_)
    if gpu_class is None:
        known = ", ".join(sorted(classes)) or "none defined"
        yield Finding(GPU + ("class",), f"GPU class {gpu.class_!r} is not defined in environment {ctx.env_name!r}", f"use one of: {known}; or add it to environments/{ctx.env_name}.yaml spec.gpuClasses")
    elif gpu_class.max_per_pod is not None and gpu.count > gpu_class.max_per_pod:
        yield Finding(GPU + ("count",), f"{gpu.count} GPUs of class {gpu.class_!r} per pod, the class allows {gpu_class.max_per_pod}", f"ask for at most {gpu_class.max_per_pod}")


@rule("GPU-01", "GPU resources as limits only, or requests equal to limits", source="Kubernetes extended resources; NVIDIA device plugin")
def gpu_limits(ctx: RuleContext) -> Iterator[Finding]:
    """Extended resources such as nvidia.com/gpu cannot be overcommitted: set them in limits;
    requests, if given, must equal limits. Ask for GPUs with `hardware.gpu` rather than in
    `resources`, and at most one MIG profile per container."""
    resources = ctx.service.spec.predictor.resources
    if resources is None:
        return
    where = ("spec", "predictor", "resources")
    for name, value in resources.requests.items():
        if upstream.is_gpu_resource(name) and str(resources.limits.get(name)) != str(value):
            yield Finding(where + ("requests", name), f"{name} is requested ({value}) but limits say {resources.limits.get(name)}", f"set limits.{name} equal to the request, or use hardware.gpu")
    mig = sorted(name for name in {**resources.requests, **resources.limits} if name.startswith("nvidia.com/mig-"))
    if len(mig) > 1:
        yield Finding(where + ("limits",), f"more than one MIG profile in one container: {', '.join(mig)}", "use one MIG profile per container")
    if ctx.service.spec.hardware.gpu and any(upstream.is_gpu_resource(n) for n in {**resources.requests, **resources.limits}):
        yield Finding(where + ("limits",), "GPUs asked for both in hardware.gpu and in resources", "keep hardware.gpu and remove the GPU resource from resources")
