"""Lower: one checked service spec + its environment → a plan the emitters render.

The plan holds every decision (deployment mode spelling, labels, who owns the replicas, GPU
placement, pod hardening, metrics scraping, resources), so emitters stay small pure functions that
only arrange data into Kubernetes shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import upstream
from .modelmesh import MODE as MODELMESH
from .access import AccessPlan, plan_access
from .errors import Location
from .resolve import Layer
from .spec.models import Environment, GpuClass, ModelService, Predictor, parse_version
from .spec.scaling import ExternalMetric, Scaling

if TYPE_CHECKING:
    from .lower_versions import CanaryPlan
    from .traffic_plan import TrafficPlan
from .spec.traffic import Exposure


@dataclass(frozen=True)
class GpuPlacement:
    class_name: str
    resource: str
    count: int
    node_selector: dict[str, str]
    tolerations: list[dict] = field(default_factory=list)
    runtime_class_name: str | None = None
    memory: str | int | float | None = None
    burst_annotations: dict[str, str] = field(default_factory=dict)  # ECI virtual-node burst


# Who owns the predictor's replicas (exactly one):
#   knative-kpa  Knative's pod autoscaler; KServe turns minReplicas/scaleMetric/... into annotations
#   knative-hpa  Knative's HPA class (cpu, memory): annotation autoscaling.knative.dev/class
#   kserve-hpa   KServe's own HPA `<isvc>-predictor` (autoscalerClass hpa)
#   hpa          an HPA this compiler emits (autoscalerClass external, so KServe makes none)
#   keda         KServe's ScaledObject `<isvc>-predictor` built from spec.predictor.autoScaling
#   fixed        no autoscaler: autoscalerClass none, KServe sets the Deployment to minReplicas
HPA_OWNERS = ("kserve-hpa", "hpa")


@dataclass(frozen=True)
class AutoscalerPlan:
    owner: str
    autoscaler_class: str | None  # serving.kserve.io/autoscalerClass; None in Knative mode
    min_replicas: int | None
    max_replicas: int | None
    metric: str | None
    target: str | int | float | None
    container_concurrency: int | None
    knative_annotations: dict[str, str]
    external: ExternalMetric | None
    scale_up_seconds: int | None
    scale_down_seconds: int | None
    ceiling: int | None  # most replicas that can run; None: unbounded (Knative without maxReplicas)


@dataclass(frozen=True)
class MetricsPlan:
    kind: str  # PodMonitor | ServiceMonitor
    interval: str
    labels: dict[str, str]
    port: int  # where Prometheus scrapes
    port_name: str  # the named container port (PodMonitor) or Service port (ServiceMonitor)
    path: str
    isvc_annotations: dict[str, str]  # Knative mode: metric aggregation through queue-proxy
    container_ports: tuple[dict, ...]  # ports to declare on the model server (Standard PodMonitor)


@dataclass(frozen=True)
class ServicePlan:
    name: str
    namespace: str
    environment: str
    source: str  # the service file, relative to the project root: names it in rendered headers
    mode: str  # knative | standard
    kserve_version: tuple[int, int, int]
    deployment_mode: str  # the annotation value, spelled for the KServe version
    labels: dict[str, str]
    annotations: dict[str, str]
    predictor: Predictor
    scaling: Scaling
    resources: dict[str, dict[str, str | int | float]]
    gpu: GpuPlacement | None
    autoscaler: AutoscalerPlan
    security_context: dict | None  # of the model server container; None when not hardened
    metrics: MetricsPlan | None
    spread: bool  # several replicas always run: spread them and keep them up through disruptions
    timeout_seconds: int | None
    layer: Layer = field(compare=False, repr=False)
    # Versions and traffic (compiler/lower_versions.py fills them; docs/traffic.md):
    service: str = ""  # the ModelService; differs from `name` when versions are split
    version: str | None = None  # the version this plan's predictor serves, when versions are listed
    canary_traffic_percent: int | None = None  # Knative native canary: the newest version's share
    canaries: tuple[CanaryPlan, ...] = ()  # Standard spec.canary[] (KServe >= v0.20)
    traffic: TrafficPlan | None = None
    exposure: Exposure = field(default_factory=Exposure)
    access: AccessPlan | None = None  # None: no access policies (no mesh, or no `access` in the spec)
    runs_here: bool = True  # False: spec.environments leaves this environment out, nothing is emitted

    def locate(self, *key_path: str | int) -> Location:
        """Where in the user's files the spec key path was set (for output → input tracing)."""
        return self.layer.locate(tuple(key_path))


