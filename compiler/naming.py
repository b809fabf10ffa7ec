"""Names and hosts that several emitters must agree on (a VirtualService names the Gateway, the
Gateway names the Certificate's secret, …). One definition each, so cross-references hold."""

from __future__ import annotations

from .spec.delivery import SmokeTest
from .spec.models import Environment
from .spec.traffic import Exposure


def gateway_ref(env: Environment) -> str:
    """`<namespace>/<name>` of the environment's Istio Gateway, as a VirtualService lists it."""
    assert env.spec.mesh is not None
    gateway = env.spec.mesh.gateway
    return f"{gateway.namespace}/{gateway.name}"


def certificate_secret(env: Environment) -> str:
    """The TLS secret of the gateway: the Certificate's secretName and the Gateway's credentialName."""
    return f"{env.metadata.name}-gateway-tls"


def public_host(service_name: str, host_label: str | None, env: Environment) -> str:
    """`<host label or service name>.<environment domain>`."""
    assert env.spec.domain, "exposure needs the environment's domain (checked by a rule)"
    return f"{host_label or service_name}.{env.spec.domain}"


def service_hosts(service_name: str, exposure: Exposure, env: Environment) -> list[str]:
    """Every name a public service answers on the gateway: its public host, then its custom domain."""
    if not exposure.public:
        return []
    hosts = [public_host(service_name, exposure.host, env)]
    if exposure.custom_domain and exposure.custom_domain not in hosts:
        hosts.append(exposure.custom_domain)
    return hosts


def certificate_name(env: Environment) -> str:
    """The cert-manager Certificate of the gateway (its secret is `certificate_secret`)."""
    return f"{env.metadata.name}-gateway"


def version_isvc_name(service_name: str, version: str) -> str:
    """The InferenceService of one version when versions are split by an Istio VirtualService."""
    return f"{service_name}-{version}"


def smoke_test_renders(smoke: SmokeTest, env: Environment) -> bool:
    """Whether the service's smoke test Job exists: only Argo CD runs PostSync hooks (SMOKE-01)."""
    return smoke.enabled and env.spec.gitops is not None and env.spec.gitops.tool == "argocd"


def smoke_test_service_account(service_name: str) -> str:
    """The identity of a service's smoke test Job: its access policies allow exactly this one."""
    return f"{service_name}-smoke-test"


def predictor_object_name(isvc: str, suffix: str = "") -> str:
    """The compiler's own objects beside a predictor (HPA, PDB, monitors): `<isvc>-predictor[-<suffix>]`,
    whatever a KServe release calls its own objects (plan/kserve_versions.py): one name in every
    environment, so a KServe upgrade does not rename them."""
    return f"{isvc}-predictor-{suffix}" if suffix else f"{isvc}-predictor"
