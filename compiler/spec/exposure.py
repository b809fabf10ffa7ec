"""Exposure providers beside the mesh gateway. A Kubernetes Ingress (networking.k8s.io/v1): the
elastic-GPU seed serves its model through the nginx ingress whose per-route QPS (SLS
`sls_ingress_qps`) drives the HPA, and an ALB or nginx ingress is how a cluster without a mesh
exposes a model at all. A Gateway API HTTPRoute on a Gateway the platform runs. Set per service,
or for every service of an environment with `spec.defaults.exposure`; `exposure.internal`
(spec/traffic.py) is the provider that exposes nothing. docs/exposure.md shows each."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from .. import upstream

from .base import SpecModel
from .names import NAME_ERROR, DnsLabel, DnsSubdomain


class IngressExposure(SpecModel):
    class_name: str = Field(description="IngressClass of the controller that serves it, e.g. nginx or alb.")
    host: DnsSubdomain | None = Field(None, description="Host it answers on (default: <exposure.host or service>.<environment domain>; none without a domain: every host).")
    path: str = Field("/", pattern=r"^/", description="Path prefix routed to the model.")
    tls_secret_name: DnsSubdomain | None = Field(None, description="Secret with the host's TLS certificate, in the service's namespace; without it the Ingress serves plain HTTP.")
    controller_namespace: DnsLabel | None = Field(None, description="Namespace of the ingress controller's pods: with `access`, its workloads are allowed to call the service (they must be in the mesh).")
    annotations: dict[str, str] = Field(default_factory=dict, description="Annotations for the controller, e.g. nginx.ingress.kubernetes.io/proxy-body-size.")


def _gateway_hostname(value: str) -> str:
    """Gateway API's Hostname (HTTPRoute spec.hostnames): a DNS subdomain, optionally behind `*.`."""
    name = value[2:] if value.startswith("*.") else value
    problem = upstream.dns1123_problem(name, True)
    if problem:
        raise PydanticCustomError(NAME_ERROR, "{problem}", {"problem": problem, "hint": "a DNS name, optionally with a leading `*.` (e.g. *.models.example.com)"})
    return value


GatewayHostname = Annotated[str, AfterValidator(_gateway_hostname), WithJsonSchema({"type": "string", "pattern": r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", "maxLength": 253})]


class GatewayApiExposure(SpecModel):
    """An HTTPRoute (gateway.networking.k8s.io/v1) attached to a Gateway the platform runs (Envoy
    Gateway, Istio, Cilium, an ACK gateway…). The route, not the Gateway, is the service's: the
    Gateway's listeners, certificates and class belong to the platform, so TLS is the listener's.
    KServe ≥ 0.15 can create these routes itself (`enableGatewayApi`); one owner only (EXPOSE-03)."""

    gateway: DnsSubdomain = Field(description="Name of the Gateway the route attaches to (its parentRef).")
    gateway_namespace: DnsLabel | None = Field(None, description="Namespace of the Gateway (default: the service's namespace); the Gateway's listener must allow routes from the service's namespace.")
    section_name: DnsSubdomain | None = Field(None, description="The Gateway listener to attach to (parentRef sectionName), e.g. https; default: every listener that accepts the route.")
    hostnames: list[GatewayHostname] = Field(default_factory=list, description="Hostnames of the route (default: <exposure.host or service>.<environment domain>; none without a domain: the listener's).")
    path: str = Field("/", pattern=r"^/", description="Path prefix routed to the model (PathPrefix match).")
    plain_http: bool = Field(False, description="The listener serves plain HTTP (no TLS): fine on a test cluster, a warning in a production environment (EXPOSE-02).")
    controller_namespace: DnsLabel | None = Field(None, description="Namespace of the gateway's proxy pods: with `access`, they are allowed to call the service (they must be in the mesh).")
