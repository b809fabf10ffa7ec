"""Which serving-runtime image KServe runs for a predictor `model`, offline.

KServe picks the runtime at reconcile time, so the image is in no manifest the compiler renders.
This module repeats KServe's choice so the image list and the digest rules can name it.

Sources (kserve/kserve):
- the default ClusterServingRuntimes: config/runtimes/kserve-*.yaml (formats, priorities,
  protocols) and config/runtimes/kustomization.yaml `images:` (names and tags); KServe's own
  servers are tagged with the release (v0.15.2 in v0.15.2); the third-party tags below are the
  ones charts/kserve-resources (v0.14.0, v0.15.2) and charts/kserve-runtime-configs (v0.16.0) set;
- selection: pkg/apis/serving/v1beta1/predictor_model.go GetSupportingRuntimes — runtimes of the
  namespace before cluster runtimes, each group sorted by `priority` (higher first), a runtime
  qualifies when it is enabled, single-model, supports the protocol (default v1) and lists the
  format (`name` or `name:version`) with autoSelect, unless the model names its runtime;
- image: pkg/controller/v1beta1/inferenceservice/utils/utils.go UpdateImageTag — `runtimeVersion`
  replaces the tag; without it, a GPU predictor on kserve-tensorflow-serving or kserve-torchserve
  gets the `-gpu` variant of the tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.image_ref import InvalidReference, parse, with_tag
from ..upstream import is_gpu_resource
from .kserve_versions import KServeRelease

RUNTIME_KINDS = ("ServingRuntime", "ClusterServingRuntime")
KSERVE_CONTAINER = "kserve-container"
GPU_TAGGED_RUNTIMES = ("kserve-tensorflow-serving", "kserve-torchserve")  # constants.TFServing, TorchServe
HUGGINGFACE_RUNTIME = "kserve-huggingfaceserver"  # from v0.12 (kserve_versions huggingface)


@dataclass(frozen=True)
class SupportedFormat:
    name: str
    version: str | None = None
    auto_select: bool = True
    priority: int | None = None


@dataclass(frozen=True)
class Runtime:
    name: str
    image: str
    formats: tuple[SupportedFormat, ...]
    protocols: tuple[str, ...]
    cluster_scoped: bool = True
    namespace: str = ""
    disabled: bool = False
    multi_model: bool = False
    source: str = ""  # where the definition came from, for people reading the image list

    def priority_for(self, format_name: str) -> int | None:
        return next((f.priority for f in self.formats if f.name == format_name and f.priority is not None), None)

    def supports(self, format_name: str, format_version: str | None, named: bool) -> bool:
        """KServe's label match: `mt:<name>` or `mt:<name>:<version>`, autoSelect unless named."""
        labels = set()
        for supported in self.formats:
            if named or supported.auto_select:
                labels.add(supported.name)
                if supported.version is not None:
                    labels.add(f"{supported.name}:{supported.version}")
        return (f"{format_name}:{format_version}" if format_version else format_name) in labels


def _formats(*entries: tuple) -> tuple[SupportedFormat, ...]:
    return tuple(SupportedFormat(*entry) for entry in entries)


# Third-party runtime tags per KServe minor release (charts of v0.14.0, v0.15.2, v0.16.0 agree).
_THIRD_PARTY_TAGS = {
    (0, 14): {"tensorflow/serving": "2.6.2", "pytorch/torchserve-kfs": "0.9.0", "nvcr.io/nvidia/tritonserver": "23.05-py3", "docker.io/seldonio/mlserver": "1.5.0"},
    (0, 15): {"tensorflow/serving": "2.6.2", "pytorch/torchserve-kfs": "0.9.0", "nvcr.io/nvidia/tritonserver": "23.05-py3", "docker.io/seldonio/mlserver": "1.5.0"},
    (0, 16): {"tensorflow/serving": "2.6.2", "pytorch/torchserve-kfs": "0.9.0", "nvcr.io/nvidia/tritonserver": "23.05-py3", "docker.io/seldonio/mlserver": "1.5.0"},
}

