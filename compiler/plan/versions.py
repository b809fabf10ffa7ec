"""Lower a service with versions into the plans of its InferenceServices (docs/traffic.md).

`single`, `native` and `canary` give one plan named after the service; `split` gives one plan per
version, named `<service>-<version>`. A version's predictor is lowered like a service of its own
(resources, pod hardening and metrics follow its predictor), and every output field it produces
still points at the user's file: the version's own keys at the version, shared keys at
spec.predictor.
"""

from __future__ import annotations

from dataclasses import replace

from .. import naming
from .components import ComponentPlan, plan_components
from .endpoints import ENDPOINT_MODES, with_endpoint
from .llm import MODE as LLM, lower_llm
from .ray import plan_ray
from .service import CanaryPlan, ServicePlan, lower_service
from ..source.resolve import Layer
from ..spec.models import Environment, ModelService, Predictor
from .traffic import ROUTED_MODES, TrafficPlan, model_named_after_isvc, plan_traffic


def version_view(service: ModelService, index: int, predictor: Predictor | None = None) -> ModelService:
    """The service as if spec.predictor were version `index`'s (already merged) predictor."""
    chosen = predictor or service.spec.versions[index].predictor
    return service.model_copy(update={"spec": service.spec.model_copy(update={"predictor": chosen})})


def version_layer(layer: Layer, index: int) -> Layer:
    """The resolved document with version `index`'s predictor at spec.predictor (and its
    transformer at spec.transformer, when it sets one), positions included."""
    version = layer.data["spec"]["versions"][index]
    keys = ("predictor", "transformer") if isinstance(version, dict) and isinstance(version.get("transformer"), dict) else ("predictor",)
    positions = {path: location for path, location in layer.positions.items() if path[:2] not in [("spec", key) for key in keys]}
    spec = dict(layer.data["spec"])
    for key in keys:
        own = Layer.of(layer, ("spec", "versions", index, key))
        positions.update({("spec", key) + path: location for path, location in own.positions.items()})
        spec[key] = own.data
    return Layer({**layer.data, "spec": spec}, positions, layer.path)


def version_components(service: ModelService, env: Environment, version: str | None) -> tuple[ComponentPlan, ...]:
    """The components of one version's InferenceService: the service's, with the version's own
    transformer when it sets one (already merged onto spec.transformer by the resolve stage)."""
    own = next((v.transformer for v in service.spec.versions if v.name == version), None)
    if own is None:
        return plan_components(service, env)
    view = service.model_copy(update={"spec": service.spec.model_copy(update={"transformer": own})})
    return tuple(replace(c, version_override=True) if c.kind == "transformer" else c for c in plan_components(view, env))


def _model_keeps_service_name(predictor: Predictor, service: str, env: Environment) -> Predictor:
    """A split version serves its model under the service's name (not `<service>-<version>`), so
    clients call /v1/models/<service> whichever version answers (see traffic_plan)."""
    model = predictor.model
    if model is None or model.served_name or any(arg.startswith("--model_name") for arg in model.args):
        return predictor
    if not model_named_after_isvc(predictor, env, env.spec.namespace):
        return predictor
    return predictor.model_copy(update={"model": model.model_copy(update={"args": [*model.args, f"--model_name={service}"]})})


def _lower_version(service: ModelService, env: Environment, layer: Layer, source: str, index: int, predictor: Predictor | None = None) -> ServicePlan:
    plan = lower_service(version_view(service, index, predictor), env, version_layer(layer, index), source)
    return replace(plan, service=service.metadata.name, version=service.spec.versions[index].name)


def lower_service_plans(service: ModelService, env: Environment, layer: Layer, source: str) -> list[ServicePlan]:
    """Every InferenceService plan of one service; all of them carry the service's traffic plan
    and its transformer and explainer (or, for `mode: ray`, its Ray cluster)."""
    if service.spec.mode == LLM:
        return [lower_llm(service, env, layer, source)]
    ray = plan_ray(service, env)
    plans = [replace(plan, components=version_components(service, env, plan.version), ray=ray) for plan in _lower_service_plans(service, env, layer, source)]
    if service.spec.mode in ENDPOINT_MODES:  # an InferenceGraph's router, a Ray Serve app: routes and access
        return [with_endpoint(plan, service, env, ray) for plan in plans]
    return plans


def _lower_service_plans(service: ModelService, env: Environment, layer: Layer, source: str) -> list[ServicePlan]:
    name = service.metadata.name
    if service.spec.mode not in ROUTED_MODES:
        return [replace(lower_service(service, env, layer, source), service=name)]
    traffic: TrafficPlan = plan_traffic(service, env)
    versions = service.spec.versions
    if traffic.strategy == "split":
        plans = []
        for index, version in enumerate(versions):
            predictor = _model_keeps_service_name(version.predictor, name, env)
            plan = _lower_version(service, env, layer, source, index, predictor)
            plans.append(replace(plan, name=naming.version_isvc_name(name, version.name), traffic=traffic))
        return plans
    if traffic.strategy == "native":
        # The newest (last) version is the InferenceService's predictor; Knative gives it the
        # weight and the previous rolled-out revision the rest. List order, not the weights,
        # picks it: a promotion past 50% must not swap the predictor (a new revision).
        newest = len(versions) - 1
        plan = _lower_version(service, env, layer, source, newest)
        return [replace(plan, canary_traffic_percent=versions[newest].weight, traffic=traffic)]
    if traffic.strategy == "canary":
        canaries = tuple(CanaryPlan(versions[index].name, versions[index].weight, index, _lower_version(service, env, layer, source, index)) for index in range(1, len(versions)))
        return [replace(_lower_version(service, env, layer, source, 0), canaries=canaries, traffic=traffic)]
    if versions:
        return [replace(_lower_version(service, env, layer, source, 0), traffic=traffic)]
    return [replace(lower_service(service, env, layer, source), service=name, traffic=traffic)]
