"""ModelMesh: facts about kserve/modelmesh-serving and Alibaba ASM, and the decisions the rules,
the lowering and the emitters share (serving-rules §2, §7 MM-01..MM-05).

Sources (each checkable):
- MMS docs/predictors/setup-storage.md: a PVC is mounted when listed in the `storage-config` Secret
  or when `allowAnyPVC` is on in `model-serving-config`; a model names it with
  `storage.parameters {type: pvc, name}` and a `path`.
- MMS docs/production-use/scaling.md: runtime pods scale per ServingRuntime (`replicas`, else
  `podsPerRuntime`); an InferenceService has no replicas of its own.
- MMS: the `modelmesh-serving` Service of a ModelMesh namespace serves gRPC on 8033 and REST on
  8008 (InferenceService URL grpc://modelmesh-serving.<ns>:8033).
- KServe predictor_model.go GetSupportingRuntimes (multi-model runtimes for ModelMesh, auto-select
  by format label, higher priority first) and servingruntime_webhook.go (MM-03).
- ASM "Dynamic subset routing" and the ModelMesh seed (../shared/seeds/001_*.txt): runtime pods
  carry the label `modelmesh.asm.alibabacloud.com` naming their loaded models; ASM >= 1.21.6.47.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from . import kserve_runtimes
from .. import upstream
from ..spec.models import Environment, ModelRef
from ..spec.modelmesh import ModelMeshRuntime

MODE = "modelmesh"
SERVICE_NAME = "modelmesh-serving"
GRPC_PORT = 8033
REST_PORT = 8008
ASM_MODEL_LABEL = "modelmesh.asm.alibabacloud.com"
ASM_DYNAMIC_SUBSET_RELEASE = (1, 21, 6, 47)
PVC_STORAGE_TYPE = "pvc"
MODEL = ("spec", "predictor", "model")

RoutingKind = Literal["dynamic-subset", "plain"]


def is_modelmesh(mode: str | None) -> bool:
    return mode == MODE


def runtimes_of(env: Environment) -> list[ModelMeshRuntime]:
    return list(env.spec.modelmesh.runtimes) if env.spec.modelmesh else []


# ---------------------------------------------------------------- which runtime serves a model (MM-01)


def lists_format(runtime: ModelMeshRuntime, format_name: str, format_version: str | None, named: bool) -> bool:
    """KServe's format label match: the name (and the version, when the model gives one); a model
    that names no runtime only lands on formats with autoSelect."""
    for supported in runtime.supported_model_formats:
        if supported.name.lower() != format_name.lower():
            continue
        if format_version is not None and supported.version != format_version:
            continue
        if named or supported.auto_select:
            return True
    return False


def _priority(runtime: ModelMeshRuntime, format_name: str) -> int:
    found = [f.priority for f in runtime.supported_model_formats if f.name.lower() == format_name.lower() and f.priority is not None]
    return max(found, default=0)


@dataclass(frozen=True)
class RuntimeChoice:
    runtime: ModelMeshRuntime | None
    problem: str = ""  # why the model has no runtime: the rule's message
    hint: str = ""


def choose_runtime(model: ModelRef, runtimes: list[ModelMeshRuntime]) -> RuntimeChoice:
    """The runtime ModelMesh places `model` on, or why there is none.

    A named runtime must be multi-model and list the format. Otherwise the multi-model runtimes
    that auto-select the format compete: the highest priority wins; KServe breaks ties by creation
    time, unknown offline, so ties go by name here (MM-03 rejects tied priorities)."""
    label = f"{model.format}:{model.format_version}" if model.format_version else model.format
    if model.runtime:
        runtime = next((r for r in runtimes if r.name == model.runtime), None)
        known = ", ".join(r.name for r in runtimes) or "none"
        if runtime is None:
            return RuntimeChoice(None, f"runtime {model.runtime!r} is not among the environment's ModelMesh runtimes", f"declare it in modelmesh.runtimes or name one of: {known}")
        if not runtime.multi_model:
            return RuntimeChoice(None, f"runtime {runtime.name!r} is not multi-model: ModelMesh cannot load models into it", "set multiModel: true on the runtime, or name a multi-model runtime")
        if not lists_format(runtime, model.format, model.format_version, named=True):
            return RuntimeChoice(None, f"runtime {runtime.name!r} does not list format {label}", "add the format to its supportedModelFormats, or name a runtime that lists it")
        return RuntimeChoice(runtime)
    candidates = [r for r in runtimes if r.multi_model and lists_format(r, model.format, model.format_version, named=False)]
    if not candidates:
        listing = [r.name for r in runtimes if lists_format(r, model.format, model.format_version, named=True)]
        hint = f"runtimes that list it without autoSelect or are single-model: {', '.join(listing)}; name a multi-model one with model.runtime" if listing else "add a multi-model runtime that lists it to modelmesh.runtimes"
        return RuntimeChoice(None, f"no ModelMesh runtime auto-selects format {label}", hint)
    ranked = sorted(candidates, key=lambda r: (-_priority(r, model.format), r.name))
    return RuntimeChoice(ranked[0])


def as_kserve_runtime(runtime: ModelMeshRuntime, namespace: str) -> kserve_runtimes.Runtime:
    """The runtime in the shape the image rules and the image list share."""
    formats = tuple(kserve_runtimes.SupportedFormat(f.name, f.version, bool(f.auto_select), f.priority) for f in runtime.supported_model_formats)
    return kserve_runtimes.Runtime(
        name=runtime.name,
        image=runtime.image,
        formats=formats,
        protocols=tuple(runtime.protocol_versions),
        cluster_scoped=False,
        namespace=namespace,
        multi_model=runtime.multi_model,
        source="environment spec.modelmesh.runtimes",
    )


# ---------------------------------------------------------------- PVCs (MM-02)


def claim_of(model: ModelRef) -> tuple[tuple, str] | None:
    """(key path, claim) of the PVC a model is read from: storage parameters or a pvc:// URI."""
    storage = model.storage
    if storage is not None and storage.parameters.get("type") == PVC_STORAGE_TYPE:
        return MODEL + ("storage", "parameters", "name"), storage.parameters.get("name", "")
    match = upstream.STORAGE_URI.match(model.storage_uri or "")
    if match and match["scheme"] == "pvc":
        return MODEL + ("storageUri",), match["rest"].split("/", 1)[0]
    return None


# ---------------------------------------------------------------- routing through the mesh (MM-04)


def dotted_version(text: str) -> tuple[int, ...]:
    """'1.21.6.47' -> (1, 21, 6, 47): ASM versions have four parts; a pre-release suffix is ignored."""
    return tuple(int(part) for part in re.findall(r"\d+", text.lstrip("v").split("-")[0]))


def routing_kind(env: Environment) -> RoutingKind | None:
    """How the environment reaches modelmesh-serving: dynamic subsets on ASM, a plain route on
    upstream Istio (which rejects the ASM fields), or not at all."""
    settings = env.spec.modelmesh
    if settings is None or settings.routing is None or env.spec.mesh is None:
        return None
    if settings.routing.dynamic_subset is not None and env.spec.mesh.provider == "asm":
        return "dynamic-subset"
    return "plain"
