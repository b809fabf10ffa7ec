"""Image rules: digests where the environment requires them, a runtime for every model, and
Knative's tag resolution (serving-rules §7 KS-23, §8 kserve#993).

The images are those a service sets or implies: its custom container, the serving-runtime image
KServe picks for its model (KServe's defaults for the environment's version, or the environment's
`spec.images.runtimes`), and its smoke test Job. `inferplane images` lists the same images from
the rendered manifests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..spec import image_ref
from ..plan import kserve_runtimes, modelmesh
from .registry import Finding, RuleContext, rule

PREDICTOR = ("spec", "predictor")
MODEL = PREDICTOR + ("model",)
# Registries Knative's controller can read tags from without credentials.
PUBLIC_REGISTRIES = ("docker.io", "gcr.io", "ghcr.io", "quay.io", "nvcr.io", "registry.k8s.io", "public.ecr.aws", "mcr.microsoft.com")
# Knative config-deployment `registries-skipping-tag-resolving` default: never resolved.
KNATIVE_UNRESOLVED_REGISTRIES = ("kind.local", "ko.local", "dev.local")


@dataclass(frozen=True)
class ServiceImage:
    key_path: tuple
    image: str  # as the cluster pulls it (under the mirror, if any)
    what: str  # "container image", "runtime image of kserve-sklearnserver", ...
    runtime: kserve_runtimes.Runtime | None = None


def _model_as_rendered(ctx: RuleContext) -> dict:
    """The parts of the rendered predictor.model that pick the runtime and its image."""
    model = ctx.service.spec.predictor.model
    assert model is not None
    limits = dict(ctx.service.spec.predictor.resources.limits) if ctx.service.spec.predictor.resources else {}
    gpu = ctx.service.spec.hardware.gpu
    gpu_class = ctx.environment.spec.gpu_classes.get(gpu.class_) if gpu else None
    if gpu_class is not None:
        limits[gpu_class.resource] = gpu.count
    return {
        "modelFormat": {"name": model.format, "version": model.format_version},
        "runtime": model.runtime,
        "runtimeVersion": model.runtime_version,
        "protocolVersion": model.protocol_version,
        "resources": {"limits": limits},
    }


def _runtime(ctx: RuleContext) -> kserve_runtimes.Runtime | None:
    if modelmesh.is_modelmesh(ctx.service.spec.mode):
        # ModelMesh runs the environment's own runtimes; MM-01 reports a model with none.
        chosen = modelmesh.choose_runtime(ctx.service.spec.predictor.model, modelmesh.runtimes_of(ctx.environment)).runtime
        return modelmesh.as_kserve_runtime(chosen, ctx.environment.spec.namespace) if chosen else None
    runtimes = kserve_runtimes.default_runtimes(ctx.kserve_version, ctx.environment.spec.images.runtimes)
    return kserve_runtimes.select_runtime(_model_as_rendered(ctx), ctx.environment.spec.namespace, list(runtimes))


def _pulled(reference: str, ctx: RuleContext) -> str:
    try:
        return str(image_ref.parse(image_ref.mirrored(reference, ctx.environment.spec.images.mirror)))
    except image_ref.InvalidReference:
        return reference


def service_images(ctx: RuleContext) -> Iterator[ServiceImage]:
    spec = ctx.service.spec
    if spec.predictor.container is not None:
        yield ServiceImage(PREDICTOR + ("container", "image"), _pulled(spec.predictor.container.image, ctx), "container image")
    if spec.predictor.model is not None:
        runtime = _runtime(ctx)
        if runtime is not None:
            image = kserve_runtimes.runtime_image(runtime, _model_as_rendered(ctx))
            key = MODEL + (("runtimeVersion",) if spec.predictor.model.runtime_version else ("format",))
            yield ServiceImage(key, _pulled(image, ctx), f"runtime image of {runtime.name}", runtime)
    gitops = ctx.environment.spec.gitops
    if spec.smoke_test.enabled and gitops is not None and gitops.tool == "argocd":
        yield ServiceImage(("spec", "smokeTest", "image"), _pulled(spec.smoke_test.image, ctx), "smoke test image")


def _pinned(reference: str) -> bool:
    try:
        return image_ref.parse(reference).pinned
    except image_ref.InvalidReference:
        return False


def _pin_hint(item: ServiceImage, ctx: RuleContext) -> str:
    env_file = f"environments/{ctx.env_name}.yaml"
    if item.runtime is not None and ctx.service.spec.predictor.model and ctx.service.spec.predictor.model.runtime_version:
        return f"runtimeVersion picks the runtime image by tag: remove it and pin the image in {env_file} spec.images.runtimes.{item.runtime.name}"
    if item.runtime is not None:
        return f"pin the image the cluster's {item.runtime.name} runs in {env_file}: spec.images.runtimes: {{{item.runtime.name}: <repository>@sha256:<digest>}}"
    return "write it as <repository>@sha256:<digest> (`skopeo inspect --format '{{.Digest}}' docker://<image>` prints it)"


@rule("IMG-01", "images are pinned by digest where the environment requires it", source="environment spec.images.requireDigests")
def digests_required(ctx: RuleContext) -> Iterator[Finding]:
    """With `spec.images.requireDigests: true` in the environment, every image a service runs
    must be referenced by digest (`repository@sha256:...`): a tag can be moved to other bytes after
    review, a digest cannot. This covers the custom container image, the serving-runtime image KServe
    picks for a model (pin it in the environment's `spec.images.runtimes`; `runtimeVersion` picks
    an image by tag) and the smoke test image."""
    if not ctx.environment.spec.images.require_digests:
        return
    for item in service_images(ctx):
        if not _pinned(item.image):
            yield Finding(item.key_path, f"{item.what} {item.image} is referenced by tag; environment {ctx.env_name!r} requires digests", _pin_hint(item, ctx))


@rule("IMG-02", "a serving runtime serves the model's format and protocol", severity="warning", source="KServe predictor_model.go GetSupportingRuntimes")
def runtime_known(ctx: RuleContext) -> Iterator[Finding]:
    """KServe serves a `model` with a runtime that lists its format (and version, if given) with
    autoSelect and supports its protocol (v1 unless set; v2 for triton). Among KServe's default
    runtimes none serves, for example, onnx with protocol v1: the InferenceService would report
    "no runtime found". A runtime of your own is named with `model.runtime` and its image given in
    the environment's `spec.images.runtimes`, so that the image list knows it."""
    model = ctx.service.spec.predictor.model
    if model is None or modelmesh.is_modelmesh(ctx.service.spec.mode) or _runtime(ctx) is not None:
        return  # MM-01 checks the runtime of a ModelMesh model
    if model.format == "huggingface" and not ctx.release.has("huggingface"):
        return  # KS-24: this KServe release has no Hugging Face server at all
    if model.runtime:
        yield Finding(MODEL + ("runtime",), f"runtime {model.runtime!r} is neither a KServe default runtime nor listed in the environment", f"add its image to environments/{ctx.env_name}.yaml spec.images.runtimes.{model.runtime}")
        return
    protocol = model.protocol_version or kserve_runtimes.default_protocol(model.format)
    label = f"{model.format}:{model.format_version}" if model.format_version else model.format
    others = [
        f"{r.name} with protocol {'/'.join(r.protocols)}"
        for r in kserve_runtimes.default_runtimes(ctx.kserve_version)
        if r.supports(model.format, model.format_version, named=False)
    ]
    hint = f"KServe's defaults serve it with: {', '.join(others)}; set model.protocolVersion" if others else "set model.runtime to a runtime that serves it"
    yield Finding(MODEL + ("format",), f"no serving runtime serves format {label} with protocol {protocol}", hint)


