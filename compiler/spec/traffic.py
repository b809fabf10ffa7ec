"""Traffic, exposure and access: how requests reach a model, how they split between versions,
who may call it, and how the environment's gateway and TLS are set up (serving-rules §1.5, §4, §5)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Int32, SpecModel
from .exposure import GatewayApiExposure, IngressExposure
from .names import DnsLabel, DnsSubdomain

DNS_LABEL_PATTERN = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"


# ---------------------------------------------------------------- service spec


class Version(SpecModel):
    """One version of the model. Its `predictor` is merged onto the service's `spec.predictor`
    (same rules as overlays), so a version states only what differs, e.g. its storageUri."""

    name: str = Field(pattern=DNS_LABEL_PATTERN, max_length=20, description="Version name, e.g. v1 (a DNS label).")
    weight: int | None = Field(
        None, ge=0, le=100, description="Percent of traffic; the weights sum to 100. One version may leave it out: it takes the rest."
    )
    predictor: dict = Field(default_factory=dict, description="What this version changes in spec.predictor.")
    transformer: dict | None = Field(None, description="What this version changes in spec.transformer (its image, resources…), merged onto it.")


class HeaderMatch(SpecModel):
    name: str = Field(description="Request header name.")
    exact: str | None = None
    prefix: str | None = None
    regex: str | None = None


class Retries(SpecModel):
    attempts: Int32 = Field(ge=0, description="Retries of a failed request.")
    per_try_timeout_seconds: int | None = Field(None, ge=1)
    retry_on: str | None = Field(None, description="Envoy retry conditions, e.g. 5xx,connect-failure.")


class Exposure(SpecModel):
    public: bool = Field(False, description="Serve on the environment's gateway at <host>.<domain> with TLS.")
    host: str | None = Field(None, pattern=DNS_LABEL_PATTERN, description="Host label under the environment's domain (default: the service name).")
    custom_domain: DnsSubdomain | None = Field(None, description="An extra domain name mapped to the service (Knative DomainMapping in Knative mode).")
    timeout_seconds: int | None = Field(None, ge=1, description="Route timeout.")
    retries: Retries | None = None
    match_headers: list[HeaderMatch] = Field(default_factory=list, description="Only requests with these headers are routed (all must match).")
    ingress: IngressExposure | None = Field(None, description="Also serve through a Kubernetes Ingress of this class (Standard mode): spec/exposure.py.")
    gateway_api: GatewayApiExposure | None = Field(None, description="Also serve through an HTTPRoute on a Gateway API Gateway (Standard mode): spec/exposure.py.")
    internal: bool = Field(False, description="Cluster-internal only (reached from inside the cluster or by kubectl port-forward): nothing for the edge is rendered, and the InferenceService is labelled cluster-local so KServe and Knative make no edge either; access policies still are. Excludes public, ingress, gatewayApi and customDomain (EXPOSE-04).")


class JwtRule(SpecModel):
    issuer: str
    jwks_uri: str = Field(description="Where the issuer's signing keys are published (https).")
    audiences: list[str] = Field(default_factory=list)


class Access(SpecModel):
    """Who may call the service. With any access setting, everything else is denied."""

    allow_namespaces: list[DnsLabel] = Field(default_factory=list, description="Namespaces whose workloads may call the service.")
    allow_service_accounts: list[str] = Field(default_factory=list, description="Service accounts as <namespace>/<name>.")
    allow_gateway: bool = Field(True, description="Allow requests that come through the environment's gateway when exposed.")
    jwt: JwtRule | None = Field(None, description="Require a JWT from this issuer (Istio RequestAuthentication).")
    mtls: Literal["STRICT", "PERMISSIVE"] | None = Field(None, description="Peer authentication mode (default: the environment's).")


# ---------------------------------------------------------------- environment


class GatewaySettings(SpecModel):
    name: DnsSubdomain = Field("inference-gateway", description="Name of the Istio Gateway the compiler renders.")
    namespace: DnsLabel = Field("istio-system", description="Namespace of the ingress gateway workload (TLS secrets must live here).")
    selector: dict[str, str] = Field(default_factory=lambda: {"istio": "ingressgateway"}, description="Labels of the ingress gateway pods.")
    https_redirect: bool = Field(True, description="Redirect plain HTTP to HTTPS.")
    plain_http: bool = Field(False, description="Serve the exposed hosts over plain HTTP on port 80 (no certificate needed; HTTPS too when `tls` is set). A warning in a production environment (EXPOSE-02).")
    # The SA depends on how the gateway was installed (istioctl: istio-ingressgateway-service-account;
    # the gateway Helm chart: the release name), so it cannot be derived from the selector.
    service_account: str | None = Field(None, description="Service account of the ingress gateway pods: access rules then allow the gateway's identity (principal) instead of its whole namespace.")


class MeshSettings(SpecModel):
    provider: Literal["istio", "asm"] = Field("istio", description="Upstream Istio, or Alibaba Service Mesh (enables ASM-only fields).")
    gateway: GatewaySettings = Field(default_factory=GatewaySettings)
    mtls: Literal["STRICT", "PERMISSIVE"] = Field("STRICT", description="Default peer authentication mode of the services' namespace.")
    trust_domain: str = Field("cluster.local", description="The mesh's trust domain: the first part of the principals access rules allow (<trustDomain>/ns/<namespace>/sa/<account>).")


class AcmeSettings(SpecModel):
    server: str = Field(description="ACME directory URL, e.g. Let's Encrypt's.")
    email: str
    private_key_secret_name: str = Field(description="Secret that holds the ACME account key (created by cert-manager).")
    solver: Literal["http01", "dns01"] = "http01"
    ingress_class_name: str | None = Field(None, description="HTTP-01: ingress class that serves the challenge.")
    dns01: dict = Field(default_factory=dict, description="DNS-01: the cert-manager solver block (e.g. {cloudflare: {...}}); references secrets, never holds them.")


class IssuerSettings(SpecModel):
    kind: Literal["Issuer", "ClusterIssuer"] = "ClusterIssuer"
    name: DnsSubdomain = Field(description="Name of the Issuer or ClusterIssuer (rendered, or existing with type existing).")
    type: Literal["selfSigned", "ca", "acme", "existing"] = Field("selfSigned", description="existing: reference an issuer the platform already runs.")
    ca_secret_name: str | None = Field(None, description="CA: the Secret with the CA key pair.")
    acme: AcmeSettings | None = None


class TlsSettings(SpecModel):
    issuer: IssuerSettings
    wildcard: bool = Field(False, description="One wildcard certificate *.<domain> (needs DNS-01) instead of one name per host.")
