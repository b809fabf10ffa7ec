"""Spec of a large language model served by KServe's LLMInferenceService (llm-d with vLLM):
`mode: llm` and an `llm:` block instead of a predictor (docs/workloads.md).

Only base.py and components.py are imported: models.py imports this module.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Int32, Resources, SpecModel
from .components import GpuRequest


class LoraAdapter(SpecModel):
    name: str = Field(description="Name clients ask for in the OpenAI `model` field.")
    uri: str = Field(description="Where the adapter lives: hf://, pvc:// or s3://.")


class LlmModel(SpecModel):
    uri: str = Field(description="Where the base model lives: hf://<org>/<model>, pvc://<claim>/<path> or s3://<bucket>/<path>.")
    name: str | None = Field(None, description="Name clients ask for (default: the service's name).")
    lora: list[LoraAdapter] = Field(default_factory=list, description="LoRA adapters served on top of the base model.")


class Parallelism(SpecModel):
    """vLLM's parallelism: tensor within a pod (one GPU each), data and pipeline across pods."""

    tensor: Int32 | None = Field(None, ge=1, description="Tensor parallel size: GPUs per pod that share one copy of the model.")
    pipeline: Int32 | None = Field(None, ge=1, description="Pipeline parallel size: pods that each hold some layers (multi-node).")
    data: Int32 | None = Field(None, ge=1, description="Data parallel size: copies of the model across the pods of a replica (multi-node).")
    data_local: Int32 | None = Field(None, ge=1, description="Data parallel copies per pod.")
    expert: bool | None = Field(None, description="Expert parallelism for mixture-of-experts models.")


class LlmWva(SpecModel):
    """llm-d's Workload Variant Autoscaler: decides replicas from KV-cache use and queue depth."""

    actuator: Literal["hpa", "keda"] = Field("hpa", description="What applies WVA's decision: an HPA (Prometheus Adapter) or a KEDA ScaledObject; KServe creates it.")
    variant_cost: str | None = Field(None, pattern=r"^\d+(\.\d+)?$", description="Relative cost of this pool's hardware, for WVA's choice between variants (default 10.0).")


class KedaTrigger(SpecModel):
    type: str = Field(description="KEDA scaler type, e.g. prometheus.")
    metadata: dict[str, str] = Field(description="The scaler's settings (serverAddress, query, threshold …).")
    name: str | None = None
    metric_type: Literal["AverageValue", "Value", "Utilization"] | None = None


class LlmKeda(SpecModel):
    """Direct KEDA scaling with your own triggers (no WVA)."""

    triggers: list[KedaTrigger] = Field(default_factory=list, description="At least one trigger.")
    polling_interval: Int32 | None = Field(None, ge=1, description="Seconds between trigger checks.")
    cooldown_period: Int32 | None = Field(None, ge=0, description="Seconds after the last active trigger before scaling down.")


class LlmScaling(SpecModel):
    """Autoscaling of a pool: KServe's LLM controller creates the HPA or ScaledObject (the
    compiler renders none, so there is one owner of the replicas)."""

    min_replicas: Int32 | None = Field(None, ge=1, description="Fewest replicas.")
    max_replicas: Int32 = Field(ge=1, description="Most replicas (the GPU budget counts them).")
    wva: LlmWva | None = Field(None, description="Scale with llm-d's Workload Variant Autoscaler.")
    keda: LlmKeda | None = Field(None, description="Scale with KEDA triggers of your own.")


class LlmPool(SpecModel):
    """One set of vLLM pods: the decode (main) pool, or the prefill pool of a P/D split."""

    replicas: Int32 | None = Field(None, ge=0, description="Replicas (a multi-node replica is a group of pods); or scaling.")
    scaling: LlmScaling | None = Field(None, description="Autoscaling instead of a fixed replica count (LLM-05).")
    parallelism: Parallelism = Field(default_factory=Parallelism)
    gpu: GpuRequest | None = Field(None, description="GPUs of a class from the environment's catalogue, per pod.")
    resources: Resources | None = Field(None, description="CPU and memory of the vLLM container (GPUs: use gpu).")
    multi_node: bool = Field(False, description="Spread each replica over several pods (LeaderWorkerSet): needs data or pipeline parallelism.")


class GatewayRef(SpecModel):
    name: str
    namespace: str | None = None


class LlmRouter(SpecModel):
    """How requests reach the pools: a Gateway API route and llm-d's scheduler (endpoint picker)."""

    gateways: list[GatewayRef] = Field(default_factory=list, description="Gateways the route attaches to (absent: KServe's default gateway).")
    scheduler: bool = Field(True, description="Route through llm-d's inference scheduler (KV-cache and load aware); needed by a prefill pool.")
    scheduler_replicas: Int32 | None = Field(None, description="Replicas of the scheduler.")


class LlmSpec(LlmPool):
    model: LlmModel
    image: str | None = Field(None, description="vLLM image of the main container (absent: the LLMInferenceServiceConfig's).")
    prefill: LlmPool | None = Field(None, description="A prefill pool: prefill/decode disaggregation (the scheduler routes between them).")
    router: LlmRouter = Field(default_factory=LlmRouter)
    base_refs: list[str] = Field(default_factory=list, description="LLMInferenceServiceConfigs to start from (well-known presets or your own).")
