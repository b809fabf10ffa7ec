"""Emit KServe's LLMInferenceService of a `mode: llm` service (docs/workloads.md).

Shape from the CRD in ../shared/crds/kserve (v1alpha2; v1alpha1 has the same fields used here):
spec.model{uri,name,lora.adapters}, replicas, parallelism, template (a PodSpec whose vLLM
container is named `main`), worker (the other pods of a multi-node replica), prefill (the same
shape, for prefill/decode disaggregation), router{route,gateway,scheduler}, baseRefs.
"""

from __future__ import annotations

from ..errors import Location
from ..plan.llm import LlmPlan, PoolPlan
from ..spec.llm import LlmScaling
from ..plan.service import ServicePlan
from ..spec.models import Environment
from .manifest import Manifest, drop_empty
from .. import upstream

KIND = "LLMInferenceService"
# llm-d's name for the vLLM container; KServe merges the LLMInferenceServiceConfig's into it.
MAIN_CONTAINER = "main"


def _pod(pool: PoolPlan, image: str | None) -> dict:
    gpu = pool.gpu
    container = drop_empty({"name": MAIN_CONTAINER, "image": image, "resources": pool.resources})
    return drop_empty(
        {
            "containers": [container],
            "nodeSelector": dict(gpu.node_selector) if gpu else {},
            "tolerations": [dict(toleration) for toleration in gpu.tolerations] if gpu else [],
            "runtimeClassName": gpu.runtime_class_name if gpu else None,
        }
    )


def _scaling(scaling: LlmScaling | None) -> dict | None:
    """spec.scaling: KServe's LLM controller creates the VariantAutoscaling and the HPA or
    ScaledObject from it (kserve#5130, #5194; direct KEDA #5839)."""
    if scaling is None:
        return None
    body: dict = {"minReplicas": scaling.min_replicas, "maxReplicas": scaling.max_replicas}
    if scaling.wva is not None:
        body["wva"] = {scaling.wva.actuator: {}, **({"variantCost": scaling.wva.variant_cost} if scaling.wva.variant_cost else {})}
    if scaling.keda is not None:
        keda = scaling.keda
        triggers = [trigger.model_dump(by_alias=True, exclude_none=True) for trigger in keda.triggers]
        body["keda"] = drop_empty({"triggers": triggers, "pollingInterval": keda.polling_interval, "cooldownPeriod": keda.cooldown_period})
    return {key: value for key, value in body.items() if value is not None}


def _pool(pool: PoolPlan, image: str | None) -> dict:
    spec = pool.spec
    body = {
        "replicas": spec.replicas,
        "scaling": _scaling(spec.scaling),
        "parallelism": spec.parallelism.model_dump(by_alias=True, exclude_none=True),
        "template": _pod(pool, image),
    }
    if spec.multi_node:
        # The worker pods of a replica run the same container with the same GPUs.
        body["worker"] = _pod(pool, image)
    return drop_empty(body)


def _router(llm: LlmPlan) -> dict:
    router = llm.spec.router
    gateway = {"refs": [ref.model_dump(exclude_none=True) for ref in router.gateways]} if router.gateways else {}
    body: dict = {"route": {}, "gateway": gateway}
    if router.scheduler:
        body["scheduler"] = drop_empty({"replicas": router.scheduler_replicas})
    return body


def _model(llm: LlmPlan, name: str) -> dict:
    model = llm.spec.model
    lora = {"adapters": [adapter.model_dump() for adapter in model.lora]} if model.lora else {}
    return drop_empty({"uri": model.uri, "name": model.name or name, "lora": lora})


def _origins(plan: ServicePlan) -> dict[str, Location]:
    llm = ("spec", "llm")
    origins = {"": plan.locate(), "/metadata": plan.locate("metadata"), "/spec": plan.locate(*llm), "/spec/router": plan.locate(*llm, "router"), "/spec/baseRefs": plan.locate(*llm, "baseRefs")}
    for key in ("uri", "name", "lora"):
        origins[f"/spec/model/{key}"] = plan.locate(*llm, "model", key)
    for at, spec_at in (("/spec", llm), ("/spec/prefill", llm + ("prefill",))):
        origins[at + "/replicas"] = plan.locate(*spec_at, "replicas")
        origins[at + "/scaling"] = plan.locate(*spec_at, "scaling")
        origins[at + "/parallelism"] = plan.locate(*spec_at, "parallelism")
        for pod in ("template", "worker"):
            origins[f"{at}/{pod}"] = plan.locate(*spec_at, "gpu")
            origins[f"{at}/{pod}/containers/0/resources"] = plan.locate(*spec_at, "resources")
            origins[f"{at}/{pod}/containers/0/image"] = plan.locate(*llm, "image")
    return origins


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    llm: LlmPlan | None = plan.llm
    if llm is None:
        return []
    annotations = dict(plan.annotations)
    if llm.main.gpu:
        annotations[upstream.GPU_CLASS_ANNOTATION] = llm.main.gpu.class_name  # reviewers see the class
    spec = {"model": _model(llm, plan.name), **_pool(llm.main, llm.spec.image)}
    if llm.prefill is not None:
        spec["prefill"] = _pool(llm.prefill, llm.spec.image)
    spec["router"] = _router(llm)
    if llm.spec.base_refs:
        spec["baseRefs"] = [{"name": name} for name in llm.spec.base_refs]
    body = {
        "apiVersion": llm.api_version,
        "kind": KIND,
        "metadata": drop_empty({"name": plan.name, "namespace": plan.namespace, "labels": dict(llm.labels), "annotations": annotations}),
        "spec": spec,
    }
    return [Manifest(body, service=plan.name, origins=_origins(plan))]
