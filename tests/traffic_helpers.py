"""Builders for the versions and traffic tests: a service with versions, resolved like compile
does (each version's predictor merged onto spec.predictor), lowered into its plans."""

from __future__ import annotations

from compiler.plan.versions import lower_service_plans
from compiler.source.resolve import Layer, expand_versions
from compiler.spec.models import Environment, ModelService
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

MESH = {"mesh": {}, "domain": "models.example.com"}


def versions(*weights: tuple[str, int]) -> list[dict]:
    """Listed versions; each after the first serves gs://bucket/<name>."""
    listed = []
    for index, (name, weight) in enumerate(weights):
        entry: dict = {"name": name, "weight": weight}
        if index:
            entry["predictor"] = {"model": {"storageUri": f"gs://bucket/{name}"}}
        listed.append(entry)
    return listed


def service_of(spec: dict | None = None) -> tuple[ModelService, Layer]:
    data = patched(BASE_SERVICE, {"spec": spec or {}})
    layer = expand_versions(Layer(data, {}, "services/iris.yaml"))
    return ModelService.model_validate(layer.data), layer


def env_of(spec: dict | None = None) -> Environment:
    return Environment.model_validate(patched(BASE_ENV, {"spec": spec or {}}))


def plans_of(spec: dict | None = None, env_spec: dict | None = None):
    service, layer = service_of(spec)
    env = env_of(env_spec)
    return lower_service_plans(service, env, layer, "services/iris.yaml"), env