# (runtime name, image without tag, formats (name, version, autoSelect, priority), protocols).
_DEFAULT_RUNTIMES = (
    ("kserve-sklearnserver", "kserve/sklearnserver", _formats(("sklearn", "1", True, 1)), ("v1", "v2")),
    ("kserve-xgbserver", "kserve/xgbserver", _formats(("xgboost", "1", True, 1)), ("v1", "v2")),
    ("kserve-lgbserver", "kserve/lgbserver", _formats(("lightgbm", "3", True, 1)), ("v1", "v2")),
    (
        "kserve-mlserver",
        "docker.io/seldonio/mlserver",
        _formats(("sklearn", "0", True, 2), ("sklearn", "1", True, 2), ("xgboost", "1", True, 2), ("xgboost", "2", True, 2), ("lightgbm", "3", True, 2), ("lightgbm", "4", True, 2), ("mlflow", "1", True, 1), ("mlflow", "2", True, 1)),
        ("v2",),
    ),
    ("kserve-tensorflow-serving", "tensorflow/serving", _formats(("tensorflow", "1", True, 2), ("tensorflow", "2", True, 2)), ("v1", "grpc-v1")),
    ("kserve-torchserve", "pytorch/torchserve-kfs", _formats(("pytorch", "1", True, 2)), ("v1", "v2", "grpc-v2")),
    (
        "kserve-tritonserver",
        "nvcr.io/nvidia/tritonserver",
        _formats(("tensorrt", "8", True, 1), ("tensorflow", "1", True, 1), ("tensorflow", "2", True, 1), ("onnx", "1", True, 1), ("pytorch", "1", False, None), ("triton", "2", True, 1)),
        ("v2", "grpc-v2"),
    ),
    ("kserve-huggingfaceserver", "kserve/huggingfaceserver", _formats(("huggingface", "1", True, 1)), ("v2", "v1")),
)


def _release_tag(kserve_version: tuple[int, int, int]) -> str:
    return "v{}.{}.{}".format(*kserve_version)


def _third_party_tags(kserve_version: tuple[int, int, int]) -> dict[str, str]:
    """Tags of the nearest known release at or below the version (the oldest known below them)."""
    known = sorted(_THIRD_PARTY_TAGS)
    at_or_below = [minor for minor in known if minor <= kserve_version[:2]]
    return _THIRD_PARTY_TAGS[at_or_below[-1] if at_or_below else known[0]]


def default_runtimes(kserve_version: tuple[int, int, int], overrides: dict[str, str] | None = None) -> tuple[Runtime, ...]:
    """KServe's default ClusterServingRuntimes for a release; `overrides` replaces images by runtime name."""
    third_party = _third_party_tags(kserve_version)
    release = KServeRelease(kserve_version[:2])
    runtimes = []
    for name, image, formats, protocols in _DEFAULT_RUNTIMES:
        if name == HUGGINGFACE_RUNTIME and not release.has("huggingface"):
            continue
        tag = third_party.get(image, _release_tag(kserve_version))
        # Before ServingRuntimes (v0.8) the image of each framework field came from the
        # inferenceservice-config ConfigMap's `predictors`, not from a ClusterServingRuntime.
        kind = "default ClusterServingRuntime" if release.has("serving-runtime") else "inferenceservice-config predictor image (no ServingRuntimes before v0.8)"
        source = f"KServe {_release_tag(kserve_version)} {kind}"
        reference = f"{image}:{tag}"
        if overrides and name in overrides:
            reference, source = overrides[name], "environment spec.images.runtimes"
        runtimes.append(Runtime(name, reference, formats, protocols, source=source))
    # Runtimes of the cluster that KServe does not ship: known by name only (model.runtime picks them).
    defaults = {entry[0] for entry in _DEFAULT_RUNTIMES} | set(_IMPLIED_IMAGES)
    for name, reference in sorted((overrides or {}).items()):
        if name not in defaults:
            runtimes.append(Runtime(name, reference, (), ("v1", "v2", "grpc-v1", "grpc-v2"), source="environment spec.images.runtimes"))
    return tuple(runtimes)


def runtime_from_body(body: dict) -> Runtime | None:
    """A ServingRuntime or ClusterServingRuntime manifest as a Runtime (None if it has no kserve-container image)."""
    spec = body.get("spec") or {}
    containers = spec.get("containers") or []
    container = next((c for c in containers if c.get("name") == KSERVE_CONTAINER), containers[0] if containers else None)
    if not container or not isinstance(container.get("image"), str):
        return None
    formats = tuple(
        SupportedFormat(str(f.get("name", "")), str(f["version"]) if f.get("version") is not None else None, bool(f.get("autoSelect")), f.get("priority"))
        for f in spec.get("supportedModelFormats") or []
    )
    metadata = body.get("metadata") or {}
    return Runtime(
        name=metadata.get("name", ""),
        image=container["image"],
        formats=formats,
        protocols=tuple(spec.get("protocolVersions") or ("v1",)),
        cluster_scoped=body.get("kind") == "ClusterServingRuntime",
        namespace=metadata.get("namespace", "") or "",
        disabled=bool(spec.get("disabled")),
        multi_model=bool(spec.get("multiModel")),
        source=f"{body.get('kind')} rendered by this project",
    )


