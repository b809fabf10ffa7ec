"""Emit the cert-manager objects (cert-manager.io/v1) behind the environment's Gateway TLS.

- The Certificate lives in the gateway's namespace, because Istio reads `credentialName` from
  there; its secretName is the Gateway's credentialName; its dnsNames are the Gateway's hosts, or
  one `*.<domain>` when the environment asks for a wildcard (serving-rules §5).
- The issuer the environment describes: selfSigned, a CA (the CA key pair referenced by secret
  name), or ACME with an HTTP-01 or DNS-01 solver. A namespaced Issuer goes beside the
  Certificate, since an issuerRef of kind Issuer is resolved in the Certificate's namespace;
  a ClusterIssuer is cluster-wide. `type: existing` renders no issuer: the Certificate refers to
  one the platform runs, and says so in its `inferplane.dev/external-references` annotation.

HTTP-01 uses an `ingress` solver with `ingressClassName` (cert-manager >= 1.12): Istio serves
Kubernetes Ingresses of class `istio`; a `gatewayHTTPRoute` solver would need the Gateway API and
a Gateway API Gateway, which an Istio-Gateway environment does not have.
"""

from __future__ import annotations

from .. import naming, upstream
from .manifest import Manifest
from .references import external_references, target
from ..plan.service import ServicePlan
from ..spec.models import Environment
from ..spec.traffic import IssuerSettings
from .gateway import exposed_hosts
from .meta import environment_labels

API_VERSION = "cert-manager.io/v1"


def wildcard_name(env: Environment) -> str:
    return f"*.{env.spec.domain}"


def dns_names(hosts: list[str], env: Environment) -> list[str]:
    assert env.spec.tls is not None
    return [wildcard_name(env)] if env.spec.tls.wildcard else list(hosts)


def _solver(issuer: IssuerSettings) -> dict:
    acme = issuer.acme
    assert acme is not None
    if acme.solver == "dns01":
        return {"dns01": dict(acme.dns01)}
    return {"http01": {"ingress": {"ingressClassName": acme.ingress_class_name or upstream.ISTIO_INGRESS_CLASS}}}


def issuer_spec(issuer: IssuerSettings) -> dict | None:
    """The issuer's spec, or None when its settings are incomplete (CM-02 reports them)."""
    if issuer.type == "selfSigned":
        return {"selfSigned": {}}
    if issuer.type == "ca":
        return {"ca": {"secretName": issuer.ca_secret_name}} if issuer.ca_secret_name else None
    if issuer.type == "acme" and issuer.acme is not None:
        acme = issuer.acme
        return {
            "acme": {
                "server": acme.server,
                "email": acme.email,
                "privateKeySecretRef": {"name": acme.private_key_secret_name},
                "solvers": [_solver(issuer)],
            }
        }
    return None


def issuer(env: Environment) -> dict | None:
    assert env.spec.tls is not None and env.spec.mesh is not None
    settings = env.spec.tls.issuer
    spec = issuer_spec(settings)
    if spec is None:
        return None
    metadata: dict = {"name": settings.name}
    if settings.kind == "Issuer":
        metadata["namespace"] = env.spec.mesh.gateway.namespace
    metadata["labels"] = environment_labels(settings.name, env)
    return {"apiVersion": API_VERSION, "kind": settings.kind, "metadata": metadata, "spec": spec}


def certificate(hosts: list[str], env: Environment) -> dict:
    assert env.spec.tls is not None and env.spec.mesh is not None
    settings = env.spec.tls.issuer
    name = naming.certificate_name(env)
    metadata: dict = {"name": name, "namespace": env.spec.mesh.gateway.namespace, "labels": environment_labels(name, env)}
    if settings.type == "existing":
        # Tells readers and the cross-reference check (XREF-01) that the platform runs the issuer.
        namespace = metadata["namespace"] if settings.kind == "Issuer" else ""
        metadata["annotations"] = external_references(target(settings.kind, namespace, settings.name))
    return {
        "apiVersion": API_VERSION,
        "kind": "Certificate",
        "metadata": metadata,
        "spec": {
            "secretName": naming.certificate_secret(env),
            "dnsNames": dns_names(hosts, env),
            "issuerRef": {"group": upstream.CERT_MANAGER_GROUP, "kind": settings.kind, "name": settings.name},
        },
    }


def emit(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    """The Certificate of the Gateway's hosts and the issuer that signs it (none without a Gateway)."""
    if env.spec.mesh is None or env.spec.tls is None:
        return []
    hosts = exposed_hosts(plans, env)
    if not hosts:
        return []
    manifests = [Manifest(certificate(hosts, env))]
    body = issuer(env)
    if body is not None:
        manifests.append(Manifest(body))
    return manifests