@rule("KS-23", "Knative can resolve the tag of a custom image, or it is pinned by digest", severity="warning", source="kserve#993")
def knative_tag_resolution(ctx: RuleContext) -> Iterator[Finding]:
    """In Knative mode, Knative's controller resolves an image tag to a digest when it creates a
    revision, reading the registry itself. From a private registry or a mirror without credentials
    for the controller this fails and the revision never becomes ready (kserve#993). Pin the custom
    container image by digest, or list the registry in Knative's `config-deployment`
    `registries-skipping-tag-resolving`."""
    container = ctx.service.spec.predictor.container
    images = ctx.environment.spec.images
    if ctx.service.spec.mode != "knative" or container is None or images.require_digests:
        return  # IMG-01 already demands the digest
    pulled = _pulled(container.image, ctx)
    try:
        registry = image_ref.parse(pulled).registry
    except image_ref.InvalidReference:
        return
    if _pinned(pulled) or registry in KNATIVE_UNRESOLVED_REGISTRIES:
        return
    if images.mirror or registry not in PUBLIC_REGISTRIES:
        yield Finding(PREDICTOR + ("container", "image"), f"Knative resolves the tag of {pulled} in private registry {registry} when it creates a revision", "pin the image by digest, or add the registry to Knative's registries-skipping-tag-resolving")

