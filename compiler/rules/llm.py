"""Rules of a `mode: llm` service, KServe's LLMInferenceService (serving-rules §3; docs/workloads.md).

The CRD's own CEL rules that the spec can reach are checked here first, at the user's key:
serving-rules §3's worker/parallelism rules, and what the environment's KServe release serves.
"""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.llm import MODE, most_replicas, pods_per_replica
from ..spec.llm import LlmPool
from .registry import Finding, RuleContext, rule

LLM = ("spec", "llm")
# Where llm-d's storage initializer can fetch a model from (KServe's LLMInferenceService docs:
# hf:// from Hugging Face, pvc:// from a claim, s3:// from an S3-compatible store).
MODEL_SCHEMES = ("hf://", "pvc://", "s3://")


def _pools(ctx: RuleContext) -> Iterator[tuple[tuple, str, LlmPool]]:
    llm = ctx.service.spec.llm
    if llm is None:
        return
    yield LLM, "the decode pool", llm
    if llm.prefill is not None:
        yield LLM + ("prefill",), "the prefill pool", llm.prefill


def workload_block(ctx: RuleContext, mode: str, kind: str, example: str) -> Iterator[Finding]:
    """`mode: <mode>` and its `<mode>:` block go together: each without the other is a finding
    (shared by LLM-01 and GRAPH-01)."""
    spec = ctx.service.spec
    block = getattr(spec, mode)
    if spec.mode != mode and block is not None:
        yield Finding(("spec", mode), f"`{mode}` is set but spec.mode is {spec.mode!r}", f"set `mode: {mode}` to render it as a {kind}, or remove `{mode}`")
    elif spec.mode == mode and block is None:
        yield Finding(("spec", "mode"), f"mode {mode} without an `{mode}` block" if mode == "llm" else f"mode {mode} without a `{mode}` block", f"add `{mode}: {example}`")


@rule("LLM-01", "an LLM is `mode: llm` with an `llm` block, on a KServe release that serves LLMInferenceService", source="kserve_versions llm-inference-service (0.16); KServe LLMInferenceService CRD")
def llm_service(ctx: RuleContext) -> Iterator[Finding]:
    """`mode: llm` renders KServe's LLMInferenceService from the `llm` block, and nothing else:
    no predictor, transformer, explainer or versions. KServe serves the kind from 0.16
    (v1alpha1; v1alpha2 from 0.17, which Inferplane renders there)."""
    spec = ctx.service.spec
    yield from workload_block(ctx, MODE, "LLMInferenceService", "{model: {uri: hf://...}, gpu: {class: ...}}")
    if spec.mode != MODE:
        return
    if not ctx.release.has("llm-inference-service"):
        yield Finding(("spec", "mode"), f"KServe {ctx.environment.spec.versions.kserve} has no LLMInferenceService (0.16 or later)", f"leave environment {ctx.env_name!r} out of spec.environments, or upgrade KServe at {ctx.version_line()}")
    for key in ("model", "container"):
        if getattr(spec.predictor, key) is not None:
            yield Finding(("spec", "predictor", key), "mode llm has no predictor: the `llm` block is the workload", f"remove predictor.{key}")
    for key in ("transformer", "explainer"):
        if getattr(spec, key) is not None:
            yield Finding(("spec", key), f"an LLMInferenceService has no {key}", f"remove the {key}")
    if spec.versions:
        yield Finding(("spec", "versions"), "an LLMInferenceService has no versions", "remove versions: change llm.model.uri to roll out a new model")


