"""Every container image an environment runs, from its rendered manifests (pure).

Two kinds of images:
- written in a manifest: any `image` of a `containers` or `initContainers` list, whatever the
  object (InferenceService containers, ServingRuntimes, Jobs, Deployments);
- implied by one: a predictor `model` names a format, and KServe runs the image of the serving
  runtime it picks (see kserve_runtimes.py) — the runtimes the project renders, else KServe's
  default ClusterServingRuntimes for the environment's KServe version.

With `spec.images.mirror`, `mirror_manifests` rewrites the images written in manifests, and the
list shows implied images under the mirror too, with the upstream reference to copy from.
Outputs: `rendered/<env>/images.yaml` (`images_file`) and the `inferplane images` reporters
(`render_images`: text, json, skopeo).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import PurePosixPath

from ..spec import image_ref
from ..plan import kserve_runtimes
from .manifest import Manifest
from ..errors import Location
from ..spec.models import Environment, parse_version
from ..upstream import DEPLOYMENT_MODE_ANNOTATION
from ..source.yaml_io import dump

IMAGES_FILE = "images.yaml"
IMAGE_FORMATS = ("text", "json", "skopeo")
_CONTAINER_LISTS = ("containers", "initContainers")


@dataclass(frozen=True)
class ImageRef:
    """One use of an image: which object and field use it, and which spec field set it."""

    image: str  # as the cluster pulls it: normalised, under the mirror when there is one
    source: str | None  # upstream reference to copy into the mirror; None: it lives only in the mirror
    service: str | None
    object: str  # "InferenceService ml-prod/sklearn-iris"
    pointer: str  # JSON pointer of the `image` field, or of `predictor/model` for a runtime image
    runtime: str | None = None  # for an image implied by a model: the runtime KServe picks, and why
    spec_field: Location | None = field(default=None, compare=False)

    @property
    def pinned(self) -> bool:
        try:
            return image_ref.parse(self.image).pinned
        except image_ref.InvalidReference:
            return False

    def to_dict(self, with_position: bool = True) -> dict:
        entry = {"image": self.image, "service": self.service, "object": self.object, "pointer": self.pointer}
        if self.source != self.image:
            entry["source"] = self.source
        if self.runtime:
            entry["runtime"] = self.runtime
        if self.spec_field is not None:
            # The committed list names the file only, relative to the project: line numbers would
            # churn on unrelated edits, and the working directory differs between machines.
            entry["specField"] = str(self.spec_field) if with_position else project_file(self.spec_field.path)
        return {key: value for key, value in entry.items() if value is not None}


def project_file(path: str) -> str:
    """`/home/me/fleet/services/iris.yaml` → `services/iris.yaml`, by the project layout:
    services/<file>, environments/<file>, overlays/<env>/<file>, overlays/<env>/patches/<file>."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    # Deepest first: an environment may be called "services".
    for depth, folder in ((4, "overlays"), (3, "overlays"), (2, "services"), (2, "environments")):
        if len(parts) >= depth and parts[-depth] == folder and (depth != 4 or parts[-2] == "patches"):
            return "/".join(parts[-depth:])
    return parts[-1] if parts else path


