"""Mesh security rules of a service: access policies Istio can enforce (serving-rules §4, §7)."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.access import NOT_KNATIVE_MODES, PERMISSIVE, STRICT, plan_access, requested_access, split_service_account
from .registry import Finding, RuleContext, rule

ACCESS = ("spec", "access")


@rule("IS-04", "access rules by namespace or principal run over mTLS; Knative mode lets the activator in", source="Istio AuthorizationPolicy source; knative.dev serving/istio-authorization; net-istio#554")
def access_needs_mtls(ctx: RuleContext) -> Iterator[Finding]:
    """An AuthorizationPolicy that allows callers by namespace or service account (principal)
    reads the caller's identity from its mTLS certificate: a plain-text request has none and is
    denied. So a service with such rules needs STRICT mTLS, and callers with sidecars. Service
    accounts are written `<namespace>/<name>`. In Knative mode requests may arrive through the
    activator in knative-serving: the compiler allows that namespace and Knative's probe paths
    itself, which also needs mTLS (the activator must run with a sidecar)."""
    access = requested_access(ctx.service.spec)
    if access is None:
        return
    for index, entry in enumerate(access.allow_service_accounts):
        if split_service_account(entry) is None:
            yield Finding(ACCESS + ("allowServiceAccounts", index), f"service account {entry!r} is not <namespace>/<name>", "write it as <namespace>/<service account>, e.g. ml-clients/scorer")
    for index, namespace in enumerate(access.allow_namespaces):
        if not upstream.ISVC_NAME.match(namespace):
            yield Finding(ACCESS + ("allowNamespaces", index), f"{namespace!r} is not a namespace name", "use a Kubernetes namespace name (a DNS label)")
    plan = plan_access(ctx.service, ctx.environment)
    if plan is None or not plan.needs_peer_identity or plan.mtls != PERMISSIVE:
        return
    knative = " and the activator's namespace (Knative mode)" if ctx.service.spec.mode not in NOT_KNATIVE_MODES else ""
    where = ACCESS + ("mtls",) if access.mtls else ACCESS
    origin = "access.mtls" if access.mtls else f"mesh.mtls in environments/{ctx.env_name}.yaml"
    yield Finding(
        where,
        f"access is granted by caller namespace or service account{knative}, but mTLS is PERMISSIVE ({origin}): plain-text callers carry no identity and are denied",
        "use mtls: STRICT (callers need sidecars), or allow callers by JWT (access.jwt) instead",
    )


@rule("IS-05", "no STRICT mTLS in knative-serving", severity="warning", source="net-istio#1258")
def no_strict_in_knative_serving(ctx: RuleContext) -> Iterator[Finding]:
    """STRICT PeerAuthentication in the knative-serving namespace broke Knative's autoscaling
    (net-istio#1258). The compiler renders PERMISSIVE there instead; this warns that the
    environment or the service asked for STRICT."""
    mesh = ctx.environment.spec.mesh
    if mesh is None or ctx.environment.spec.namespace != upstream.KNATIVE_SYSTEM_NAMESPACE:
        return
    access = requested_access(ctx.service.spec)
    if access is not None and access.mtls == STRICT:
        yield Finding(ACCESS + ("mtls",), "STRICT mTLS asked for in namespace knative-serving: rendered as PERMISSIVE", "deploy models outside knative-serving, or drop access.mtls")
    elif mesh.mtls == STRICT and (access is None or access.mtls is None):
        yield Finding(("metadata", "name"), f"environment {ctx.env_name!r} deploys into knative-serving with mesh.mtls STRICT: rendered as PERMISSIVE", f"give environments/{ctx.env_name}.yaml another namespace, or set mesh.mtls: PERMISSIVE")


@rule("IS-06", "access settings are enforced: the environment has a mesh", severity="warning", source="Istio AuthorizationPolicy (needs a sidecar or waypoint to enforce)")
def access_needs_a_mesh(ctx: RuleContext) -> Iterator[Finding]:
    """`access` becomes Istio AuthorizationPolicies and PeerAuthentication; in an environment
    without `mesh` nothing is rendered for it, so every caller can reach the model. Say so,
    rather than let the spec suggest a protection the cluster does not have."""
    if ctx.environment.spec.mesh is None and requested_access(ctx.service.spec) is not None:
        yield Finding(("spec", "access"), f"environment {ctx.env_name!r} has no mesh: these access settings are not enforced there", "add `mesh:` to the environment, or set `access: null` in its overlay to say the service is open there")
