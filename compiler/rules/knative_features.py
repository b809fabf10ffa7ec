"""KS-26: pod settings that Knative Serving accepts only behind a config-features flag."""

from __future__ import annotations

from typing import Iterator

from .registry import Finding, RuleContext, rule

PREDICTOR = ("spec", "predictor")
POD = PREDICTOR + ("pod",)
# knative/serving config/core/configmaps/features.yaml: each flag is "disabled" by default, and
# Knative's webhook then rejects the Service whose pod spec has the field (fieldmask.go).
AFFINITY = "kubernetes.podspec-affinity"
SECURITY_CONTEXT = "kubernetes.podspec-securitycontext"
PRIORITY_CLASS = "kubernetes.podspec-priorityclassname"
PVC = "kubernetes.podspec-persistent-volume-claim"
PVC_WRITE = "kubernetes.podspec-persistent-volume-write"
NODE_SELECTOR = "kubernetes.podspec-nodeselector"
TOLERATIONS = "kubernetes.podspec-tolerations"
RUNTIME_CLASS = "kubernetes.podspec-runtimeclassname"
GPU_CLASS = ("spec", "hardware", "gpu", "class")


def _needed_flags(ctx: RuleContext) -> Iterator[tuple[tuple, str, str]]:
    """(key path, what the service sets, the flag it needs) for each gated pod setting."""
    predictor = ctx.service.spec.predictor
    if predictor.pod.affinity:
        yield POD + ("affinity",), "affinity", AFFINITY
    if predictor.pod.fs_group is not None:
        yield POD + ("fsGroup",), "a pod securityContext (fsGroup)", SECURITY_CONTEXT
    if predictor.pod.priority_class_name:
        yield POD + ("priorityClassName",), "priorityClassName", PRIORITY_CLASS
    yield from _gpu_placement_flags(ctx)
    for index, volume in enumerate(predictor.volumes):
        if volume.pvc is None:
            continue
        at = PREDICTOR + ("volumes", index)
        yield at + ("pvc",), f"the PersistentVolumeClaim volume {volume.name!r}", PVC
        if not volume.read_only:
            yield at, f"a writable mount of the PersistentVolumeClaim volume {volume.name!r}", PVC_WRITE


def _gpu_placement_flags(ctx: RuleContext) -> Iterator[tuple[tuple, str, str]]:
    """The placement a GPU class puts on the predictor's pods (emit/kserve.py)."""
    gpu = ctx.service.spec.hardware.gpu
    gpu_class = ctx.environment.spec.gpu_classes.get(gpu.class_) if gpu is not None else None
    if gpu_class is None:
        return  # GPU-CLASS
    for present, what, flag in ((gpu_class.node_selector, "nodeSelector", NODE_SELECTOR), (gpu_class.tolerations, "tolerations", TOLERATIONS), (gpu_class.runtime_class_name, "runtimeClassName", RUNTIME_CLASS)):
        if present:
            yield GPU_CLASS, f"the GPU class's {what}", flag


@rule("KS-26", "a Knative-mode pod setting needs its Knative config-features flag", severity="warning", source="knative/serving config/core/configmaps/features.yaml; Knative docs, feature and extension flags")
def knative_feature_flags(ctx: RuleContext) -> Iterator[Finding]:
    """Knative Serving accepts only a portable subset of the pod spec: affinity, a pod
    securityContext (fsGroup), priorityClassName, PersistentVolumeClaim volumes (and writing to
    them), and the nodeSelector, tolerations and runtimeClassName a GPU class places the pods
    with each need a flag in the `config-features` ConfigMap of knative-serving
    (`kubernetes.podspec-affinity`, `kubernetes.podspec-securitycontext`,
    `kubernetes.podspec-priorityclassname`, `kubernetes.podspec-persistent-volume-claim`,
    `kubernetes.podspec-persistent-volume-write`, `kubernetes.podspec-nodeselector`,
    `kubernetes.podspec-tolerations`, `kubernetes.podspec-runtimeclassname`), all disabled by
    default. Without the flag Knative's webhook rejects the revision and the InferenceService
    never becomes ready, which no schema shows. The environment lists the flags its cluster
    enables in `knative.features`; a Knative-mode service that sets a field whose flag is not
    listed gets a warning at the field."""
    if ctx.service.spec.mode != "knative":
        return
    enabled = set(ctx.environment.spec.knative.features)
    for at, what, flag in _needed_flags(ctx):
        if flag not in enabled:
            alternative = "mount the volume `readOnly: true`" if flag == PVC_WRITE else "run the service in `mode: standard`"
            yield Finding(at, f"Knative Serving rejects {what} unless config-features enables {flag}, and environment {ctx.env_name!r} does not list it", f"enable `{flag}` in knative-serving's config-features and add it to the environment's knative.features, or {alternative}")
