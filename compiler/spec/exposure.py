"""Exposure through a Kubernetes Ingress (networking.k8s.io/v1) instead of, or beside, the mesh
gateway: the elastic-GPU seed serves its model through the nginx ingress whose per-route QPS
(SLS `sls_ingress_qps`) drives the HPA, and an ALB or nginx ingress is how a cluster without a
mesh exposes a model at all. Set per service, or for every service of an environment with
`spec.defaults.exposure.ingress`."""

from __future__ import annotations

from pydantic import Field

from .base import SpecModel
from .names import DnsLabel, DnsSubdomain


class IngressExposure(SpecModel):
    class_name: str = Field(description="IngressClass of the controller that serves it, e.g. nginx or alb.")
    host: DnsSubdomain | None = Field(None, description="Host it answers on (default: <exposure.host or service>.<environment domain>; none without a domain: every host).")
    path: str = Field("/", pattern=r"^/", description="Path prefix routed to the model.")
    tls_secret_name: DnsSubdomain | None = Field(None, description="Secret with the host's TLS certificate, in the service's namespace; without it the Ingress serves plain HTTP.")
    controller_namespace: DnsLabel | None = Field(None, description="Namespace of the ingress controller's pods: with `access`, its workloads are allowed to call the service (they must be in the mesh).")
    annotations: dict[str, str] = Field(default_factory=dict, description="Annotations for the controller, e.g. nginx.ingress.kubernetes.io/proxy-body-size.")