@rule("LLM-02", "model and LoRA adapter locations llm-d can fetch", source="KServe LLMInferenceService model.uri, model.lora.adapters")
def llm_model(ctx: RuleContext) -> Iterator[Finding]:
    """The base model and every LoRA adapter live at hf://<org>/<model>, pvc://<claim>/<path> or
    s3://<bucket>/<path>; adapters have distinct names, which clients ask for as the model."""
    llm = ctx.service.spec.llm
    if llm is None:
        return
    locations = [(LLM + ("model", "uri"), "the model", llm.model.uri)]
    locations += [(LLM + ("model", "lora", index, "uri"), f"adapter {adapter.name!r}", adapter.uri) for index, adapter in enumerate(llm.model.lora)]
    for where, what, uri in locations:
        scheme = next((s for s in MODEL_SCHEMES if uri.startswith(s)), None)
        parts = uri[len(scheme):].split("/") if scheme else []
        if scheme is None:
            yield Finding(where, f"{what} is at {uri!r}, which llm-d cannot fetch", "use hf://<org>/<model>, pvc://<claim>/<path> or s3://<bucket>/<path>")
        elif not parts[0] or (scheme != "hf://" and not "/".join(parts[1:])):
            # A Hugging Face id may be one word (gpt2); a claim or a bucket needs the path in it.
            yield Finding(where, f"{what} at {uri!r} names no {'model' if scheme == 'hf://' else 'path'}", f"write {scheme}{'<org>/<model>' if scheme == 'hf://' else '<claim>/<path>' if scheme == 'pvc://' else '<bucket>/<path>'}")
    seen: set[str] = set()
    for index, adapter in enumerate(llm.model.lora):
        if adapter.name in seen:
            yield Finding(LLM + ("model", "lora", index, "name"), f"two LoRA adapters are named {adapter.name!r}", "give each adapter its own name")
        seen.add(adapter.name)


@rule("LLM-03", "parallelism fits the pods: tensor = GPUs per pod, multi-node with data or pipeline", source="serving-rules §3; vLLM tensor_parallel_size; KServe llmisvc worker validation")
def llm_parallelism(ctx: RuleContext) -> Iterator[Finding]:
    """vLLM's tensor parallelism splits the model over the GPUs of one pod, so `tensor` equals
    the pool's `gpu.count`. A multi-node pool (`multiNode: true`, KServe's `worker`) needs data or
    pipeline parallelism to spread over its pods, and not both; without multiNode there is one
    pod per replica, so data or pipeline parallelism above 1 has nowhere to go. `dataLocal` is at
    most `data`."""
    for at, what, pool in _pools(ctx):
        parallelism = pool.parallelism
        where = at + ("parallelism",)
        if parallelism.tensor and pool.gpu and parallelism.tensor != pool.gpu.count:
            yield Finding(where + ("tensor",), f"{what} splits the model over {parallelism.tensor} GPUs (tensor) but its pods have {pool.gpu.count}", f"set gpu.count to {parallelism.tensor}, or tensor to {pool.gpu.count}")
        if parallelism.pipeline and parallelism.data:
            yield Finding(where + ("pipeline",), f"{what} sets both pipeline and data parallelism", "keep one: pipeline or data")
        elif pool.multi_node and not (parallelism.pipeline or parallelism.data):
            yield Finding(at + ("multiNode",), f"{what} is multi-node without data or pipeline parallelism", "set parallelism.data or parallelism.pipeline to the pods per replica")
        elif not pool.multi_node and max(parallelism.pipeline or 1, parallelism.data or 1) > 1:
            key = "pipeline" if parallelism.pipeline else "data"
            yield Finding(where + (key,), f"{what} runs one pod per replica, so {key} parallelism {getattr(parallelism, key)} has nowhere to go", "set multiNode: true, or remove it")
        if parallelism.data_local and parallelism.data and parallelism.data_local > parallelism.data:
            yield Finding(where + ("dataLocal",), f"{what} has dataLocal {parallelism.data_local} above data {parallelism.data}", f"lower dataLocal to {parallelism.data} or less")


@rule("LLM-GPU", "an LLM's GPUs come from the catalogue and fit the class's quota", source="environment gpuClasses; Kubernetes extended resources")
def llm_gpu(ctx: RuleContext) -> Iterator[Finding]:
    """Each pool asks for GPUs with `gpu: {class, count}` from the environment's catalogue,
    within the class's `maxPerPod`, never in `resources`. A pool uses replicas × pods per replica
    × count GPUs; alone it must fit the class's quota (the environment's sum is GPU-BUDGET's)."""
    classes = ctx.environment.spec.gpu_classes
    for at, what, pool in _pools(ctx):
        if pool.gpu is not None:
            gpu_class = classes.get(pool.gpu.class_)
            pods = most_replicas(pool) * pods_per_replica(pool)
            if gpu_class is None:
                known = f"use one of: {', '.join(sorted(classes))}" if classes else f"add it to environments/{ctx.env_name}.yaml spec.gpuClasses"
                yield Finding(at + ("gpu", "class"), f"GPU class {pool.gpu.class_!r} of {what} is not defined in environment {ctx.env_name!r}", known)
            elif gpu_class.max_per_pod is not None and pool.gpu.count > gpu_class.max_per_pod:
                yield Finding(at + ("gpu", "count"), f"{pool.gpu.count} GPUs of class {pool.gpu.class_!r} per pod of {what}, the class allows {gpu_class.max_per_pod}", f"ask for at most {gpu_class.max_per_pod}, with more tensor or pipeline parallelism across pods")
            elif gpu_class.quota is not None and pods * pool.gpu.count > gpu_class.quota:
                bound = ("scaling", "maxReplicas") if pool.scaling else ("replicas",)
                yield Finding(at + bound, f"{what} uses {pods} pods × {pool.gpu.count} GPU = {pods * pool.gpu.count} GPUs of class {pool.gpu.class_!r}, above the quota of {gpu_class.quota}", f"lower {'.'.join(bound)} or raise the quota")
        for section in ("limits", "requests"):
            for name in sorted(getattr(pool.resources, section) if pool.resources else {}):
                if upstream.is_gpu_resource(name):
                    yield Finding(at + ("resources", section, name), f"{what} asks for {name} in resources", "use gpu: {class: ..., count: ...} instead")


