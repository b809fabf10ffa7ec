"""Emit a service's Gateway API HTTPRoute (gateway.networking.k8s.io/v1) when
`exposure.gatewayApi` asks for one.

The route attaches to the platform's Gateway (parentRefs), answers on the service's hostnames,
matches the path prefix (and the exposure's header matches) and sends requests to KServe's
Standard-mode predictor Services on port 80 — one backend, or one per version with its weight
when the versions are ours to split (plan/traffic.py: split InferenceServices, or spec.canary's
`<isvc>-<version>-predictor` Services, which KServe itself weights only in its own HTTPRoutes,
kserve#5912). The Gateway and its listeners (TLS) are the platform's, not rendered here."""

from __future__ import annotations

from .. import naming
from ..plan.service import ServicePlan
from ..plan.traffic import PREDICTOR_SERVICE_PORT, route_name
from ..spec.models import Environment
from .manifest import Manifest

API_VERSION = "gateway.networking.k8s.io/v1"
EXPOSURE_GATEWAY_API = ("spec", "exposure", "gatewayApi")
# Gateway API header matches (HTTPHeaderMatch.type): Exact and RegularExpression; no prefix.
HEADER_MATCH_TYPES = {"exact": "Exact", "regex": "RegularExpression"}


def route_hostnames(plan: ServicePlan, env: Environment) -> list[str]:
    settings = plan.exposure.gateway_api
    assert settings is not None
    if settings.hostnames:
        return list(settings.hostnames)
    return [naming.public_host(plan.service or plan.name, plan.exposure.host, env)] if env.spec.domain else []


def parent_ref(plan: ServicePlan) -> dict:
    settings = plan.exposure.gateway_api
    assert settings is not None
    ref: dict = {"name": settings.gateway}
    if settings.gateway_namespace:
        ref["namespace"] = settings.gateway_namespace
    if settings.section_name:
        ref["sectionName"] = settings.section_name
    return ref


def backend_refs(plan: ServicePlan) -> list[dict]:
    """KServe's predictor Service of each version the traffic plan weights (Standard mode)."""
    destinations = plan.traffic.destinations if plan.traffic is not None else ()
    if len(destinations) <= 1:
        # The InferenceService's own predictor: a service with one version renders `<service>-<version>`.
        return [{"name": plan.release.predictor_name(plan.name), "port": PREDICTOR_SERVICE_PORT}]
    # A destination's host is `<Service>.<namespace>.svc.cluster.local`.
    return [{"name": d.host.split(".")[0], "port": d.port, "weight": d.weight} for d in destinations]


def route_match(plan: ServicePlan) -> dict:
    settings = plan.exposure.gateway_api
    assert settings is not None
    match: dict = {"path": {"type": "PathPrefix", "value": settings.path}}
    headers = []
    for header in plan.exposure.match_headers:
        for field, match_type in HEADER_MATCH_TYPES.items():
            value = getattr(header, field)
            if value is not None:
                headers.append({"name": header.name, "type": match_type, "value": value})
    if headers:
        match["headers"] = headers
    return match


def http_route(plan: ServicePlan, env: Environment) -> dict:
    rule: dict = {"matches": [route_match(plan)], "backendRefs": backend_refs(plan)}
    if plan.exposure.timeout_seconds is not None:
        rule["timeouts"] = {"request": f"{plan.exposure.timeout_seconds}s"}
    spec: dict = {"parentRefs": [parent_ref(plan)], "rules": [rule]}
    hostnames = route_hostnames(plan, env)
    if hostnames:
        spec = {"hostnames": hostnames, **spec}
    service = plan.service or plan.name
    metadata = {"name": route_name(service), "namespace": plan.namespace, "labels": dict(plan.labels)}
    return {"apiVersion": API_VERSION, "kind": "HTTPRoute", "metadata": metadata, "spec": spec}


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    # Standard mode only, and only where KServe does not route itself (EXPOSE-01, EXPOSE-03).
    if plan.exposure.gateway_api is None or plan.mode != "standard" or env.spec.kserve_gateway_api:
        return []
    return [Manifest(http_route(plan, env), service=plan.service or plan.name, origins={"": plan.locate(*EXPOSURE_GATEWAY_API)})]