def recommended_labels(service: ModelService, env: Environment) -> dict[str, str]:
    spec = service.spec
    labels = {
        "app.kubernetes.io/name": service.metadata.name,
        "app.kubernetes.io/part-of": spec.part_of or env.spec.part_of or service.metadata.name,
        "app.kubernetes.io/managed-by": upstream.MANAGED_BY,
    }
    if spec.version:
        labels["app.kubernetes.io/version"] = spec.version
    return {**service.metadata.labels, **labels}


# ---------------------------------------------------------------- scaling


def _has_windows(scaling: Scaling) -> bool:
    windows = scaling.stabilization
    return windows is not None and (windows.scale_up_seconds is not None or windows.scale_down_seconds is not None)


def autoscaler_owner(scaling: Scaling, mode: str | None, kserve_version: tuple[int, int, int]) -> str:
    """Pick the one owner of replicas from the mode and the metric (rules check the combination)."""
    if mode != "standard":
        return "knative-hpa" if scaling.metric in ("cpu", "memory") else "knative-kpa"
    if scaling.metric == "external":
        # A query runs in KEDA (KServe builds the ScaledObject); a metric name is read by an HPA
        # from the external metrics API, which KServe's own HPA cannot do.
        return "keda" if scaling.external is not None and scaling.external.query else "hpa"
    if scaling.metric in ("cpu", "memory") and _has_windows(scaling):
        return "hpa"  # KServe's own HPA leaves spec.behavior empty (hpa_reconciler createHPA)
    fixed = scaling.metric is None and scaling.min_replicas is not None and scaling.min_replicas >= 1 and scaling.max_replicas == scaling.min_replicas
    if fixed and kserve_version >= upstream.CLASS_NONE_RELEASE:
        return "fixed"
    return "kserve-hpa"


def effective_min_replicas(scaling: Scaling, owner: str) -> int | None:
    """An HPA cannot scale to zero: KServe raises minReplicas 0 to 1 (KS-15), and so do we."""
    if owner in HPA_OWNERS and scaling.min_replicas is not None:
        return max(scaling.min_replicas, 1)
    if owner == "hpa":
        return 1
    return scaling.min_replicas


def replica_ceiling(scaling: Scaling, mode: str | None, owner: str) -> int | None:
    """The most replicas that can run, None when unbounded (Knative without maxReplicas).

    In Standard mode KServe raises a missing or lower maxReplicas to minReplicas."""
    high = scaling.max_replicas or 0
    if mode != "standard":
        return high or None
    low = effective_min_replicas(scaling, owner)
    return max(high, 1 if low is None else low)


def _knative_annotations(scaling: Scaling, owner: str) -> dict[str, str]:
    """The Knative annotations KServe does not derive itself (serving-rules §1.4)."""
    annotations = {}
    if owner == "knative-hpa":
        # KServe writes the class only when none is set: this picks Knative's HPA class.
        annotations[upstream.KNATIVE_CLASS_ANNOTATION] = upstream.KNATIVE_HPA_CLASS
    if scaling.initial_scale is not None:
        annotations[upstream.KNATIVE_INITIAL_SCALE_ANNOTATION] = str(scaling.initial_scale)
    if scaling.scale_to_zero_retention_seconds is not None:
        annotations[upstream.KNATIVE_RETENTION_ANNOTATION] = f"{scaling.scale_to_zero_retention_seconds}s"
    if scaling.stabilization is not None and scaling.stabilization.scale_down_seconds is not None:
        annotations[upstream.KNATIVE_SCALE_DOWN_DELAY_ANNOTATION] = f"{scaling.stabilization.scale_down_seconds}s"
    return annotations