@rule("LLM-04", "a prefill pool goes through the scheduler", source="serving-rules §3 (router.scheduler); llm-d P/D disaggregation")
def llm_router(ctx: RuleContext) -> Iterator[Finding]:
    """With prefill/decode disaggregation llm-d's scheduler picks a prefill and a decode pod for
    each request; without it nothing sends requests to the prefill pool. The scheduler, when
    its replicas are set, runs at least one."""
    llm = ctx.service.spec.llm
    if llm is None:
        return
    router = llm.router
    if llm.prefill is not None and not router.scheduler:
        yield Finding(LLM + ("router", "scheduler"), "a prefill pool without the scheduler receives no requests", "set router.scheduler: true, or remove prefill")
    if router.scheduler_replicas is not None and router.scheduler_replicas < 1:
        yield Finding(LLM + ("router", "schedulerReplicas"), f"the scheduler has {router.scheduler_replicas} replicas", "run at least 1, or set scheduler: false")


@rule("LLM-05", "an LLM pool autoscales with one mechanism, bounds in order, and no fixed replicas beside it", source="KServe LLMInferenceService CRD spec.scaling CEL rules (kserve#5130, #5194, #5839); KServe docs llmisvc-autoscaling")
def llm_scaling(ctx: RuleContext) -> Iterator[Finding]:
    """`scaling` replaces `replicas` (the CRD refuses both): KServe's LLM controller creates the
    autoscaler, so the compiler renders none and the replicas have one owner. It scales with
    exactly one of `wva` (llm-d's Workload Variant Autoscaler, actuated by an HPA or KEDA) and
    `keda` (your own triggers, at least one); minReplicas is at most maxReplicas; the decode and
    prefill pools use the same actuator (KServe's webhook)."""
    actuators = {}
    for at, what, pool in _pools(ctx):
        scaling = pool.scaling
        if scaling is None:
            continue
        where = at + ("scaling",)
        if pool.replicas is not None:
            yield Finding(at + ("replicas",), f"{what} sets both replicas and scaling", "remove replicas: the autoscaler decides them between minReplicas and maxReplicas")
        if (scaling.wva is None) == (scaling.keda is None):
            yield Finding(where, f"{what} scales with {'both wva and keda' if scaling.wva else 'neither wva nor keda'}", "set exactly one: wva: {actuator: hpa} (llm-d's autoscaler) or keda: {triggers: [...]}")
        elif scaling.keda is not None and not scaling.keda.triggers:
            yield Finding(where + ("keda",), f"{what} scales with KEDA but has no trigger", "add triggers: [{type: prometheus, metadata: {serverAddress: ..., query: ..., threshold: ...}}]")
        if scaling.min_replicas is not None and scaling.min_replicas > scaling.max_replicas:
            yield Finding(where + ("minReplicas",), f"{what} has minReplicas {scaling.min_replicas} above maxReplicas {scaling.max_replicas}", f"lower minReplicas to {scaling.max_replicas} or raise maxReplicas")
        actuators[at] = (scaling.wva.actuator if scaling.wva else "keda") if (scaling.wva is None) != (scaling.keda is None) else None
    decode, prefill = actuators.get(LLM), actuators.get(LLM + ("prefill",))
    if decode and prefill and decode != prefill:
        yield Finding(LLM + ("prefill", "scaling"), f"the prefill pool is actuated by {prefill} and the decode pool by {decode}", f"use the same actuator ({decode}) in both pools")
