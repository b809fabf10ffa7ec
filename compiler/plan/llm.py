"""Lower a `mode: llm` service (docs/workloads.md): the LLMInferenceService's pools with their
GPU placement, the API version the environment's KServe serves, and the GPUs it can use.

The plan is a ServicePlan without pods of its own (like a ModelMesh model's), so the
InferenceService emitters render nothing for it, plus an `LlmPlan` the LLM emitter reads.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..source.resolve import Layer
from ..spec.llm import LlmPool, LlmSpec
from ..spec.models import Environment, ModelService
from .kserve_versions import KServeRelease
from .service import GpuPlacement, ServicePlan, gpu_placement, lower_service, recommended_labels, resources_with_gpu

MODE = "llm"
KSERVE_GROUP = "serving.kserve.io"


@dataclass(frozen=True)
class PoolPlan:
    spec: LlmPool
    gpu: GpuPlacement | None
    resources: dict[str, dict]
    pods_per_replica: int  # a multi-node replica is a group: its leader and workers


@dataclass(frozen=True)
class LlmPlan:
    api_version: str
    spec: LlmSpec
    main: PoolPlan
    prefill: PoolPlan | None
    labels: dict[str, str]


def pods_per_replica(pool: LlmPool) -> int:
    """The pods of one replica: 1, or across nodes the pipeline stages (or data copies over those
    per pod), as llm-d's LeaderWorkerSet sizes its group."""
    if not pool.multi_node:
        return 1
    parallelism = pool.parallelism
    if parallelism.pipeline:
        return parallelism.pipeline
    if parallelism.data:
        return max(1, parallelism.data // (parallelism.data_local or 1))
    return 1


def most_replicas(pool: LlmPool) -> int:
    """The replicas a pool can run at most: its autoscaler's bound, or its fixed count (KServe's default 1)."""
    if pool.scaling is not None:
        return pool.scaling.max_replicas
    return 1 if pool.replicas is None else pool.replicas


def _pool(pool: LlmPool, env: Environment) -> PoolPlan:
    gpu = gpu_placement(pool.gpu, env.spec.gpu_classes)
    return PoolPlan(pool, gpu, resources_with_gpu(pool.resources, gpu), pods_per_replica(pool))


def llm_api_version(release: KServeRelease) -> str:
    """v1alpha2 where KServe serves it (0.17+), else v1alpha1 (0.16); rule LLM-01 refuses older."""
    return f"{KSERVE_GROUP}/v1alpha2" if release.has("llm-v1alpha2") else f"{KSERVE_GROUP}/v1alpha1"


def lower_llm(service: ModelService, env: Environment, layer: Layer, source: str) -> ServicePlan:
    spec = service.spec.llm
    assert spec is not None  # LLM-01 reports `mode: llm` without `llm` before lowering
    # A plan without pods of the InferenceService kind (no deployment mode), plus the LLM's own.
    plan = replace(lower_service(service, env, layer, source), service=service.metadata.name)
    llm = LlmPlan(
        api_version=llm_api_version(plan.release),
        spec=spec,
        main=_pool(spec, env),
        prefill=_pool(spec.prefill, env) if spec.prefill else None,
        labels=recommended_labels(service, env),
    )
    return replace(plan, llm=llm)


def llm_gpu_shares(plan: ServicePlan) -> list[tuple[str, str, int | None, int]]:
    """(share name, GPU class, most pods, GPUs per pod) of each pool on GPUs, for the budget."""
    llm: LlmPlan | None = plan.llm
    if llm is None:
        return []
    shares = []
    for suffix, pool in (("", llm.main), ("/prefill", llm.prefill)):
        if pool is not None and pool.gpu is not None:
            shares.append((f"{plan.name}{suffix}", pool.gpu.class_name, most_replicas(pool.spec) * pool.pods_per_replica, pool.gpu.count))
    return shares
