"""Emit the KServe InferenceService (serving.kserve.io/v1beta1) of a service plan.

Scaling fields follow the plan's replica owner: Knative and KServe's own HPA get minReplicas,
scaleMetric and scaleTarget; KEDA gets spec.predictor.autoScaling; an HPA of ours gets
autoscalerClass external so KServe makes none. No `replicas` is written anywhere.
"""

from __future__ import annotations

from .visibility import visibility_labels
from .manifest import Manifest, drop_empty
from .components import add_components
from . import pod
from ..errors import Location
from .. import upstream
from ..plan.service import ServicePlan
from ..plan.scaling import AutoscalerPlan
from ..plan.modelmesh import MODE as MODELMESH
from ..spec.models import WITHOUT_PREDICTOR, EnvVar, Environment
from ..plan.service import CanaryPlan
from ..plan.traffic import VERSION_LABEL
from ..upstream import DEPLOYMENT_MODE_ANNOTATION
from ..plan import kserve_versions
from ..plan.kserve_versions import FRAMEWORK_FIELDS, KServeRelease

API_VERSION = "serving.kserve.io/v1beta1"
# KServe's name for the model server container of a custom predictor.
CUSTOM_CONTAINER_NAME = "kserve-container"


def _env(variables: list[EnvVar]) -> list[dict]:
    return [var.model_dump(by_alias=True, exclude_none=True) for var in variables]


def _model(plan: ServicePlan) -> dict:
    """predictor.model (KServe v0.8+), or the body of the format's framework field before it: the
    same container fields without modelFormat and runtime, which rule KS-24 keeps off v0.7."""
    model = plan.predictor.model
    assert model is not None
    selection = {"modelFormat": drop_empty({"name": model.format, "version": model.format_version}), "runtime": model.runtime} if plan.release.has("model-format") else {}
    return drop_empty(
        {
            **selection,
            "storageUri": model.storage_uri,
            "runtimeVersion": model.runtime_version,
            "protocolVersion": model.protocol_version,
            "args": list(model.args) + pod.served_name_args(model),
            "env": _env(model.env),
            "ports": [dict(port) for port in plan.metrics.container_ports] if plan.metrics else [],
            "resources": plan.resources,
            "securityContext": plan.security_context,
            **pod.container_fields(plan),
        }
    )


def _container(plan: ServicePlan) -> dict:
    container = plan.predictor.container
    assert container is not None
    env = _env(container.env)
    if container.storage_uri:
        # KServe runs its storage initializer for a custom container when STORAGE_URI is set.
        env.append({"name": "STORAGE_URI", "value": container.storage_uri})
    ports = [port.model_dump(by_alias=True, exclude_none=True) for port in container.ports]
    if plan.metrics and plan.metrics.container_ports:
        ports = [dict(port) for port in plan.metrics.container_ports]
    return drop_empty(
        {
            "name": CUSTOM_CONTAINER_NAME,
            "image": container.image,
            "command": list(container.command),
            "args": list(container.args),
            "env": env,
            "ports": ports,
            "resources": plan.resources,
            "securityContext": plan.security_context,
            **pod.container_fields(plan),
        }
    )


def _whole(value: str | int | float | None) -> int | None:
    """scaleTarget is an int32 in KServe; the rules have checked the value is whole."""
    return None if value is None else int(float(value))


def _keda_autoscaling(scaler: AutoscalerPlan) -> dict:
    """spec.predictor.autoScaling: KServe builds its ScaledObject from it (class keda, v0.15+)."""
    external = scaler.external
    assert external is not None and external.query
    metric = {
        "type": "External",
        "external": {
            "metric": drop_empty({"backend": external.backend, "serverAddress": external.server_address, "query": external.query}),
            # KServe hands target.value to KEDA as the threshold per replica.
            "target": {"type": "Value", "value": scaler.target},
        },
    }
    behavior = {}
    if scaler.scale_up_seconds is not None:
        behavior["scaleUp"] = {"stabilizationWindowSeconds": scaler.scale_up_seconds}
    if scaler.scale_down_seconds is not None:
        behavior["scaleDown"] = {"stabilizationWindowSeconds": scaler.scale_down_seconds}
    return drop_empty({"metrics": [metric], "behavior": behavior})


def _scaling_fields(scaler: AutoscalerPlan, release: KServeRelease) -> dict:
    fields: dict = {
        "minReplicas": scaler.min_replicas,
        "maxReplicas": scaler.max_replicas,
        "containerConcurrency": scaler.container_concurrency,
    }
    if scaler.owner in ("knative-kpa", "knative-hpa", "kserve-hpa") and release.has("scale-metric"):
        # KServe derives the Knative annotations or its own HPA from these two fields.
        fields["scaleMetric"] = scaler.metric
        fields["scaleTarget"] = _whole(scaler.target)
    elif scaler.owner == "keda":
        fields["autoScaling"] = _keda_autoscaling(scaler)
    return fields


