"""Spec models for capacity: how a service scales, where its replicas run, how its pods are hardened
and scraped, and what each environment offers (GPU classes, KEDA, Knative limits, Prometheus).

They build on `SpecModel` and `Quantity` from `base.py`; `models.py` assembles them into the
`ModelService` and `Environment` models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Int32, Int64, Quantity, SpecModel

ScaleMetric = Literal["concurrency", "rps", "cpu", "memory", "external"]

# HPA stabilization windows and Knative's scale-down-delay both stop at one hour.
_ONE_HOUR = 3600


# ---------------------------------------------------------------- service: scaling


class ExternalMetric(SpecModel):
    """The metric an `external` scaling target refers to: by name (an HPA reads it from the
    external metrics API, e.g. Alibaba's metrics adapter) or by query (KEDA runs it)."""

    name: str | None = Field(None, description="Metric name in the external metrics API, e.g. sls_ingress_qps; the compiler emits an HPA for it.")
    selector: dict[str, str] = Field(default_factory=dict, description="Labels selecting the metric series (metric.selector.matchLabels).")
    query: str | None = Field(None, description="A Prometheus/Graphite query instead of a name: KServe scales with KEDA (class keda, KServe >= 0.15).")
    server_address: str | None = Field(None, description="Address of the Prometheus/Graphite server KEDA queries.")
    backend: Literal["prometheus", "graphite"] = Field("prometheus", description="Query language of `query`.")


class AdditionalMetric(SpecModel):
    """One more metric for the compiler's HPA, beside `metric` (Standard mode): the HPA scales to
    the largest replica count any of its metrics asks for."""

    metric: Literal["cpu", "memory", "external"] = Field(description="cpu or memory (% of requested), or an external metric by name.")
    target: Quantity = Field(description="Percent of requested cpu or memory, or the external metric's average value per replica.")
    external: ExternalMetric | None = Field(None, description="The metric when `metric: external` (by name; a KEDA query cannot be combined).")


class Stabilization(SpecModel):
    scale_up_seconds: int | None = Field(None, ge=0, le=_ONE_HOUR, description="How long load must stay high before scaling up (HPA behavior.scaleUp; not available in Knative mode).")
    scale_down_seconds: int | None = Field(None, ge=0, le=_ONE_HOUR, description="How long load must stay low before scaling down (HPA behavior.scaleDown; Knative scale-down-delay).")


class Scaling(SpecModel):
    """The one place replicas are decided. The compiler picks the owner (Knative, KServe's HPA,
    its own HPA or KEDA) from the mode and the metric, and nothing else writes replicas."""

    min_replicas: Int32 | None = Field(None, description="Fewest replicas; 0 scales to zero (Knative mode, or KEDA).")
    max_replicas: Int32 | None = Field(None, description="Most replicas; 0 means no upper bound set.")
    container_concurrency: Int64 | None = Field(None, description="Hard limit of concurrent requests per replica (Knative mode).")
    metric: ScaleMetric | None = Field(None, description="What to scale on: concurrency or rps (Knative), cpu or memory, or an external metric (Standard).")
    target: Quantity | None = Field(None, description="Target per replica: in-flight requests, requests/s, % of requested cpu or memory, or the external metric's average value.")
    scale_to_zero_retention_seconds: int | None = Field(None, ge=0, description="Knative: keep the last replica at least this long after deciding to scale to zero.")
    initial_scale: Int32 | None = Field(None, ge=0, description="Knative: replicas a new revision starts with.")
    stabilization: Stabilization | None = Field(None, description="Stabilization windows for scaling up and down.")
    external: ExternalMetric | None = Field(None, description="The metric when `metric: external`.")
    additional_metrics: list[AdditionalMetric] = Field(default_factory=list, description="More metrics for the same HPA (Standard mode; the compiler's own HPA then owns the replicas), e.g. cpu 70 and memory 80.")


# ---------------------------------------------------------------- service: pod defaults and metrics


class PodSecurity(SpecModel):
    """Production pod defaults for the model server container; on unless turned off."""

    hardened: bool = Field(True, description="Non-root, no privilege escalation, all capabilities dropped, RuntimeDefault seccomp.")
    read_only_root_filesystem: bool | None = Field(None, description="Read-only root filesystem; unset lets the compiler decide per model format.")
    run_as_user: Int64 | None = Field(None, ge=1, description="UID to run the model server as, for images that declare no non-root user.")


class MetricsEndpoint(SpecModel):
    enabled: bool = Field(True, description="Scrape the model server when the environment runs prometheus-operator.")
    port: int | None = Field(None, ge=1, le=65535, description="Port of the model server's metrics; default per model format (8080, TorchServe 8082, Triton 8002).")
    path: str | None = Field(None, description="HTTP path of the metrics; default /metrics.")


class ServiceObservability(SpecModel):
    metrics: MetricsEndpoint = Field(default_factory=MetricsEndpoint)


# ---------------------------------------------------------------- environment: GPU classes


class Toleration(SpecModel):
    key: str | None = None
    operator: Literal["Exists", "Equal"] | None = None
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    toleration_seconds: Int64 | None = None


class ElasticBurst(SpecModel):
    """Alibaba Cloud ECI virtual-node burst (ack-virtual-node), as in the elastic-inference seed."""

    burst: Literal["eci", "eci_only"] = Field(description="eci: use ECI when ECS nodes run out; eci_only: run on ECI only.")
    eci_use_specs: list[str] = Field(default_factory=list, description="ECI instance types to try, in order (at most 5; GPU types for GPU pods).")


class GpuClass(SpecModel):
    resource: str = Field("nvidia.com/gpu", description="Extended resource name, e.g. nvidia.com/gpu, nvidia.com/mig-1g.5gb, amd.com/gpu.")
    max_per_pod: int | None = Field(None, ge=1, description="Most GPUs of this class one pod may ask for.")
    node_selector: dict[str, str] = Field(default_factory=dict)
    tolerations: list[Toleration] = Field(default_factory=list)
    runtime_class_name: str | None = Field(None, description="RuntimeClass of the GPU pods, e.g. nvidia.")
    memory: Quantity | None = Field(None, description="Memory per GPU, for people and the budget report (informational).")
    quota: int | None = Field(None, ge=0, description="GPUs of this class the environment may use at most (GPU-BUDGET).")
    elastic: ElasticBurst | None = Field(None, description="Burst to Alibaba ECI virtual nodes.")


# ---------------------------------------------------------------- environment: platform settings


# Knative Serving's config-features flags for pod spec fields (knative/serving
# config/core/configmaps/features.yaml; all "disabled" by default but emptyDir volumes).
KnativeFeature = Literal[
    "kubernetes.podspec-affinity", "kubernetes.podspec-topologyspreadconstraints", "kubernetes.podspec-hostaliases",
    "kubernetes.podspec-nodeselector", "kubernetes.podspec-tolerations", "kubernetes.podspec-fieldref",
    "kubernetes.podspec-runtimeclassname", "kubernetes.podspec-dnspolicy", "kubernetes.podspec-dnsconfig",
    "kubernetes.podspec-securitycontext", "kubernetes.podspec-priorityclassname", "kubernetes.podspec-schedulername",
    "kubernetes.containerspec-addcapabilities", "kubernetes.podspec-volumes-emptydir", "kubernetes.podspec-init-containers",
    "kubernetes.podspec-persistent-volume-claim", "kubernetes.podspec-persistent-volume-write",
]


class KnativeSettings(SpecModel):
    max_revision_timeout_seconds: int = Field(600, ge=1, description="config-defaults max-revision-timeout-seconds of the cluster's Knative.")
    allow_zero_initial_scale: bool = Field(False, description="config-autoscaler allow-zero-initial-scale: whether initialScale 0 is honoured.")
    features: list[KnativeFeature] = Field(default_factory=list, description="config-features flags the cluster's Knative Serving has enabled or allowed, e.g. kubernetes.podspec-affinity: a Knative-mode service that needs another gets a warning (KS-26).")


class AutoscalingSettings(SpecModel):
    keda: bool = Field(False, description="KEDA is installed: query-based external metrics scale through KServe's class keda.")


class PrometheusSettings(SpecModel):
    enabled: bool = Field(False, description="prometheus-operator runs in the cluster: emit a monitor per service.")
    kind: Literal["PodMonitor", "ServiceMonitor"] = "PodMonitor"
    interval: str = Field("30s", pattern=r"^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$", description="Scrape interval.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels the Prometheus instance selects monitors by, e.g. release: kube-prometheus-stack.")


class ObservabilitySettings(SpecModel):
    prometheus: PrometheusSettings = Field(default_factory=PrometheusSettings)
