"""Certificate rules: the gateway's TLS certificate covers what is exposed and can be issued
(serving-rules §5, §7).

By construction the Certificate sits in the gateway's namespace, its secretName is the Gateway's
credentialName and its dnsNames are the Gateway's hosts (emit/certmanager.py; XREF-01 checks the
rendered objects). What a user can still break is in the spec: CM-01 checks a service's exposure
against the environment, CM-02 the environment's issuer.
"""

from __future__ import annotations

import re
from typing import Iterator

from ..emit.references import host_covered
from ..spec.traffic import IssuerSettings
from .registry import Finding, RuleContext, rule
from .manifests import ENVIRONMENT, EnvironmentContext, EnvironmentFinding

EXPOSURE = ("spec", "exposure")
ISSUER = ("spec", "tls", "issuer")
ACME = ISSUER + ("acme",)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A key of a DNS-01 provider block that holds a credential (cert-manager takes them as
# *SecretRef: {name, key}); a plain string there is an inlined secret.
_CREDENTIAL_KEY = re.compile(r"(secret|token|password|key)$", re.I)


@rule("CM-01", "an exposed service's hosts are covered by the gateway's certificate", source="Istio IST0161; cert-manager Certificate dnsNames")
def exposure_has_certificate(ctx: RuleContext) -> Iterator[Finding]:
    """A public service is served on the environment's Gateway with TLS: the environment needs
    `tls` (the issuer of the Gateway's Certificate; the domain and the mesh are TRAFFIC-02's). With `tls.wildcard` the Certificate is one `*.<domain>`, which covers one label
    under the domain only: a custom domain elsewhere would be served with a certificate that
    does not name it."""
    exposure = ctx.service.spec.exposure
    env = ctx.environment.spec
    if not exposure.public or env.mesh is None or not env.domain:
        return  # without a mesh or a domain nothing is exposed (TRAFFIC-02 reports it)
    file = f"environments/{ctx.env_name}.yaml"
    if env.tls is None:
        if env.mesh.gateway.plain_http:
            return  # served over plain HTTP, as the environment asks (EXPOSE-02 warns in production)
        yield Finding(EXPOSURE + ("public",), f"environment {ctx.env_name!r} has no tls settings: nothing issues the gateway's certificate", f"add `tls: {{issuer: ...}}` to {file}, or serve plain HTTP with `mesh.gateway.plainHttp: true`")
        return
    wildcard = f"*.{env.domain}"
    if env.tls.wildcard and exposure.custom_domain and not host_covered(exposure.custom_domain, [wildcard]):
        yield Finding(EXPOSURE + ("customDomain",), f"custom domain {exposure.custom_domain!r} is not covered by the gateway's wildcard certificate {wildcard}", f"use a name directly under {env.domain}, or set tls.wildcard: false in {file} (one name per host)")


def _inlined_credentials(block: object, path: tuple) -> Iterator[tuple]:
    if isinstance(block, dict):
        for key, value in block.items():
            if str(key).endswith("SecretRef"):
                continue  # {name, key} of a Secret: a reference, as it should be
            if isinstance(value, str) and _CREDENTIAL_KEY.search(str(key)):
                yield path + (key,)
            else:
                yield from _inlined_credentials(value, path + (key,))
    elif isinstance(block, list):
        for index, value in enumerate(block):
            yield from _inlined_credentials(value, path + (index,))


def issuer_problems(issuer: IssuerSettings, wildcard: bool, https_redirect: bool) -> Iterator[tuple[tuple, str, str]]:
    """(key path, message, hint) for each inconsistency of the issuer settings."""
    kind = issuer.type
    if kind == "ca" and not issuer.ca_secret_name:
        yield ISSUER + ("type",), "a CA issuer needs the Secret that holds the CA key pair", "add caSecretName (for a ClusterIssuer, a Secret in cert-manager's cluster resource namespace)"
    if kind == "acme" and issuer.acme is None:
        yield ISSUER + ("type",), "an ACME issuer needs its acme settings (server, email, account key secret, solver)", "add `acme:`"
    if kind != "ca" and issuer.ca_secret_name:
        yield ISSUER + ("caSecretName",), f"caSecretName is ignored by a {kind} issuer", "remove it, or set type: ca"
    if kind != "acme" and issuer.acme is not None:
        yield ACME, f"acme settings are ignored by a {kind} issuer", "remove them, or set type: acme"
    acme = issuer.acme if kind == "acme" else None
    if acme is None:
        return
    if not _EMAIL.match(acme.email):
        yield ACME + ("email",), f"{acme.email!r} is not an email address; the ACME CA sends expiry notices there", "use a team mailbox"
    if acme.solver == "dns01":
        if not acme.dns01:
            yield ACME + ("dns01",), "a DNS-01 solver needs its provider block (e.g. cloudflare, route53, rfc2136)", "add `dns01: {<provider>: {...}}` with secret references"
        if acme.ingress_class_name:
            yield ACME + ("ingressClassName",), "ingressClassName is for HTTP-01 and ignored by a DNS-01 solver", "remove it"
        for path in _inlined_credentials(acme.dns01, ACME + ("dns01",)):
            yield path, f"{path[-1]} inlines a credential in the DNS-01 solver", "reference a Secret instead (<field>SecretRef: {name: ..., key: ...})"
        return
    if acme.dns01:
        yield ACME + ("dns01",), "dns01 is ignored by an HTTP-01 solver", "remove it, or set solver: dns01"
    if wildcard:
        yield ACME + ("solver",), "a wildcard certificate cannot be issued with HTTP-01", "use solver: dns01, or set tls.wildcard: false"
    if https_redirect:
        yield ACME + ("solver",), "HTTP-01 challenges to the gateway's hosts get the Gateway's HTTPS redirect and fail with 404 (istio#33593, #27643)", "use solver: dns01, or set mesh.gateway.httpsRedirect: false"


@rule("CM-02", "the environment's certificate issuer is complete and can issue what the gateway needs", source="cert-manager Issuer/ClusterIssuer and ACME docs; istio#33593", scope=ENVIRONMENT)
def issuer_consistent(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """`tls.issuer` describes a cert-manager Issuer (namespaced: rendered in the gateway's
    namespace, where the Certificate looks it up) or ClusterIssuer. A `ca` issuer needs
    `caSecretName`; an `acme` issuer its `acme` block with a real email and one solver: DNS-01
    with a provider block that references secrets (never holds them), or HTTP-01, which can
    issue no wildcard certificate and fails behind the Gateway's HTTP→HTTPS redirect. Settings a
    type ignores are reported too. `existing` references an issuer the platform runs (an `Issuer`
    of that name must then live in the gateway's namespace)."""
    env = ctx.environment.spec
    if env.tls is None or env.mesh is None:
        return
    problems = issuer_problems(env.tls.issuer, env.tls.wildcard, env.mesh.gateway.https_redirect)
    for key_path, message, hint in problems:
        yield EnvironmentFinding(ctx.at_environment(*key_path), message, hint, key_path)
