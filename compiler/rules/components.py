"""Rules of the transformer and explainer beside a predictor (docs/workloads.md)."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.components import service_components
from ..plan.modelmesh import MODE as MODELMESH
from ..plan.traffic import ROUTED_MODES, strategy
from .registry import Finding, RuleContext, rule


@rule("COMP-01", "a transformer or explainer runs exactly one server", source="KServe v1beta1 TransformerSpec, ExplainerSpec (ART)")
def component_server(ctx: RuleContext) -> Iterator[Finding]:
    """KServe has no built-in transformer: a transformer needs `container` (your image; KServe
    passes it the predictor's host). An explainer is either your `container` or KServe's built-in
    `art` explainer, never both: KServe refuses an explainer with two implementations."""
    for kind, component in service_components(ctx.service):
        at = ("spec", kind)
        art = getattr(component, "art", None)
        if component.container is None and art is None:
            what = "container (an image of your own) or art (KServe's ART explainer)" if kind == "explainer" else "container with the transformer's image"
            yield Finding(at, f"the {kind} has no server", f"add {what}")
        elif component.container is not None and art is not None:
            yield Finding(at + ("art",), "the explainer has both container and art", "keep one: container for your own explainer, art for KServe's")


@rule("COMP-02", "a component's replica bounds", source="KServe ComponentExtensionSpec; serving-rules §1")
def component_scaling(ctx: RuleContext) -> Iterator[Finding]:
    """A transformer or explainer scales on its own between `scaling.minReplicas` and
    `maxReplicas`: the lower bound may not exceed the upper one, and only Knative scales a
    component to zero (in Standard mode KServe's HPA stops at one replica)."""
    for kind, component in service_components(ctx.service):
        scaling = component.scaling
        at = ("spec", kind, "scaling")
        low, high = scaling.min_replicas, scaling.max_replicas
        if low is not None and low < 0:
            yield Finding(at + ("minReplicas",), f"the {kind}'s minReplicas is {low}", "use 0 or more")
        elif low is not None and high and low > high:
            yield Finding(at + ("minReplicas",), f"the {kind}'s minReplicas {low} is above its maxReplicas {high}", f"lower minReplicas to {high} or raise maxReplicas")
        elif low == 0 and ctx.service.spec.mode == "standard":
            yield Finding(at + ("minReplicas",), f"the {kind} cannot scale to zero in Standard mode", "set minReplicas: 1, or use mode: knative")


@rule("COMP-03", "transformers and explainers need pods of the service's own", source="serving-rules §2 (ModelMesh serves predictors only)")
def component_mode(ctx: RuleContext) -> Iterator[Finding]:
    """ModelMesh loads a model into shared runtime pods; it runs no transformer or explainer
    for it (KServe ignores them). Use mode knative or standard for a service with components."""
    if ctx.service.spec.mode != MODELMESH:
        return
    for kind, _component in service_components(ctx.service):
        yield Finding(("spec", kind), f"mode modelmesh runs no {kind}", f"remove the {kind}, or use mode knative or standard")


@rule("COMP-GPU", "a component's GPUs come from the environment's catalogue", source="environment gpuClasses; Kubernetes extended resources")
def component_gpu(ctx: RuleContext) -> Iterator[Finding]:
    """A transformer or explainer asks for GPUs with its own `gpu: {class, count}`, from the
    environment's `spec.gpuClasses` and within the class's `maxPerPod`, never in `resources`
    (a GPU there bypasses the class's node placement and the GPU budget)."""
    classes = ctx.environment.spec.gpu_classes
    for kind, component in service_components(ctx.service):
        at = ("spec", kind)
        if component.gpu is not None:
            gpu_class = classes.get(component.gpu.class_)
            if gpu_class is None:
                known = f"use one of: {', '.join(sorted(classes))}" if classes else f"add it to environments/{ctx.env_name}.yaml spec.gpuClasses"
                yield Finding(at + ("gpu", "class"), f"GPU class {component.gpu.class_!r} of the {kind} is not defined in environment {ctx.env_name!r}", known)
            elif gpu_class.max_per_pod is not None and component.gpu.count > gpu_class.max_per_pod:
                yield Finding(at + ("gpu", "count"), f"{component.gpu.count} GPUs of class {component.gpu.class_!r} per {kind} pod, the class allows {gpu_class.max_per_pod}", f"ask for at most {gpu_class.max_per_pod}")
        resources = component.resources
        for section in ("limits", "requests"):
            for name in sorted(getattr(resources, section) if resources else {}):
                if upstream.is_gpu_resource(name):
                    yield Finding(at + ("resources", section, name), f"the {kind} asks for {name} in resources", f"use {kind}.gpu with a class instead")


@rule("COMP-04", "a version's own transformer changes the service's, where KServe renders one per version", source="KServe v1beta1 canary (spec.canary[] holds predictors only, kserve#5672); ComponentExtensionSpec.canaryTrafficPercent")
def version_transformer(ctx: RuleContext) -> Iterator[Finding]:
    """`versions[].transformer` is what a version changes in `spec.transformer` (its image,
    resources…), merged onto it like a version's predictor. It needs a service transformer to
    change. A split service renders it in the version's own InferenceService, and Knative's native
    canary as the transformer's new revision with the version's weight; KServe's `spec.canary[]`
    (Standard mode, v0.20) holds predictors only, so a canary version's transformer there would
    silently be the stable one's: use `canaryStrategy: split`."""
    spec = ctx.service.spec
    chosen = strategy(ctx.service, ctx.environment) if spec.mode in ROUTED_MODES else None
    for index, version in enumerate(spec.versions):
        if version.transformer is None:
            continue
        at = ("spec", "versions", index, "transformer")
        if spec.transformer is None:
            yield Finding(at, f"version {version.name!r} changes a transformer the service does not have", "add spec.transformer (every version shares it), or remove the version's transformer")
        elif chosen == "canary" and index > 0:
            yield Finding(at, f"version {version.name!r} is one of KServe's spec.canary[], which holds predictors only: its transformer would not be rendered", "set canaryStrategy: split (an InferenceService per version), or remove the version's transformer")
