"""Lower: one checked service spec + its environment → a plan the emitters render.

The plan holds every decision (deployment mode spelling, labels, who owns the replicas, GPU
placement, pod hardening, metrics scraping, resources), so emitters stay small pure functions that
only arrange data into Kubernetes shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import upstream
from .modelmesh import MODE as MODELMESH
from .graph import MODE as GRAPH, GraphPlan
from .access import AccessPlan, plan_access
from ..errors import Location
from ..source.resolve import Layer
from ..spec.base import Resources
from ..spec.models import WITHOUT_PREDICTOR, Environment, GpuClass, GpuRequest, ModelService, Predictor, parse_version
from .scaling import AutoscalerPlan, plan_autoscaler
from .kserve_versions import KServeRelease
from ..spec.scaling import Scaling
from ..spec.traffic import Exposure
from .traffic import TrafficPlan


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
    llm: object = None  # plan/llm.py LlmPlan, for a `mode: llm` service (an LLMInferenceService)
    graph: GraphPlan | None = None  # for a `mode: graph` service (an InferenceGraph)
    ray: object = None  # plan/ray.py RayPlan, for a `mode: ray` service (a RayService)
    components: tuple = ()  # plan/components.py ComponentPlan: the transformer and explainer beside the predictor

    @property
    def release(self) -> KServeRelease:
        """What the environment's KServe release spells and accepts (plan/kserve_versions.py)."""
        return KServeRelease(self.kserve_version[:2])

    def locate(self, *key_path: str | int) -> Location:
        """Where in the user's files the spec key path was set (for output → input tracing)."""
        return self.layer.locate(tuple(key_path))


@dataclass(frozen=True)
class CanaryPlan:
    """One entry of spec.canary[]: a version after the first, with its share of the traffic."""

    version: str
    weight: int
    index: int  # where the version sits in spec.versions
    plan: ServicePlan  # its predictor, lowered like a service of its own


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


def resources_with_gpu(resources: Resources | None, gpu: GpuPlacement | None, gpu_in_requests: bool = False) -> dict[str, dict]:
    """Kubernetes resources of one container, with its GPU class's count. Extended resources go in
    limits and Kubernetes sets the request equal (GPU-01); `gpu_in_requests` writes it in both
    (KubeRay reads the GPU count from either, RAY-03)."""
    limits = dict(resources.limits) if resources else {}
    requests = dict(resources.requests) if resources else {}
    if gpu is not None:
        limits[gpu.resource] = gpu.count
        if gpu_in_requests:
            requests[gpu.resource] = gpu.count
    return {key: value for key, value in (("limits", limits), ("requests", requests)) if value}


def _burst_annotations(gpu_class: GpuClass) -> dict[str, str]:
    """The virtual-node annotations of the elastic-inference seed (serving-rules §6)."""
    if gpu_class.elastic is None:
        return {}
    annotations = {upstream.ECI_BURST_ANNOTATION: gpu_class.elastic.burst}
    if gpu_class.elastic.eci_use_specs:
        annotations[upstream.ECI_USE_SPECS_ANNOTATION] = ",".join(gpu_class.elastic.eci_use_specs)
    return annotations


def _gpu(service: ModelService, classes: dict[str, GpuClass]) -> GpuPlacement | None:
    return gpu_placement(service.spec.hardware.gpu, classes)


def gpu_placement(request: GpuRequest | None, classes: dict[str, GpuClass]) -> GpuPlacement | None:
    """Where pods asking for `request` run; also the placement of a transformer or explainer."""
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
    if spec.mode == MODELMESH or spec.mode in WITHOUT_PREDICTOR:  # plan/llm.py, plan/graph.py add their own plan
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
        deployment_mode=KServeRelease(kserve_version[:2]).deployment_mode(spec.mode),
        labels=recommended_labels(service, env),
        annotations=annotations,
        predictor=spec.predictor,
        scaling=spec.scaling,
        resources=resources_with_gpu(spec.predictor.resources, gpu),
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
    """A plan that places no pods: a ModelMesh model, which its runtime's pods serve."""
    spec = service.spec
    kserve_version = parse_version(env.spec.versions.kserve)
    return ServicePlan(
        name=service.metadata.name,
        namespace=env.spec.namespace,
        environment=env.metadata.name,
        source=source,
        mode=spec.mode or "",
        kserve_version=kserve_version,
        deployment_mode=KServeRelease(kserve_version[:2]).deployment_mode(spec.mode) if spec.mode in upstream.MODE_SPELLING else "",
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
        graph=GraphPlan(spec.graph, recommended_labels(service, env)) if spec.mode == GRAPH and spec.graph else None,
    )