def _spread(plan: ServicePlan) -> list[dict]:
    """Soft spreading over zones and nodes: never blocks scheduling (GPU nodes are scarce)."""
    if not plan.spread:
        return []
    selector = {"matchLabels": upstream.predictor_pod_labels(plan.name)}
    return [
        {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector}
        for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]


def _pod_labels(plan: ServicePlan) -> dict[str, str]:
    """The service's name on every predictor pod (every version's, when versions are split), and
    in Standard mode the version a DestinationRule subset selects (IS-03 reports a spec that sets
    it otherwise). Knative routes by revision: a label there would only roll a new revision."""
    labels = {**plan.predictor.labels, "app.kubernetes.io/name": plan.service or plan.name}
    if plan.version is not None and plan.mode == "standard":
        labels[VERSION_LABEL] = plan.version
    return labels


def _pod_annotations(plan: ServicePlan) -> dict[str, str]:
    gpu = plan.gpu
    return {**plan.predictor.annotations, **plan.autoscaler.knative_annotations, **(gpu.burst_annotations if gpu else {})}


def _predictor(plan: ServicePlan) -> dict:
    predictor = plan.predictor
    gpu = plan.gpu
    credentials = predictor.credentials
    # Before v0.11 the predictor has no labels or annotations of its own: KServe copies the
    # InferenceService's onto the pods, so emit() puts them there (kserve_versions component-metadata).
    component_metadata = plan.release.has("component-metadata")
    body: dict = {
        **_scaling_fields(plan.autoscaler, plan.release),
        "timeout": plan.timeout_seconds,
        "serviceAccountName": credentials.service_account_name if credentials else None,
        "imagePullSecrets": [{"name": name} for name in credentials.image_pull_secrets] if credentials else [],
        "labels": _pod_labels(plan) if component_metadata else {},
        "annotations": _pod_annotations(plan) if component_metadata else {},
        "nodeSelector": dict(gpu.node_selector) if gpu else {},
        "tolerations": [dict(toleration) for toleration in gpu.tolerations] if gpu else [],
        "runtimeClassName": gpu.runtime_class_name if gpu else None,
        "topologySpreadConstraints": _spread(plan),
        **pod.pod_fields(plan),
    }
    if predictor.model is not None:
        body["model" if plan.release.has("model-format") else FRAMEWORK_FIELDS[predictor.model.format]] = _model(plan)
        if predictor.model.storage_uris:
            body["storageUris"] = [item.model_dump(by_alias=True, exclude_none=True) for item in predictor.model.storage_uris]
    else:
        body["containers"] = [_container(plan)]
    return drop_empty(body)


def _origins(plan: ServicePlan) -> dict[str, Location]:
    """JSON pointers of the output → spec locations, so output errors name the spec field."""
    predictor = "/spec/predictor"
    impl = f"{predictor}/model" if plan.predictor.model else f"{predictor}/containers/0"
    spec_impl = ("spec", "predictor", "model" if plan.predictor.model else "container")
    origins = {
        "": plan.locate(),
        "/metadata": plan.locate("metadata"),
        predictor: plan.locate("spec", "predictor"),
        impl: plan.locate(*spec_impl),
        f"{impl}/resources": plan.locate("spec", "predictor", "resources"),
        f"{predictor}/minReplicas": plan.locate("spec", "scaling", "minReplicas"),
        f"{predictor}/maxReplicas": plan.locate("spec", "scaling", "maxReplicas"),
        f"{predictor}/containerConcurrency": plan.locate("spec", "scaling", "containerConcurrency"),
        f"{predictor}/scaleMetric": plan.locate("spec", "scaling", "metric"),
        f"{predictor}/scaleTarget": plan.locate("spec", "scaling", "target"),
        f"{predictor}/autoScaling": plan.locate("spec", "scaling", "external"),
        f"{predictor}/timeout": plan.locate("spec", "predictor", "timeoutSeconds"),
        f"{predictor}/nodeSelector": plan.locate("spec", "hardware", "gpu"),
        f"{predictor}/tolerations": plan.locate("spec", "hardware", "gpu"),
        f"{predictor}/runtimeClassName": plan.locate("spec", "hardware", "gpu"),
        f"{predictor}/topologySpreadConstraints": plan.locate("spec", "scaling", "minReplicas"),
        f"{impl}/securityContext": plan.locate("spec", "predictor", "security"),
        **pod.origins(plan, impl),
    }
    if plan.predictor.model and not plan.release.has("model-format"):
        framework = f"{predictor}/{FRAMEWORK_FIELDS[plan.predictor.model.format]}"
        origins[framework] = plan.locate(*spec_impl)
        for key in ("storageUri", "runtimeVersion", "protocolVersion", "args", "env", "ports"):
            origins[f"{framework}/{key}"] = plan.locate(*spec_impl, key)
    for key in ("storageUri", "runtime", "runtimeVersion", "protocolVersion", "args", "env", "image", "command", "ports"):
        origins[f"{impl}/{key}"] = plan.locate(*spec_impl, key)
    return origins