def _protocol_rank(runtime: Runtime) -> int:
    # GetProtocolVersionPriority: runtimes whose lowest protocol is older sort first (v1 < v2).
    order = {"v1": 1, "grpc-v1": 2, "v2": 3, "grpc-v2": 4}
    return min((order.get(p, 9) for p in runtime.protocols), default=9)


def _by_priority(runtimes: list[Runtime], format_name: str) -> list[Runtime]:
    """sortSupportedRuntimeByPriority: a priority beats none, a higher one beats a lower one.

    KServe pre-sorts by protocol, then creation time (unknown offline), then name; Python's sort is
    stable, so ties keep that order here.
    """

    def rank(runtime: Runtime) -> tuple[int, int]:
        priority = runtime.priority_for(format_name)
        return (1, 0) if priority is None else (0, -priority)

    return sorted(sorted(runtimes, key=lambda r: (_protocol_rank(r), r.name)), key=rank)


def default_protocol(format_name: str) -> str:
    """The protocol KServe assumes when a model sets none: v2 for triton (the webhook's default), else v1."""
    return "v2" if format_name == "triton" else "v1"


def select_runtime(model: dict, namespace: str, candidates: list[Runtime]) -> Runtime | None:
    """The runtime KServe would run `model` (an InferenceService predictor.model) with.

    `candidates`: the namespace's ServingRuntimes and the cluster's ClusterServingRuntimes, where a
    rendered runtime replaces a default of the same name.
    """
    model_format = model.get("modelFormat") or {}
    format_name, format_version = model_format.get("name", ""), model_format.get("version")
    in_namespace = [r for r in candidates if not r.cluster_scoped and r.namespace == namespace]
    cluster = [r for r in candidates if r.cluster_scoped]
    named = model.get("runtime")
    if named:
        # GetServingRuntime: the namespace's ServingRuntime of that name, else the ClusterServingRuntime.
        return next((r for r in in_namespace + cluster if r.name == named), None)
    protocol = model.get("protocolVersion") or default_protocol(format_name)
    for group in (in_namespace, cluster):
        qualified = [r for r in group if not r.disabled and not r.multi_model and protocol in r.protocols and r.supports(format_name, format_version, named=False)]
        if qualified:
            return _by_priority(qualified, format_name)[0]
    return None


def runtime_image(runtime: Runtime, model: dict) -> str:
    """The image KServe runs: the runtime's, with runtimeVersion as tag or the -gpu variant."""
    runtime_version = model.get("runtimeVersion")
    if runtime_version:
        return with_tag(runtime.image, str(runtime_version))
    limits = (model.get("resources") or {}).get("limits") or {}
    uses_gpu = any(is_gpu_resource(str(name)) for name in limits)
    try:
        parsed = parse(runtime.image)
    except InvalidReference:
        return runtime.image
    if uses_gpu and runtime.name in GPU_TAGGED_RUNTIMES and parsed.tag and not parsed.digest and not parsed.tag.endswith("-gpu"):
        return with_tag(runtime.image, f"{parsed.tag}-gpu")
    return runtime.image


# ---------------------------------------------------------------- images KServe fills in

# Objects that name no image of their own, whose image KServe's configuration supplies; the same
# environment `spec.images.runtimes` map overrides them by these names. (name → image, tag, where)
ART_EXPLAINER = "art-explainer"
LLM_TEMPLATE = "kserve-config-llm-template"
LLM_SCHEDULER = "kserve-config-llm-scheduler"
_IMPLIED_IMAGES: dict[str, tuple[str, str | None, str]] = {
    # inferenceservice-config `explainers.art`: image kserve/art-explainer, defaultImageVersion the release's tag.
    ART_EXPLAINER: ("kserve/art-explainer", None, "inferenceservice-config explainers.art"),
    # LLMInferenceServiceConfigs KServe ships (config/llmisvc/config-llm-template.yaml and
    # config-llm-scheduler.yaml, charts v0.16.0): vLLM run by llm-d, and llm-d's inference scheduler.
    LLM_TEMPLATE: ("ghcr.io/llm-d/llm-d", "0.0.8", "LLMInferenceServiceConfig kserve-config-llm-template (vLLM)"),
    LLM_SCHEDULER: ("ghcr.io/llm-d/llm-d-inference-scheduler", "v0.2.0", "LLMInferenceServiceConfig kserve-config-llm-scheduler"),
}


def implied_image(name: str, kserve_version: tuple[int, int, int], overrides: dict[str, str] | None = None) -> tuple[str, str]:
    """(image, where it comes from) of an image KServe fills in for an object that names none."""
    if overrides and name in overrides:
        return overrides[name], f"environment spec.images.runtimes {name}"
    image, tag, where = _IMPLIED_IMAGES[name]
    return f"{image}:{tag or _release_tag(kserve_version)}", f"KServe {_release_tag(kserve_version)} {where}"
