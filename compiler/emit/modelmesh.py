"""Emit ModelMesh objects: the InferenceService of a ModelMesh model, and the environment's
multi-model ServingRuntimes (serving.kserve.io/v1alpha1) that ModelMesh loads models into.

A ModelMesh InferenceService holds only what ModelMesh reads — the format, an optional runtime and
the storage — like the seed's tf-mnist; replicas and resources belong to the runtimes.
"""

from __future__ import annotations

from .manifest import Manifest, drop_empty
from ..plan.service import ServicePlan
from ..plan.modelmesh import is_modelmesh, runtimes_of
from ..plan.kserve_versions import release_of
from ..spec.modelmesh import ModelMeshRuntime
from ..spec.models import Environment, EnvVar
from ..upstream import DEPLOYMENT_MODE_ANNOTATION, MANAGED_BY

ISVC_API_VERSION = "serving.kserve.io/v1beta1"
RUNTIME_API_VERSION = "serving.kserve.io/v1alpha1"
# KServe looks up a single-model runtime's server by this name; ModelMesh's built-in runtimes
# name the container after the server type (config/runtimes/*.yaml).
KSERVE_CONTAINER = "kserve-container"
MODEL = "/spec/predictor/model"


def _env(variables: list[EnvVar]) -> list[dict]:
    return [var.model_dump(by_alias=True, exclude_none=True) for var in variables]


# ---------------------------------------------------------------- the model


def _model(plan: ServicePlan) -> dict:
    model = plan.predictor.model
    assert model is not None  # KS-05 has required a model
    storage = model.storage.model_dump(by_alias=True, exclude_none=True) if model.storage else {}
    return drop_empty(
        {
            "modelFormat": drop_empty({"name": model.format, "version": model.format_version}),
            "runtime": model.runtime,
            "storageUri": model.storage_uri,
            "storage": drop_empty(storage),
        }
    )


def inference_service(plan: ServicePlan) -> Manifest:
    body = {
        "apiVersion": ISVC_API_VERSION,
        "kind": "InferenceService",
        "metadata": {
            "name": plan.name,
            "namespace": plan.namespace,
            "labels": dict(plan.labels),
            "annotations": {**plan.annotations, DEPLOYMENT_MODE_ANNOTATION: plan.deployment_mode},
        },
        "spec": {"predictor": {"model": _model(plan)}},
    }
    spec_model = ("spec", "predictor", "model")
    origins = {
        "": plan.locate(),
        "/metadata": plan.locate("metadata"),
        MODEL: plan.locate(*spec_model),
        f"{MODEL}/modelFormat": plan.locate(*spec_model, "format"),
        f"{MODEL}/runtime": plan.locate(*spec_model, "runtime"),
        f"{MODEL}/storageUri": plan.locate(*spec_model, "storageUri"),
        f"{MODEL}/storage": plan.locate(*spec_model, "storage"),
    }
    return Manifest(body, service=plan.name, origins=origins)


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    return [inference_service(plan)] if is_modelmesh(plan.mode) else []


# ---------------------------------------------------------------- the runtimes


def environment_labels(name: str, component: str, env: Environment) -> dict[str, str]:
    """Labels of the environment's ModelMesh objects, which belong to no single service."""
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": env.spec.part_of or "inferplane",
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def _container(runtime: ModelMeshRuntime) -> dict:
    adapter = runtime.built_in_adapter
    return drop_empty(
        {
            "name": adapter.server_type if adapter else KSERVE_CONTAINER,
            "image": runtime.image,
            "command": list(runtime.command),
            "args": list(runtime.args),
            "env": _env(runtime.env),
            "resources": runtime.resources.model_dump(by_alias=True, exclude_defaults=True) if runtime.resources else None,
        }
    )


def serving_runtime(runtime: ModelMeshRuntime, env: Environment) -> Manifest:
    formats = [f.model_dump(by_alias=True, exclude_none=True) for f in runtime.supported_model_formats]
    spec = {
        "supportedModelFormats": formats,
        # KServe before v0.9 has no protocolVersions (KS-25 reports one written by hand).
        "protocolVersions": list(runtime.protocol_versions) if release_of(env).has("runtime-protocol-versions") else None,
        "multiModel": runtime.multi_model,
        "grpcEndpoint": runtime.grpc_endpoint,
        "grpcDataEndpoint": runtime.grpc_data_endpoint,
        "replicas": runtime.replicas,
        "containers": [_container(runtime)],
        "builtInAdapter": runtime.built_in_adapter.model_dump(by_alias=True, exclude_none=True) if runtime.built_in_adapter else None,
    }
    body = {
        "apiVersion": RUNTIME_API_VERSION,
        "kind": "ServingRuntime",
        "metadata": {"name": runtime.name, "namespace": env.spec.namespace, "labels": environment_labels(runtime.name, "modelmesh-runtime", env)},
        "spec": {key: value for key, value in spec.items() if value is not None},
    }
    return Manifest(body)


def emit_environment(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    """Every runtime the environment declares, whether or not a model uses it yet: ModelMesh keeps
    an unused runtime at zero pods, and a runtime appearing with its first model would hide the
    runtime change in a model's pull request."""
    return [serving_runtime(runtime, env) for runtime in runtimes_of(env)]
