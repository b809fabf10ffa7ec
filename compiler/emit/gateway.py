"""Emit the environment's Istio Gateway (networking.istio.io/v1) for the services it exposes.

One Gateway per environment, in the ingress gateway workload's namespace, because Istio reads the
TLS secret named by `credentialName` from that namespace (serving-rules §4, IST0161). HTTPS on 443
terminates TLS with the certificate cert-manager writes (certmanager.py names the same secret);
HTTP on 80 only redirects to HTTPS, when the environment asks for it. No exposed service: no Gateway.
"""

from __future__ import annotations

from .. import naming
from .manifest import Manifest
from ..plan.service import ServicePlan
from ..spec.models import Environment
from .meta import environment_labels, service_name

API_VERSION = "networking.istio.io/v1"
HTTPS_PORT = {"number": 443, "name": "https", "protocol": "HTTPS"}
HTTP_PORT = {"number": 80, "name": "http", "protocol": "HTTP"}


def exposed_hosts(plans: list[ServicePlan], env: Environment) -> list[str]:
    """Every host the environment's services are exposed on, sorted: the Gateway's and the
    Certificate's list, so the two agree."""
    if not env.spec.domain:
        return []  # nothing can be exposed (TRAFFIC-02 reports a public service)
    # A service split by version has several plans, one host.
    hosts = {host for plan in plans for host in naming.service_hosts(service_name(plan), plan.exposure, env)}
    return sorted(hosts)


def servers(hosts: list[str], env: Environment) -> list[dict]:
    assert env.spec.mesh is not None
    https = {"port": dict(HTTPS_PORT), "hosts": list(hosts), "tls": {"mode": "SIMPLE", "credentialName": naming.certificate_secret(env)}}
    if env.spec.mesh.gateway.plain_http:
        # Plain HTTP as asked (EXPOSE-02 warns in production); HTTPS beside it only with a certificate.
        plain = {"port": dict(HTTP_PORT), "hosts": list(hosts)}
        return [https, plain] if env.spec.tls is not None else [plain]
    if not env.spec.mesh.gateway.https_redirect:
        return [https]
    return [https, {"port": dict(HTTP_PORT), "hosts": list(hosts), "tls": {"httpsRedirect": True}}]


def gateway(hosts: list[str], env: Environment) -> dict:
    assert env.spec.mesh is not None
    settings = env.spec.mesh.gateway
    return {
        "apiVersion": API_VERSION,
        "kind": "Gateway",
        "metadata": {"name": settings.name, "namespace": settings.namespace, "labels": environment_labels(settings.name, env)},
        "spec": {"selector": dict(settings.selector), "servers": servers(hosts, env)},
    }


def emit(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    if env.spec.mesh is None:
        return []
    hosts = exposed_hosts(plans, env)
    if not hosts:
        return []
    return [Manifest(gateway(hosts, env))]
