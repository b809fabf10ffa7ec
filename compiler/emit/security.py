"""Emit the Istio security policies (security.istio.io/v1) of an environment with a mesh.

Per environment: a namespace-wide PeerAuthentication `default` in the services' namespace with the
environment's mTLS mode (STRICT unless set otherwise; never STRICT in knative-serving, IS-05).
Per service with access settings, once however many InferenceServices its versions make (the
decisions are `access.AccessPlan`; docs/security.md):
- a PeerAuthentication of its own when it asks for another mode than its namespace's;
- `<svc>-default-deny`: an ALLOW policy without rules, so nothing is allowed unless another
  policy says so, even when the allow list below is empty or removed;
- `<svc>-allow`: the callers named (namespaces, service-account principals), the gateway when the
  service is exposed, and in Knative mode the activator's namespace and Knative's probe and metrics
  paths (net-istio#554);
- with `jwt`: a RequestAuthentication of the issuer, and `<svc>-require-jwt`, a DENY policy for
  requests without a token of that issuer (probe paths excepted: Knative's probes carry none).
"""

from __future__ import annotations

from ..plan.access import AccessPlan, jwt_principals, namespace_mtls
from .manifest import Manifest
from ..plan.service import ServicePlan
from ..spec.models import Environment
from .meta import environment_labels, service_name

API_VERSION = "security.istio.io/v1"
# Istio's convention for the namespace-wide PeerAuthentication: a second namespace-wide policy
# would be ignored (the oldest wins), so this name makes an existing one visible as a conflict.
NAMESPACE_POLICY_NAME = "default"


def _object(kind: str, name: str, namespace: str, labels: dict[str, str], spec: dict) -> dict:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)}, "spec": spec}


def namespace_peer_authentication(env: Environment) -> dict:
    labels = environment_labels(NAMESPACE_POLICY_NAME, env)
    return _object("PeerAuthentication", NAMESPACE_POLICY_NAME, env.spec.namespace, labels, {"mtls": {"mode": namespace_mtls(env)}})


def _selector(access: AccessPlan) -> dict:
    return {"matchLabels": dict(access.selector)}


def allow_rules(access: AccessPlan) -> list[dict]:
    """Istio ORs the rules of a policy and the sources of a rule: one rule for the callers, one
    for the paths any peer may call."""
    sources = []
    if access.namespaces:
        sources.append({"source": {"namespaces": list(access.namespaces)}})
    if access.principals:
        sources.append({"source": {"principals": list(access.principals)}})
    if access.request_principals:
        sources.append({"source": {"requestPrincipals": list(access.request_principals)}})
    rules = [{"from": sources}] if sources else []
    if access.open_paths:
        rules.append({"to": [{"operation": {"paths": list(access.open_paths)}}]})
    if access.guarded_ports:
        rules.append({"to": [{"operation": {"notPorts": list(access.guarded_ports)}}]})
    return rules


def require_jwt_rule(access: AccessPlan) -> dict:
    assert access.jwt is not None
    rule: dict = {"from": [{"source": {"notRequestPrincipals": [jwt_principals(access.jwt)]}}]}
    operation = {key: list(value) for key, value in (("notPaths", access.open_paths), ("ports", access.guarded_ports)) if value}
    if operation:
        rule["to"] = [{"operation": operation}]
    return rule


def jwt_rule(access: AccessPlan) -> dict:
    assert access.jwt is not None
    rule = {"issuer": access.jwt.issuer, "jwksUri": access.jwt.jwks_uri}
    if access.jwt.audiences:
        rule["audiences"] = list(access.jwt.audiences)
    return rule


def service_policies(plan: ServicePlan, access: AccessPlan) -> list[dict]:
    def policy(kind: str, suffix: str, spec: dict) -> dict:
        return _object(kind, f"{service_name(plan)}-{suffix}", plan.namespace, plan.labels, {"selector": _selector(access), **spec})

    bodies = []
    if access.workload_mtls:
        bodies.append(policy("PeerAuthentication", "mtls", {"mtls": {"mode": access.workload_mtls}}))
    bodies.append(policy("AuthorizationPolicy", "default-deny", {}))
    rules = allow_rules(access)
    if rules:
        bodies.append(policy("AuthorizationPolicy", "allow", {"action": "ALLOW", "rules": rules}))
    if access.jwt:
        bodies.append(policy("RequestAuthentication", "jwt", {"jwtRules": [jwt_rule(access)]}))
        bodies.append(policy("AuthorizationPolicy", "require-jwt", {"action": "DENY", "rules": [require_jwt_rule(access)]}))
    return bodies


def _origins(plan: ServicePlan, kind: str) -> dict:
    key = {"PeerAuthentication": "mtls", "RequestAuthentication": "jwt"}.get(kind)
    return {"": plan.locate("spec", "access", key) if key else plan.locate("spec", "access")}


def _first_plan_of_each_service(plans: list[ServicePlan]) -> list[ServicePlan]:
    first: dict[str, ServicePlan] = {}
    for plan in plans:
        first.setdefault(service_name(plan), plan)
    return list(first.values())


def emit(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    """The namespace's mTLS mode, then each service's policies (its selector covers all its pods)."""
    if env.spec.mesh is None or not plans:
        return []
    manifests = [Manifest(namespace_peer_authentication(env))]
    for plan in _first_plan_of_each_service(plans):
        if plan.access is not None:
            bodies = service_policies(plan, plan.access)
            manifests.extend(Manifest(body, service=service_name(plan), origins=_origins(plan, body["kind"])) for body in bodies)
    return manifests