def _escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _container_images(node: object, pointer: str = "") -> Iterator[tuple[str, dict]]:
    """(pointer of the container, container) for every container list anywhere in the body."""
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{pointer}/{_escape(key)}"
            if key in _CONTAINER_LISTS and isinstance(value, list):
                for index, container in enumerate(value):
                    if isinstance(container, dict) and isinstance(container.get("image"), str):
                        yield f"{child}/{index}", container
            yield from _container_images(value, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _container_images(item, f"{pointer}/{index}")


# Pure functions of strings, called once per container of every manifest (13,000 parses for 1,000
# services x 3 environments, most of them of the same few images): each image parsed once per run.
@lru_cache(maxsize=4096)
def _normalised(reference: str) -> str:
    try:
        return str(image_ref.parse(reference))
    except image_ref.InvalidReference:
        return reference  # validation reports the manifest; the list shows what is written


@lru_cache(maxsize=4096)
def _upstream(reference: str, mirror: str | None) -> str | None:
    try:
        return image_ref.upstream_of(reference, mirror)
    except image_ref.InvalidReference:
        return reference


def _runtimes(manifests: list[Manifest], env: Environment) -> list[kserve_runtimes.Runtime]:
    """Rendered runtimes, plus KServe's defaults that no rendered ClusterServingRuntime replaces."""
    rendered = [r for m in manifests if m.kind in kserve_runtimes.RUNTIME_KINDS for r in [kserve_runtimes.runtime_from_body(m.body)] if r]
    replaced = {r.name for r in rendered if r.cluster_scoped}
    defaults = kserve_runtimes.default_runtimes(parse_version(env.spec.versions.kserve), env.spec.images.runtimes)
    return rendered + [r for r in defaults if r.name not in replaced]


def _predictor_models(manifest: Manifest) -> Iterator[tuple[str, dict]]:
    if manifest.kind != "InferenceService":
        return
    annotations = (manifest.body.get("metadata") or {}).get("annotations") or {}
    if annotations.get(DEPLOYMENT_MODE_ANNOTATION) == "ModelMesh":
        return  # its runtime's image is written in a rendered ServingRuntime, listed as a container
    model = ((manifest.body.get("spec") or {}).get("predictor") or {}).get("model")
    if isinstance(model, dict):
        yield "/spec/predictor/model", model


def _implied(manifest: Manifest) -> Iterator[tuple[str, str]]:
    """(pointer, implied image name) of each part of the object whose image KServe fills in: the
    ART explainer, and an LLMInferenceService's vLLM container and scheduler without an image."""
    spec = manifest.body.get("spec") or {}
    if manifest.kind == "InferenceService" and isinstance((spec.get("explainer") or {}).get("art"), dict):
        yield "/spec/explainer/art", kserve_runtimes.ART_EXPLAINER
    if manifest.kind == "LLMInferenceService":
        for pool in ("", "/prefill"):
            body = spec if not pool else spec.get("prefill")
            containers = ((body or {}).get("template") or {}).get("containers") or [] if isinstance(body, dict) else []
            if isinstance(body, dict) and not any(isinstance(c, dict) and c.get("image") for c in containers):
                yield f"/spec{pool}/template", kserve_runtimes.LLM_TEMPLATE
        if isinstance((spec.get("router") or {}).get("scheduler"), dict):
            yield "/spec/router/scheduler", kserve_runtimes.LLM_SCHEDULER


def runtime_of(model: dict, namespace: str, runtimes: list[kserve_runtimes.Runtime]) -> tuple[str, str] | None:
    """(image, description of the runtime) KServe runs for a predictor model, or None if none qualifies."""
    runtime = kserve_runtimes.select_runtime(model, namespace, runtimes)
    if runtime is None:
        return None
    return kserve_runtimes.runtime_image(runtime, model), f"{runtime.name} ({runtime.source})"


def list_images(manifests: list[Manifest], env: Environment) -> list[ImageRef]:
    """Every image use of the environment, sorted by image then object: deterministic."""
    mirror = env.spec.images.mirror
    runtimes = _runtimes(manifests, env)
    found: list[ImageRef] = []
    for manifest in manifests:
        for pointer, container in _container_images(manifest.body):
            image = _normalised(container["image"])
            found.append(ImageRef(image, _upstream(image, mirror), manifest.service, manifest.display_name, f"{pointer}/image", spec_field=manifest.origin_of(f"{pointer}/image")))
        for pointer, model in _predictor_models(manifest):
            picked = runtime_of(model, manifest.namespace, runtimes)
            if picked is None:
                continue  # no runtime qualifies: KServe cannot serve it either (rule IMG-02 says so)
            upstream, runtime = picked
            image = _normalised(image_ref.mirrored(upstream, mirror) if _parses(upstream) else upstream)
            found.append(ImageRef(image, _upstream(image, mirror), manifest.service, manifest.display_name, pointer, runtime, manifest.origin_of(pointer)))
        for pointer, name in _implied(manifest):
            upstream, where = kserve_runtimes.implied_image(name, parse_version(env.spec.versions.kserve), env.spec.images.runtimes)
            image = _normalised(image_ref.mirrored(upstream, mirror) if _parses(upstream) else upstream)
            found.append(ImageRef(image, _upstream(image, mirror), manifest.service, manifest.display_name, pointer, where, manifest.origin_of(pointer)))
    return sorted(set(found), key=lambda ref: (ref.image, ref.object, ref.pointer))


def mirror_manifests(manifests: list[Manifest], mirror: str | None) -> list[Manifest]:
    """The manifests with every container image under the mirror (unchanged without one)."""
    if not mirror:
        return manifests
    result = []
    for manifest in manifests:
        body = json.loads(json.dumps(manifest.body))  # a deep copy: manifests are shared data
        changed = False
        for _pointer, container in _container_images(body):
            rewritten = image_ref.mirrored(container["image"], mirror) if _parses(container["image"]) else container["image"]
            changed |= rewritten != container["image"]
            container["image"] = rewritten
        result.append(replace(manifest, body=body) if changed else manifest)
    return result


def _parses(reference: str) -> bool:
    try:
        image_ref.parse(reference)
        return True
    except image_ref.InvalidReference:
        return False


# ---------------------------------------------------------------- outputs


def images_file(manifests: list[Manifest], env: Environment) -> bytes:
    """`rendered/<env>/images.yaml`: every image use, for review, mirroring and `inferplane diff`."""
    entries = [ref.to_dict(with_position=False) for ref in list_images(manifests, env)]
    header = f"# Images of environment {env.metadata.name}, listed by inferplane compile. Do not edit.\n"
    return (header + dump({"images": entries}, keep_order=True)).encode("utf-8")


def _skopeo_sync(images: list[ImageRef]) -> dict:
    """`skopeo sync --src yaml` input: registry → images → repository → tags and digests."""
    registries: dict[str, dict[str, set[str]]] = {}
    for ref in images:
        if ref.source is None:
            continue
        try:
            parsed = image_ref.parse(ref.source)
        except image_ref.InvalidReference:
            continue
        # A digest names the exact bytes; a reference with tag and digest is copied by digest.
        version = parsed.digest or parsed.tag or "latest"
        registries.setdefault(parsed.registry, {}).setdefault(parsed.repository, set()).add(version)
    return {
        registry: {"images": {repository: sorted(versions) for repository, versions in sorted(repositories.items())}}
        for registry, repositories in sorted(registries.items())
    }


def render_images(images: list[ImageRef], output_format: str) -> str:
    """text: one image per line, sorted, unique; json: every use with its origin; skopeo: sync YAML."""
    if output_format == "text":
        unique = sorted({ref.image for ref in images})
        return "".join(f"{image}\n" for image in unique)
    if output_format == "json":
        return json.dumps({"images": [ref.to_dict() for ref in images]}, indent=2, sort_keys=True) + "\n"
    if output_format == "skopeo":
        return dump(_skopeo_sync(images), keep_order=True)
    raise ValueError(f"unknown image list format {output_format!r} (use one of {', '.join(IMAGE_FORMATS)})")
