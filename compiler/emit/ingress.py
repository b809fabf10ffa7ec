"""Emit a service's Kubernetes Ingress (networking.k8s.io/v1) when `exposure.ingress` asks for one.

It routes `<host><path>` to KServe's Standard-mode predictor Service (`<isvc>-predictor`, port
80; plan/traffic.py) through the named IngressClass. The Service port is part of the route's
identity for controllers that meter per route: Alibaba's nginx ingress logs it to SLS as
`<namespace>-<service>-<port>`, the `sls.ingress.route` label an `sls_ingress_qps` HPA selects
(SCALE-03 checks that they agree)."""

from __future__ import annotations

from .. import naming
from ..plan.service import ServicePlan
from ..plan.traffic import PREDICTOR_SERVICE_PORT
from ..spec.models import Environment
from .manifest import Manifest

EXPOSURE_INGRESS = ("spec", "exposure", "ingress")


def ingress_name(service: str) -> str:
    return f"{service}-ingress"


def ingress_host(plan: ServicePlan, env: Environment) -> str | None:
    ingress = plan.exposure.ingress
    assert ingress is not None
    if ingress.host:
        return ingress.host
    return naming.public_host(plan.service or plan.name, plan.exposure.host, env) if env.spec.domain else None


def ingress_route(plan: ServicePlan) -> str:
    """`<namespace>-<backend service>-<port>`: how Alibaba's SLS names the route's QPS series."""
    return f"{plan.namespace}-{plan.release.predictor_name(plan.name)}-{PREDICTOR_SERVICE_PORT}"


def ingress(plan: ServicePlan, env: Environment) -> dict:
    settings = plan.exposure.ingress
    assert settings is not None
    backend = {"service": {"name": plan.release.predictor_name(plan.name), "port": {"number": PREDICTOR_SERVICE_PORT}}}
    rule: dict = {"http": {"paths": [{"path": settings.path, "pathType": "Prefix", "backend": backend}]}}
    host = ingress_host(plan, env)
    if host:
        rule = {"host": host, **rule}
    metadata: dict = {"name": ingress_name(plan.service or plan.name), "namespace": plan.namespace, "labels": dict(plan.labels)}
    if settings.annotations:
        metadata["annotations"] = dict(settings.annotations)
    spec: dict = {"ingressClassName": settings.class_name, "rules": [rule]}
    if settings.tls_secret_name:
        spec["tls"] = [{"secretName": settings.tls_secret_name, **({"hosts": [host]} if host else {})}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec}


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    # Standard mode only (SCALE-03 / EXPOSE-01 refuse the rest before lowering).
    if plan.exposure.ingress is None or plan.mode != "standard":
        return []
    return [Manifest(ingress(plan, env), service=plan.service or plan.name, origins={"": plan.locate(*EXPOSURE_INGRESS)})]