def _legacy_scaling_annotations(plan: ServicePlan) -> dict[str, str]:
    """Before scaleMetric/scaleTarget (v0.9) Knative read the metric and target from the
    InferenceService's annotations, which KServe copies onto the revision, and KServe's HPA read
    its own two (kserve_versions scale-metric)."""
    scaler = plan.autoscaler
    if plan.release.has("scale-metric") or scaler.metric is None:
        return {}
    target = _whole(scaler.target)
    if scaler.owner.startswith("knative"):
        found = {kserve_versions.KNATIVE_METRIC_ANNOTATION: scaler.metric, kserve_versions.KNATIVE_TARGET_ANNOTATION: None if target is None else str(target)}
    elif scaler.owner == "kserve-hpa":
        found = {kserve_versions.HPA_METRIC_ANNOTATION: scaler.metric, kserve_versions.HPA_TARGET_ANNOTATION: None if target is None else str(target)}
    else:
        found = {}
    return {key: value for key, value in found.items() if value is not None}


def _annotations(plan: ServicePlan) -> dict[str, str]:
    """The user's annotations, then what the compiler decides (rules flag any disagreement)."""
    annotations = {**plan.annotations, DEPLOYMENT_MODE_ANNOTATION: plan.deployment_mode}
    if not plan.release.has("component-metadata"):
        annotations.update(_pod_annotations(plan))
    annotations.update(_legacy_scaling_annotations(plan))
    if plan.autoscaler.autoscaler_class:
        annotations[upstream.AUTOSCALER_CLASS_ANNOTATION] = plan.autoscaler.autoscaler_class
    if plan.gpu:
        # Reviewers see the GPU class in the diff, not just a resource count.
        annotations[upstream.GPU_CLASS_ANNOTATION] = plan.gpu.class_name
    if plan.metrics:
        annotations.update(plan.metrics.isvc_annotations)
    return annotations


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    if plan.mode == MODELMESH:
        return []  # emit/modelmesh.py renders ModelMesh's InferenceServices
    if plan.mode in WITHOUT_PREDICTOR:
        return []  # emit/llm.py and emit/graph.py render these
    annotations = _annotations(plan)
    body = {
        "apiVersion": API_VERSION,
        "kind": "InferenceService",
        "metadata": {
            "name": plan.name,
            "namespace": plan.namespace,
            "labels": {**(dict(plan.labels) if plan.release.has("component-metadata") else {**plan.labels, **_pod_labels(plan)}), **visibility_labels(plan)},
            "annotations": annotations,
        },
        "spec": {"predictor": _predictor(plan)},
    }
    origins = _origins(plan)
    for label in visibility_labels(plan):
        origins["/metadata/labels/" + label.replace("~", "~0").replace("/", "~1")] = plan.locate("spec", "exposure", "internal")
    add_components(body, origins, plan)
    if plan.canary_traffic_percent is not None:
        # Knative mode: the predictor's revision gets this share, the previous rolled-out one the rest.
        body["spec"]["predictor"]["canaryTrafficPercent"] = plan.canary_traffic_percent
        origins["/spec/predictor/canaryTrafficPercent"] = plan.locate("spec", "versions", len(plan.traffic.weights) - 1 if plan.traffic else 0, "weight")
    if plan.canaries:
        body["spec"]["canary"] = [_canary(canary) for canary in plan.canaries]
        for position, canary in enumerate(plan.canaries):
            origins.update(_canary_origins(position, canary))
    return [Manifest(body, service=plan.name, origins=origins)]


# spec.canary[] (Standard mode, KServe >= v0.20): a canary inherits the stable predictor's scaling
# and KServe rejects these fields in it (validateCanarySpecs); without minReplicas KServe derives
# the canary's replicas from its share of the traffic.
_CANARY_FORBIDDEN = ("minReplicas", "maxReplicas", "scaleMetric", "scaleTarget", "autoScaling", "workerSpec", "containerConcurrency")


def _canary(canary: CanaryPlan) -> dict:
    predictor = {key: value for key, value in _predictor(canary.plan).items() if key not in _CANARY_FORBIDDEN}
    if "model" in predictor:
        # The CRD requires the container name in a canary's model (not in the stable one's): the
        # runtime's own container name, which KServe's merge with the runtime keeps anyway.
        predictor["model"] = {"name": CUSTOM_CONTAINER_NAME, **predictor["model"]}
    # The name makes its Deployment and Service `<isvc>-<name>-predictor`.
    return {"trafficPercent": canary.weight, "predictor": {"name": canary.version, **predictor}}


def _canary_origins(position: int, canary: CanaryPlan) -> dict[str, Location]:
    at = f"/spec/canary/{position}"
    origins = {at: canary.plan.locate("spec", "versions", canary.index), f"{at}/trafficPercent": canary.plan.locate("spec", "versions", canary.index, "weight")}
    for pointer, location in _origins(canary.plan).items():
        if pointer.startswith("/spec/predictor"):
            origins[at + pointer.removeprefix("/spec")] = location
    return origins
