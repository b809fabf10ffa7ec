"""What a reviewer wants to know about one manifest, read into small `Fact`s.

Each fact is (topic, subject) → value, e.g. ("traffic", "canary weight") → 10. The summary
compares the facts of the two sides of a resource change; a fact absent on one side is `None`
there. Readers are picked by kind (`READERS_BY_KIND`); a few read every kind (`GENERIC_READERS`),
since images, GPUs and model URIs sit in pod specs that any custom resource may embed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .fact import Facts, Reader, put
from .fact import spec_of as _spec
from .facts_network import NETWORK_READERS

TOPICS = ("traffic", "replicas", "gpu", "model", "images", "hosts", "mtls", "authorization")

GPU_CLASS_ANNOTATION = "inferplane.dev/gpu-class"
# Alibaba ECI picks the GPU instance type from this annotation (see the elastic-GPU seed article).
ECI_SPECS_ANNOTATION = "k8s.aliyun.com/eci-use-specs"
KNATIVE_MIN_SCALE = "autoscaling.knative.dev/min-scale"
KNATIVE_MAX_SCALE = "autoscaling.knative.dev/max-scale"
KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
KSERVE_DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"


def facts_of(body: dict | None) -> Facts:
    facts: Facts = {}
    if not isinstance(body, dict):
        return facts
    kind = str(body.get("kind") or "")
    for reader in READERS_BY_KIND.get(kind, ()):
        reader(body, facts)
    for reader in GENERIC_READERS:
        reader(body, facts)
    return facts


# ------------------------------------------------------------------ traffic and replicas


def read_inference_service(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    # Serverless (Knative) versus RawDeployment/Standard changes who scales and routes the service.
    annotations = (body.get("metadata") or {}).get("annotations") or {}
    put(facts, "model", "deployment mode", annotations.get(KSERVE_DEPLOYMENT_MODE))
    for component in KSERVE_COMPONENTS:
        part = spec.get(component)
        if not isinstance(part, dict):
            continue
        prefix = "" if component == "predictor" else f"{component} "
        put(facts, "traffic", f"{prefix}canary weight", part.get("canaryTrafficPercent"), "%")
        put(facts, "replicas", f"{component} min replicas", part.get("minReplicas"))
        put(facts, "replicas", f"{component} max replicas", part.get("maxReplicas"))
    # KServe v0.20 `spec.canary`: the canary revisions kept in the manifest itself (kserve#2649).
    canaries = spec.get("canary")
    if isinstance(canaries, list):
        for index, canary in enumerate(canaries):
            if isinstance(canary, dict):
                put(facts, "traffic", f"canary #{index + 1} weight", canary.get("trafficPercent"), "%")


def read_virtual_service(body: dict, facts: Facts) -> None:
    for index, route in enumerate(_spec(body).get("http") or []):
        if not isinstance(route, dict):
            continue
        label = route.get("name") or f"#{index + 1}"
        destinations = [d for d in route.get("route") or [] if isinstance(d, dict)]
        for destination in destinations:
            target = destination.get("destination") or {}
            where = str(target.get("host") or "?")
            if target.get("subset"):
                where += f"/{target['subset']}"
            # Istio sends everything to a lone destination without a weight.
            weight = destination.get("weight", 100 if len(destinations) == 1 else 0)
            put(facts, "traffic", f"route {label} → {where} weight", weight, "%")


def read_knative_service(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    for index, target in enumerate(spec.get("traffic") or []):
        if not isinstance(target, dict):
            continue
        label = target.get("tag") or target.get("revisionName") or ("latest revision" if target.get("latestRevision") else f"#{index + 1}")
        put(facts, "traffic", f"traffic to {label}", target.get("percent"), "%")
    annotations = (((spec.get("template") or {}).get("metadata") or {}).get("annotations")) or {}
    put(facts, "replicas", "min scale", annotations.get(KNATIVE_MIN_SCALE))
    put(facts, "replicas", "max scale", annotations.get(KNATIVE_MAX_SCALE))


def read_hpa(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    put(facts, "replicas", "HPA min replicas", spec.get("minReplicas"))
    put(facts, "replicas", "HPA max replicas", spec.get("maxReplicas"))


def read_scaled_object(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    put(facts, "replicas", "KEDA min replicas", spec.get("minReplicaCount"))
    put(facts, "replicas", "KEDA max replicas", spec.get("maxReplicaCount"))


def read_fixed_replicas(body: dict, facts: Facts) -> None:
    put(facts, "replicas", "replicas", _spec(body).get("replicas"))


# ------------------------------------------------------------------ pod-level facts of any kind


def _walk(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every map in the document with its path, in document order."""
    if isinstance(value, dict):
        yield path, value
        for key, child in value.items():
            yield from _walk(child, path + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _walk(child, path + (index,))


def _where(path: tuple, node: dict) -> str:
    """A short name for a place in a pod spec: the container's name, else the last keys ("predictor.model")."""
    if isinstance(node.get("name"), str) and node["name"]:
        return node["name"]
    keys = [str(part) for part in path if isinstance(part, str) and part not in ("spec", "template")]
    return ".".join(keys[-2:]) or "spec"


def is_gpu_resource(name: str) -> bool:
    # nvidia.com/gpu, nvidia.com/mig-1g.5gb, amd.com/gpu, gpu.intel.com/i915, aliyun.com/gpu-mem, ...
    lowered = name.lower()
    return "gpu" in lowered or lowered.startswith(("nvidia.com/", "habana.ai/", "aws.amazon.com/neuron", "google.com/tpu"))


def read_gpus(body: dict, facts: Facts) -> None:
    for path, node in _walk(body):
        resources = node.get("resources")
        if isinstance(resources, dict):
            # Extended resources must have limits == requests; limits is where they are usually written.
            limits = resources.get("limits")
            amounts = limits if isinstance(limits, dict) else resources.get("requests")
            for resource_name, amount in sorted((amounts if isinstance(amounts, dict) else {}).items()):
                if is_gpu_resource(str(resource_name)):
                    put(facts, "gpu", f"{resource_name} on {_where(path, node)}", amount)
        selector = node.get("nodeSelector")
        if isinstance(selector, dict):
            for key, value in sorted(selector.items()):
                if "gpu" in key.lower() or "accelerator" in key.lower():
                    put(facts, "gpu", f"node selector {key}", value)
    classes = sorted({str(annotations[GPU_CLASS_ANNOTATION]) for annotations in _annotations(body) if GPU_CLASS_ANNOTATION in annotations})
    put(facts, "gpu", "GPU class", ", ".join(classes) or None)
    specs = sorted({str(annotations[ECI_SPECS_ANNOTATION]) for annotations in _annotations(body) if ECI_SPECS_ANNOTATION in annotations})
    put(facts, "gpu", "ECI instance type", ", ".join(specs) or None)


def _annotations(body: dict) -> Iterator[dict]:
    for path, node in _walk(body):
        if path and path[-1] == "metadata" and isinstance(node.get("annotations"), dict):
            yield node["annotations"]


def read_images(body: dict, facts: Facts) -> None:
    for path, node in _walk(body):
        if isinstance(node.get("image"), str):
            put(facts, "images", f"image of {_where(path, node)}", node["image"])


def read_models(body: dict, facts: Facts) -> None:
    for path, node in _walk(body):
        if isinstance(node.get("storageUri"), str):
            put(facts, "model", f"model URI of {_where(path, node)}", node["storageUri"])
        if isinstance(node.get("runtimeVersion"), str):
            put(facts, "model", f"runtime version of {_where(path, node)}", node["runtimeVersion"])


_WORKLOAD_READERS: dict[str, tuple[Reader, ...]] = {
    "InferenceService": (read_inference_service,),
    "VirtualService": (read_virtual_service,),
    "Service": (read_knative_service,),  # only Knative Services have spec.traffic and spec.template
    "HorizontalPodAutoscaler": (read_hpa,),
    "ScaledObject": (read_scaled_object,),
    "Deployment": (read_fixed_replicas,),
    "StatefulSet": (read_fixed_replicas,),
}
READERS_BY_KIND: dict[str, tuple[Reader, ...]] = {
    kind: _WORKLOAD_READERS.get(kind, ()) + NETWORK_READERS.get(kind, ()) for kind in sorted({*_WORKLOAD_READERS, *NETWORK_READERS})
}
GENERIC_READERS: tuple[Reader, ...] = (read_gpus, read_images, read_models)