_AUTOSCALER_CLASS = {
    "kserve-hpa": upstream.AUTOSCALER_CLASS_HPA,
    "hpa": upstream.AUTOSCALER_CLASS_EXTERNAL,
    "keda": upstream.AUTOSCALER_CLASS_KEDA,
    "fixed": upstream.AUTOSCALER_CLASS_NONE,
}


def plan_autoscaler(scaling: Scaling, mode: str | None, kserve_version: tuple[int, int, int]) -> AutoscalerPlan:
    owner = autoscaler_owner(scaling, mode, kserve_version)
    knative = owner.startswith("knative")
    windows = scaling.stabilization
    return AutoscalerPlan(
        owner=owner,
        autoscaler_class=_AUTOSCALER_CLASS.get(owner),
        min_replicas=effective_min_replicas(scaling, owner),
        max_replicas=scaling.max_replicas,
        metric=scaling.metric,
        target=scaling.target,
        # containerConcurrency is a Knative revision setting; a Deployment has no such field.
        container_concurrency=scaling.container_concurrency if knative else None,
        knative_annotations=_knative_annotations(scaling, owner) if knative else {},
        external=scaling.external if scaling.metric == "external" else None,
        scale_up_seconds=windows.scale_up_seconds if windows else None,
        scale_down_seconds=windows.scale_down_seconds if windows else None,
        ceiling=replica_ceiling(scaling, mode, owner),
    )


# ---------------------------------------------------------------- GPU placement and resources


def _resources(predictor: Predictor, gpu: GpuPlacement | None) -> dict[str, dict]:
    requests = dict(predictor.resources.requests) if predictor.resources else {}
    limits = dict(predictor.resources.limits) if predictor.resources else {}
    if gpu is not None:
        # Extended resources go in limits; Kubernetes sets the request equal (GPU-01).
        limits[gpu.resource] = gpu.count
    result = {}
    if limits:
        result["limits"] = limits
    if requests:
        result["requests"] = requests
    return result


def _burst_annotations(gpu_class: GpuClass) -> dict[str, str]:
    """The virtual-node annotations of the elastic-inference seed (serving-rules §6)."""
    if gpu_class.elastic is None:
        return {}
    annotations = {upstream.ECI_BURST_ANNOTATION: gpu_class.elastic.burst}
    if gpu_class.elastic.eci_use_specs:
        annotations[upstream.ECI_USE_SPECS_ANNOTATION] = ",".join(gpu_class.elastic.eci_use_specs)
    return annotations


def _gpu(service: ModelService, classes: dict[str, GpuClass]) -> GpuPlacement | None:
    request = service.spec.hardware.gpu
    if request is None:
        return None
    gpu_class = classes[request.class_]  # GPU-CLASS has reported unknown classes before lowering
    return GpuPlacement(
        class_name=request.class_,
        resource=gpu_class.resource,
        count=request.count,
        node_selector=dict(gpu_class.node_selector),
        tolerations=[toleration.model_dump(by_alias=True, exclude_none=True) for toleration in gpu_class.tolerations],
        runtime_class_name=gpu_class.runtime_class_name,
        memory=gpu_class.memory,
        burst_annotations=_burst_annotations(gpu_class),
    )


# ---------------------------------------------------------------- pod hardening

