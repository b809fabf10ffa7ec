"""ModelMesh rules (serving-rules §2, §7 MM-01..MM-05): a model lands on a multi-model runtime,
reads an allowed PVC, runtimes agree on priorities, ASM-only routing stays on ASM, and nothing is
set per model that only a runtime can have.

MM-03 and MM-04 check the environment's `modelmesh` settings; like every rule they run once per
service, so they report at the `spec.mode` of each ModelMesh service the environment renders.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import PurePath
from typing import Iterator

from .. import upstream
from ..plan.modelmesh import ASM_DYNAMIC_SUBSET_RELEASE, PVC_STORAGE_TYPE, choose_runtime, claim_of, dotted_version, is_modelmesh, runtimes_of
from ..spec.modelmesh import ModelMeshRuntime
from .registry import Finding, RuleContext, rule

MODE = ("spec", "mode")
PREDICTOR = ("spec", "predictor")
MODEL = PREDICTOR + ("model",)


def _env_file(ctx: RuleContext) -> str:
    return f"environments/{ctx.env_name}.yaml"


@rule("MM-01", "a ModelMesh model resolves to a multi-model runtime that lists its format", source="KServe predictor_model.go GetSupportingRuntimes; MMS docs/runtimes")
def runtime_resolves(ctx: RuleContext) -> Iterator[Finding]:
    """ModelMesh loads a model into a multi-model ServingRuntime (`multiModel: true`). A model
    that names its runtime (`model.runtime`) needs that runtime to be multi-model and to list the
    model's format (and version, if given); otherwise a multi-model runtime must auto-select the
    format, the highest priority winning. The environment's `modelmesh.runtimes` are the runtimes
    of the namespace: a model that resolves to none never loads."""
    model = ctx.service.spec.predictor.model
    if not is_modelmesh(ctx.service.spec.mode) or model is None:
        return
    runtimes = runtimes_of(ctx.environment)
    if not runtimes:
        yield Finding(MODE, f"environment {ctx.env_name!r} declares no ModelMesh runtimes", f"add modelmesh.runtimes to {_env_file(ctx)}, or leave the environment out of spec.environments")
        return
    choice = choose_runtime(model, runtimes)
    if choice.runtime is None:
        yield Finding(MODEL + (("runtime",) if model.runtime else ("format",)), choice.problem, choice.hint)


@rule("MM-02", "ModelMesh storage is one location, and a PVC is named, has a path and is allowed", source="MMS docs/predictors/setup-storage.md")
def pvc_storage(ctx: RuleContext) -> Iterator[Finding]:
    """A ModelMesh model is read from one place: `storageUri`, or `storage` (a `storage-config`
    key, or a PVC as `parameters: {type: pvc, name: <claim>}` with the `path` on the claim).
    ModelMesh mounts a PVC only when it is listed in the `storage-config` Secret (the
    environment's `modelmesh.pvcs`) or when `allowAnyPVC` is on in `model-serving-config`
    (`modelmesh.allowAnyPVC`); a model on any other claim never loads. `storage` is rendered for
    ModelMesh models only."""
    model = ctx.service.spec.predictor.model
    if model is None:
        return
    if not is_modelmesh(ctx.service.spec.mode):
        if model.storage is not None:
            yield Finding(MODEL + ("storage",), "`storage` is read by ModelMesh only", "use `mode: modelmesh`, or storageUri (pvc://<claim>/<path> for a PVC)")
        return
    if model.storage is not None and model.storage_uri:
        yield Finding(MODEL + ("storage",), "both storage and storageUri are set", "keep one of them")
    if model.storage_uris:
        yield Finding(MODEL + ("storageUris",), "ModelMesh reads a model from one location", "use storageUri or storage")
    storage = model.storage
    if storage is not None and storage.parameters.get("type") == PVC_STORAGE_TYPE:
        if not storage.parameters.get("name"):
            yield Finding(MODEL + ("storage", "parameters"), "PVC storage names no claim", "add `name: <claim>` to storage.parameters")
        if not storage.path:
            yield Finding(MODEL + ("storage",), "PVC storage has no path", "add `path:` with the model's path on the claim, e.g. sklearn/mnist-svm.joblib")
    found = claim_of(model)
    settings = ctx.environment.spec.modelmesh
    if found is None or not found[1] or settings is None or settings.allow_any_pvc:
        return
    where, claim = found
    if not upstream.ISVC_NAME.match(claim):
        yield Finding(where, f"{claim!r} is not a valid PersistentVolumeClaim name", "use lower-case letters, digits and dashes")
    elif claim not in settings.pvcs:
        listed = ", ".join(settings.pvcs) or "none"
        yield Finding(where, f"PVC {claim!r} is not mounted by ModelMesh in environment {ctx.env_name!r} (listed: {listed})", f"list it in the storage-config Secret and in modelmesh.pvcs of {_env_file(ctx)}, or set modelmesh.allowAnyPVC: true if model-serving-config allows any PVC")


def _same_format(a, b) -> bool:
    return a.name.lower() == b.name.lower() and a.version == b.version


def _priority_clashes(runtimes: list[ModelMeshRuntime]) -> Iterator[str]:
    """KServe's ServingRuntime webhook, which rejects the runtime applied second."""
    for runtime in runtimes:
        seen: dict[str, int] = {}
        for item in runtime.supported_model_formats:
            if not item.auto_select or item.priority is None:
                continue
            name = item.name.lower()
            if name in seen and seen[name] != item.priority:
                yield f"runtime {runtime.name!r} gives format {item.name} two priorities ({seen[name]}, {item.priority})"
            seen.setdefault(name, item.priority)
    for first, second in combinations(runtimes, 2):
        if first.multi_model != second.multi_model or not set(first.protocol_versions) & set(second.protocol_versions):
            continue
        for a in first.supported_model_formats:
            for b in second.supported_model_formats:
                if a.auto_select and b.auto_select and _same_format(a, b) and a.priority is not None and a.priority == b.priority:
                    label = f"{a.name}:{a.version}" if a.version else a.name
                    yield f"runtimes {first.name!r} and {second.name!r} both give format {label} priority {a.priority}"


@rule("MM-03", "no two runtimes auto-select one format with the same priority", source="KServe servingruntime_webhook.go validateServingRuntimePriority")
def unique_priorities(ctx: RuleContext) -> Iterator[Finding]:
    """KServe's webhook rejects a ServingRuntime that auto-selects a format (same name and
    version) with the same priority as another runtime of the namespace with the same
    `multiModel` flag and a protocol in common, and one that gives a format two different
    priorities. The rejected runtime never exists, so the models it should serve never load.
    Checked on the environment's `modelmesh.runtimes` for each ModelMesh service."""
    if not is_modelmesh(ctx.service.spec.mode):
        return
    for clash in _priority_clashes(runtimes_of(ctx.environment)):
        yield Finding(MODE, f"environment {ctx.env_name!r}: {clash}", f"give each runtime its own priority for the format in {_env_file(ctx)} modelmesh.runtimes")


@rule("MM-04", "ModelMesh routing: dynamic subsets only on Alibaba ASM >= 1.21.6.47, and only with a mesh", source="Alibaba ASM dynamic subset routing; ModelMesh seed (001)")
def asm_only_routing(ctx: RuleContext) -> Iterator[Finding]:
    """`modelmesh.routing` binds a mesh gateway to the `modelmesh-serving` Service, so it needs the
    environment's `mesh`. Its `dynamicSubset` renders `trafficPolicy.loadBalancer.dynamicSubset`
    and `headerToDynamicSubsetKey`, fields of Alibaba ASM that upstream Istio's schemas reject; ASM
    supports them for ModelMesh from 1.21.6.47 (`versions.istio` holds the ASM version). Without
    `dynamicSubset` a plain route to modelmesh-serving is rendered, on either mesh."""
    settings = ctx.environment.spec.modelmesh
    if not is_modelmesh(ctx.service.spec.mode) or settings is None or settings.routing is None:
        return
    mesh = ctx.environment.spec.mesh
    env_file = _env_file(ctx)
    if mesh is None:
        yield Finding(MODE, f"environment {ctx.env_name!r} routes to ModelMesh (modelmesh.routing) but has no mesh", f"add spec.mesh to {env_file}, or remove modelmesh.routing")
        return
    if settings.routing.dynamic_subset is None:
        return
    if mesh.provider != "asm":
        yield Finding(MODE, f"environment {ctx.env_name!r} asks for dynamic subsets, an Alibaba ASM feature, on upstream Istio, whose schemas reject them", f"remove modelmesh.routing.dynamicSubset in {env_file} (a plain route is rendered), or set mesh.provider: asm")
        return
    wanted = ".".join(map(str, ASM_DYNAMIC_SUBSET_RELEASE))
    written = ctx.environment.spec.versions.istio
    if written is None:
        yield Finding(MODE, f"environment {ctx.env_name!r} does not say its ASM version; dynamic subsets for ModelMesh need {wanted} or later", f"set versions.istio to the ASM version in {env_file}")
    elif dotted_version(written) < ASM_DYNAMIC_SUBSET_RELEASE:
        yield Finding(MODE, f"ASM {written} in environment {ctx.env_name!r} has no dynamic subsets for ModelMesh (needs {wanted} or later)", "upgrade ASM, or remove modelmesh.routing.dynamicSubset")


def _is_set(value: object) -> bool:
    fields_set = getattr(value, "model_fields_set", None)
    if fields_set is not None:
        return bool(fields_set)
    return value not in (None, [], {}, "")


@rule("MM-05", "nothing set on a ModelMesh model that only its runtime's pods can have", source="MMS docs/production-use/scaling.md; serving-rules §2")
def runtime_owned_settings(ctx: RuleContext) -> Iterator[Finding]:
    """A ModelMesh model has no pods of its own: it is loaded into the pods of a runtime, which
    ModelMesh scales per runtime (`replicas` on the runtime in `modelmesh.runtimes`, else
    `podsPerRuntime`). So scaling, resources, GPUs, pod labels and annotations, credentials,
    timeouts, the model server's image tag, protocol, args and env, versions, exposure, access and
    smoke tests are not rendered for it; setting them is an error rather than a silent no-op.
    Reach the models through the environment's `modelmesh.routing`."""
    spec = ctx.service.spec
    if not is_modelmesh(spec.mode):
        return
    predictor, model = spec.predictor, spec.predictor.model
    for key in sorted(spec.scaling.model_fields_set):
        alias = type(spec.scaling).model_fields[key].alias or key
        yield _owned(ctx, ("spec", "scaling", alias), "scaling", "ModelMesh scales a runtime's pods, not a model", f"set replicas on the runtime in {_env_file(ctx)} modelmesh.runtimes")
    others = [
        (("spec", "hardware", "gpu"), spec.hardware.gpu, "give the runtime's container GPU resources"),
        (PREDICTOR + ("resources",), predictor.resources, "set resources on the runtime"),
        (PREDICTOR + ("container",), predictor.container, "serve a `model` from a runtime"),
        (PREDICTOR + ("labels",), predictor.labels, "the runtime's pods are shared by many models"),
        (PREDICTOR + ("annotations",), predictor.annotations, "the runtime's pods are shared by many models"),
        (PREDICTOR + ("credentials",), predictor.credentials, "ModelMesh reads storage with the storage-config Secret"),
        (PREDICTOR + ("timeoutSeconds",), predictor.timeout_seconds, "remove it"),
        (PREDICTOR + ("volumes",), predictor.volumes, "mount volumes on the runtime's pods"),
        (PREDICTOR + ("pod",), predictor.pod, "the runtime's pods are shared by many models"),
        (PREDICTOR + ("probes",), predictor.probes, "configure the runtime instead"),
        (("spec", "versions"), spec.versions, "serve each version as a ModelMesh service of its own"),
        (("spec", "exposure"), spec.exposure, "route to ModelMesh with modelmesh.routing in the environment"),
        (("spec", "access"), spec.access, "the runtime's pods are shared by many models"),
        (("spec", "smokeTest"), spec.smoke_test, "remove it"),
    ]
    if model is not None:
        others += [(MODEL + (key,), getattr(model, attr), "configure the runtime instead") for key, attr in (("runtimeVersion", "runtime_version"), ("protocolVersion", "protocol_version"), ("args", "args"), ("env", "env"), ("servedName", "served_name"))]
    for where, value, hint in others:
        if _is_set(value):
            yield _owned(ctx, where, where[-1], "a ModelMesh model has no pods of its own", hint)


def _owned(ctx: RuleContext, where: tuple, what: str, why: str, hint: str) -> Finding:
    """The finding, with a word on environment defaults: they apply to every service."""
    if PurePath(ctx.layer.locate(where).path).parent.name == "environments":
        hint += f"; when a default of the environment sets it, null it in overlays/{ctx.env_name}/{ctx.service.metadata.name}.yaml"
    return Finding(where, f"{what} is set on ModelMesh service {ctx.service.metadata.name!r}: {why}", hint)
