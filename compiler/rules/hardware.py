"""GPU rules: classes from the environment's catalogue, limits as Kubernetes requires (§6)."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.scaling import autoscaler_owner, replica_ceiling
from ..spec.models import parse_version
from .registry import Finding, RuleContext, rule

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
        known = f"use one of: {', '.join(sorted(classes))}; or add it" if classes else f"environment {ctx.env_name!r} defines no GPU classes: add one"
        yield Finding(GPU + ("class",), f"GPU class {gpu.class_!r} is not defined in environment {ctx.env_name!r}", f"{known} to environments/{ctx.env_name}.yaml spec.gpuClasses")
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


def _gpu_class(ctx: RuleContext):
    gpu = ctx.service.spec.hardware.gpu
    return None if gpu is None else ctx.environment.spec.gpu_classes.get(gpu.class_)


@rule("GPU-02", "a GPU service that scales to zero", severity="warning", source="kserve#1247, #3795")
def gpu_scale_to_zero(ctx: RuleContext) -> Iterator[Finding]:
    """A GPU service at minReplicas 0 (Knative mode or KEDA) starts cold: the new pod may wait
    for a GPU node and a large model download, and Knative can scale it away again before it is
    ready (progress deadline 10 minutes). Keep one replica warm unless cold starts are fine."""
    spec = ctx.service.spec
    if spec.hardware.gpu is None or spec.scaling.min_replicas != 0:
        return
    owner = autoscaler_owner(spec.scaling, spec.mode, ctx.kserve_version)
    if owner in ("knative-kpa", "keda"):  # the owners that really go to zero; an HPA stops at 1 (KS-15)
        yield Finding(("spec", "scaling", "minReplicas"), "this GPU service scales to zero: the first request waits for a GPU node and the model", "set minReplicas: 1 to keep one replica warm")


@rule("GPU-03", "Alibaba ECI burst annotations the cluster honours", severity="warning", source="ACK elastic inference docs (seed 004); serving-rules §6")
def eci_burst(ctx: RuleContext) -> Iterator[Finding]:
    """An elastic GPU class adds `alibabacloud.com/burst-resource` and
    `k8s.aliyun.com/eci-use-specs` to the predictor pods. ACK discontinued burst-resource for
    Kubernetes 1.24 and later (schedule to virtual nodes with the class's nodeSelector and
    tolerations, or an ECI profile, instead), and ECI tries at most 5 instance types."""
    gpu_class = _gpu_class(ctx)
    if gpu_class is None or gpu_class.elastic is None:
        return
    where = GPU + ("class",)
    kubernetes = parse_version(ctx.environment.spec.versions.kubernetes)
    if kubernetes >= upstream.ECI_BURST_DISCONTINUED_KUBERNETES:
        if any(toleration.key == upstream.VIRTUAL_NODE_TAINT for toleration in gpu_class.tolerations):
            hint = "the class's virtual-node toleration and nodeSelector place the pods; the annotation only matters on older clusters"
        else:
            hint = f"add a toleration for {upstream.VIRTUAL_NODE_TAINT} (and nodeSelector type: virtual-kubelet for ECI only) to the GPU class"
        yield Finding(where, f"{upstream.ECI_BURST_ANNOTATION} is discontinued on Kubernetes {ctx.environment.spec.versions.kubernetes} (>= 1.24)", hint)
    specs = gpu_class.elastic.eci_use_specs
    if len(specs) > upstream.ECI_USE_SPECS_MAX:
        yield Finding(where, f"GPU class {ctx.service.spec.hardware.gpu.class_!r} lists {len(specs)} ECI instance types; ECI uses at most {upstream.ECI_USE_SPECS_MAX}", f"keep the first {upstream.ECI_USE_SPECS_MAX} in environments/{ctx.env_name}.yaml")


@rule("GPU-BUDGET", "the GPUs a service can use fit its class's quota", source="environment gpuClasses.<class>.quota")
def gpu_budget(ctx: RuleContext) -> Iterator[Finding]:
    """Each environment may cap the GPUs of a class (`gpuClasses.<class>.quota`). A service at
    its most replicas uses maxReplicas × GPUs per replica; one that alone needs more than the
    quota, or has no upper bound (Knative without maxReplicas), cannot fit. The sum over all
    services of a class is checked per environment by `compiler.budget`."""
    gpu = ctx.service.spec.hardware.gpu
    gpu_class = _gpu_class(ctx)
    if gpu is None or gpu_class is None or gpu_class.quota is None:
        return
    spec = ctx.service.spec
    ceiling = replica_ceiling(spec.scaling, spec.mode, autoscaler_owner(spec.scaling, spec.mode, ctx.kserve_version))
    where = ("spec", "scaling", "maxReplicas")
    if ceiling is None:
        yield Finding(where, f"no upper bound on replicas, so no bound on {gpu_class.resource} of class {gpu.class_!r} (quota {gpu_class.quota})", "set maxReplicas")
    elif ceiling * gpu.count > gpu_class.quota:
        yield Finding(where, f"up to {ceiling} replicas × {gpu.count} GPU = {ceiling * gpu.count} GPUs of class {gpu.class_!r}, above the quota of {gpu_class.quota} in environment {ctx.env_name!r}", f"lower maxReplicas to {gpu_class.quota // gpu.count} or less, or raise the quota")