# Which model servers may run with a read-only root filesystem, decided from what each KServe
# runtime writes at run time (the model itself sits on the /mnt/models volume, not the image):
#   tensorflow  TF Serving is one C++ binary that only reads the model: read-only.
#   sklearn, xgboost, lightgbm  KServe's Python servers load the model into memory: read-only.
#   pytorch     TorchServe unpacks model archives and writes logs next to itself: writable.
#   huggingface the server caches tokenizers and compiled kernels under $HOME/.cache: writable.
#   triton, onnx  Triton is not known to run read-only: writable.
#   custom container  an unknown image: writable unless the spec says otherwise.
_READ_ONLY_ROOT_FORMATS = frozenset({"tensorflow", "sklearn", "xgboost", "lightgbm"})
# The TF Serving image declares no user; KServe's own runtime runs it as 1000 for the same reason.
_RUN_AS_USER = {"tensorflow": 1000}


def security_context(predictor: Predictor) -> dict | None:
    """The container securityContext of the model server, or None when hardening is off.

    Set on the container rather than the pod: Knative accepts these container fields without
    feature flags, and injected containers (istio-init, queue-proxy) keep their own settings."""
    security = predictor.security
    if not security.hardened:
        return None
    model_format = predictor.model.format if predictor.model else None
    read_only = security.read_only_root_filesystem
    if read_only is None:
        read_only = model_format in _READ_ONLY_ROOT_FORMATS
    context: dict = {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": True,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    if read_only:
        context["readOnlyRootFilesystem"] = True
    run_as_user = security.run_as_user or _RUN_AS_USER.get(model_format or "")
    if run_as_user:
        context["runAsUser"] = run_as_user
    return context


# ---------------------------------------------------------------- metrics


def _model_server_metrics_port(predictor: Predictor) -> int:
    model_format = predictor.model.format if predictor.model else ""
    return upstream.MODEL_SERVER_METRICS_PORT.get(model_format, upstream.MODEL_SERVER_PORT)


def _declared_ports(predictor: Predictor, metrics_port: int) -> tuple[list[dict], str]:
    """The model server's ports with the metrics port declared and named: a PodMonitor scrapes
    only declared ports. The serving port stays first, as KServe's Service targets the first."""
    declared = [port.model_dump(by_alias=True, exclude_none=True) for port in predictor.container.ports] if predictor.container else []
    if not declared:
        declared = [{"name": "http", "containerPort": upstream.MODEL_SERVER_PORT, "protocol": "TCP"}]
    for index, port in enumerate(declared):
        if port["containerPort"] == metrics_port:
            declared[index] = {"name": "metrics", **port}
            return declared, declared[index]["name"]
    declared.append({"name": "metrics", "containerPort": metrics_port, "protocol": "TCP"})
    return declared, "metrics"


def _metrics(service: ModelService, env: Environment) -> MetricsPlan | None:
    prometheus = env.spec.observability.prometheus
    wanted = service.spec.observability.metrics
    if not prometheus.enabled or not wanted.enabled:
        return None
    predictor = service.spec.predictor
    server_port = wanted.port or _model_server_metrics_port(predictor)
    path = wanted.path or upstream.METRICS_PATH
    common = {"kind": prometheus.kind, "interval": prometheus.interval, "labels": dict(prometheus.labels)}
    if service.spec.mode != "standard":
        # Knative allows one container port; queue-proxy serves the model server's metrics with its
        # own on `aggr-metric` once the ISVC asks for aggregation (KServe's pod mutator adds the port).
        annotations = {upstream.METRIC_AGGREGATION_ANNOTATION: "true"}
        if wanted.port or wanted.path or predictor.container:
            annotations[upstream.PROMETHEUS_PORT_ANNOTATION] = str(server_port)
            annotations[upstream.PROMETHEUS_PATH_ANNOTATION] = path
        return MetricsPlan(**common, port=upstream.AGGREGATE_METRICS_PORT, port_name=upstream.AGGREGATE_METRICS_PORT_NAME, path=upstream.METRICS_PATH, isvc_annotations=annotations, container_ports=())
    if prometheus.kind == "ServiceMonitor":
        # A Service reaches any port of the pod, declared or not.
        return MetricsPlan(**common, port=server_port, port_name="metrics", path=path, isvc_annotations={}, container_ports=())
    ports, name = _declared_ports(predictor, server_port)
    return MetricsPlan(**common, port=server_port, port_name=name, path=path, isvc_annotations={}, container_ports=tuple(ports))


# ---------------------------------------------------------------- the plan


def lower_service(service: ModelService, env: Environment, layer: Layer, source: str) -> ServicePlan:
    spec = service.spec
    if spec.mode == MODELMESH or not service.runs_in(env.metadata.name):
        return _plan_without_pods(service, env, layer, source)
    kserve_version = parse_version(env.spec.versions.kserve)
    assert spec.mode is not None  # KS-01 rejects a service without a mode before lowering
    gpu = _gpu(service, env.spec.gpu_classes)
    autoscaler = plan_autoscaler(spec.scaling, spec.mode, kserve_version)
    annotations = {k: v for k, v in service.metadata.annotations.items() if k != upstream.DEPLOYMENT_MODE_ANNOTATION}
    always_running = autoscaler.min_replicas if autoscaler.min_replicas is not None else 1
    return ServicePlan(
        name=service.metadata.name,
        namespace=env.spec.namespace,
        environment=env.metadata.name,
        source=source,
        mode=spec.mode,
        kserve_version=kserve_version,
        deployment_mode=upstream.deployment_mode_value(spec.mode, kserve_version),
        labels=recommended_labels(service, env),
        annotations=annotations,
        predictor=spec.predictor,
        scaling=spec.scaling,
        resources=_resources(spec.predictor, gpu),
        gpu=gpu,
        autoscaler=autoscaler,
        security_context=security_context(spec.predictor),
        metrics=_metrics(service, env),
        # Knative places and drains revision pods itself; a Deployment needs the help.
        spread=spec.mode == "standard" and always_running >= 2,
        timeout_seconds=spec.predictor.timeout_seconds,
        layer=layer,
        exposure=spec.exposure,
        access=plan_access(service, env),
    )


# ModelMesh loads a model into the shared pods of a ServingRuntime: the runtime owns replicas,
# resources, GPUs and pod settings (MM-05), so KServe's autoscaling fields stay unset.
RUNTIME_OWNED = AutoscalerPlan(
    owner="modelmesh-runtime", autoscaler_class=None, min_replicas=None, max_replicas=None, metric=None, target=None,
    container_concurrency=None, knative_annotations={}, external=None, scale_up_seconds=None, scale_down_seconds=None, ceiling=0,
)


def _plan_without_pods(service: ModelService, env: Environment, layer: Layer, source: str) -> ServicePlan:
    """A plan that places no pods: a ModelMesh model (its runtime's pods serve it), or a service the
    environment does not render (spec.environments), whose rules were not run here."""
    spec = service.spec
    kserve_version = parse_version(env.spec.versions.kserve)
    return ServicePlan(
        name=service.metadata.name,
        namespace=env.spec.namespace,
        environment=env.metadata.name,
        source=source,
        mode=spec.mode or "",
        kserve_version=kserve_version,
        deployment_mode=upstream.deployment_mode_value(spec.mode, kserve_version) if spec.mode else "",
        labels=recommended_labels(service, env),
        annotations={k: v for k, v in service.metadata.annotations.items() if k != upstream.DEPLOYMENT_MODE_ANNOTATION},
        predictor=spec.predictor,
        scaling=spec.scaling,
        resources={},
        gpu=None,
        autoscaler=RUNTIME_OWNED,
        security_context=None,
        metrics=None,
        spread=False,
        timeout_seconds=None,
        layer=layer,
        runs_here=service.runs_in(env.metadata.name),
    )
