"""Emit the KServe InferenceService (serving.kserve.io/v1beta1) of a service plan."""

from __future__ import annotations

from ..bundle import Manifest
from ..errors import Location
from ..lower import ServicePlan
from ..spec.models import EnvVar, Environment
from ..upstream import DEPLOYMENT_MODE_ANNOTATION

API_VERSION = "serving.kserve.io/v1beta1"
# KServe's name for the model server container of a custom predictor.
CUSTOM_CONTAINER_NAME = "kserve-container"


def _env(variables: list[EnvVar]) -> list[dict]:
    return [var.model_dump(by_alias=True, exclude_none=True) for var in variables]


def _drop_empty(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in (None, [], {}, "")}


def _model(plan: ServicePlan) -> dict:
    model = plan.predictor.model
    assert model is not None
    return _drop_empty(
        {
            "modelFormat": _drop_empty({"name": model.format, "version": model.format_version}),
            "storageUri": model.storage_uri,
            "runtime": model.runtime,
            "runtimeVersion": model.runtime_version,
            "protocolVersion": model.protocol_version,
            "args": list(model.args),
            "env": _env(model.env),
            "resources": plan.resources,
        }
    )


def _container(plan: ServicePlan) -> dict:
    container = plan.predictor.container
    assert container is not None
    env = _env(container.env)
    if container.storage_uri:
        # KServe runs its storage initializer for a custom container when STORAGE_URI is set.
        env.append({"name": "STORAGE_URI", "value": container.storage_uri})
    return _drop_empty(
        {
            "name": CUSTOM_CONTAINER_NAME,
            "image": container.image,
            "command": list(container.command),
            "args": list(container.args),
            "env": env,
            "ports": [port.model_dump(by_alias=True, exclude_none=True) for port in container.ports],
            "resources": plan.resources,
        }
    )


def _predictor(plan: ServicePlan) -> dict:
    predictor = plan.predictor
    scaling = plan.scaling
    credentials = predictor.credentials
    body: dict = {
        "minReplicas": scaling.min_replicas,
        "maxReplicas": scaling.max_replicas,
        "containerConcurrency": scaling.container_concurrency,
        "serviceAccountName": credentials.service_account_name if credentials else None,
        "imagePullSecrets": [{"name": name} for name in credentials.image_pull_secrets] if credentials else [],
        "labels": {**predictor.labels, "app.kubernetes.io/name": plan.name},
        "annotations": dict(predictor.annotations),
        "nodeSelector": dict(plan.gpu.node_selector) if plan.gpu else {},
    }
    if predictor.model is not None:
        body["model"] = _model(plan)
        if predictor.model.storage_uris:
            body["storageUris"] = [item.model_dump(by_alias=True, exclude_none=True) for item in predictor.model.storage_uris]
    else:
        body["containers"] = [_container(plan)]
    return _drop_empty(body)


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
        f"{predictor}/nodeSelector": plan.locate("spec", "hardware", "gpu"),
    }
    for key in ("storageUri", "runtime", "runtimeVersion", "protocolVersion", "args", "env", "image", "command", "ports"):
        origins[f"{impl}/{key}"] = plan.locate(*spec_impl, key)
    return origins


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    annotations = {**plan.annotations, DEPLOYMENT_MODE_ANNOTATION: plan.deployment_mode}
    body = {
        "apiVersion": API_VERSION,
        "kind": "InferenceService",
        "metadata": {
            "name": plan.name,
            "namespace": plan.namespace,
            "labels": dict(plan.labels),
            "annotations": annotations,
        },
        "spec": {"predictor": _predictor(plan)},
    }
    return [Manifest(body, service=plan.name, origins=_origins(plan))]
