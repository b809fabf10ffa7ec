"""emit/security.py, whole: the namespace's PeerAuthentication and a service's policies (its own
mTLS mode, default deny, the allow list with the gateway and Knative's system callers, the JWT
issuer and the DENY for requests without its token), once per service however many versions,
each pointing its errors at its key of spec.access."""

from __future__ import annotations

from dataclasses import replace

from compiler.emit import security
from compiler.plan.versions import lower_service_plans
from compiler.source.resolve import expand_versions
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

MESH = {"mesh": {}, "domain": "models.example.com"}
LABELS = {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}
SELECTOR = {"selector": {"matchLabels": {"app.kubernetes.io/name": "iris"}}}
ISSUER = {"issuer": "https://id.example.com", "jwksUri": "https://id.example.com/jwks"}
NAMESPACE_POLICY = {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
                    "metadata": {"name": "default", "namespace": "ml-prod", "labels": {"app.kubernetes.io/name": "default", "app.kubernetes.io/part-of": "inferplane", "app.kubernetes.io/managed-by": "inferplane"}},
                    "spec": {"mtls": {"mode": "STRICT"}}}


def emitted(spec: dict, env_spec: dict | None = None) -> list:
    layer = expand_versions(_located(patched(BASE_SERVICE, {"spec": spec}), SERVICE_FILE))
    env = Environment.model_validate(patched(BASE_ENV, {"spec": MESH if env_spec is None else env_spec}))
    return security.emit(lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE), env)


def policy(kind: str, name: str, spec: dict) -> dict:
    return {"apiVersion": "security.istio.io/v1", "kind": kind, "metadata": {"name": name, "namespace": "ml-prod", "labels": LABELS}, "spec": {**SELECTOR, **spec}}


def test_every_policy_of_an_exposed_knative_service():
    access = {"allowNamespaces": ["clients"], "allowServiceAccounts": ["ops/runner"], "jwt": {**ISSUER, "audiences": ["iris"]}, "mtls": "PERMISSIVE"}
    found = emitted({"access": access, "exposure": {"public": True}})
    probes = ["/healthz", "/metrics"]
    assert [m.body for m in found] == [
        NAMESPACE_POLICY,
        policy("PeerAuthentication", "iris-mtls", {"mtls": {"mode": "PERMISSIVE"}}),
        policy("AuthorizationPolicy", "iris-default-deny", {}),
        # the gateway's namespace (exposed) and Knative's activator beside the callers; probe paths for any peer
        policy("AuthorizationPolicy", "iris-allow", {"action": "ALLOW", "rules": [
            {"from": [{"source": {"namespaces": ["clients", "istio-system", "knative-serving"]}}, {"source": {"principals": ["cluster.local/ns/ops/sa/runner"]}}]},
            {"to": [{"operation": {"paths": probes}}]},
        ]}),
        policy("RequestAuthentication", "iris-jwt", {"jwtRules": [{**ISSUER, "audiences": ["iris"]}]}),
        policy("AuthorizationPolicy", "iris-require-jwt", {"action": "DENY", "rules": [
            {"from": [{"source": {"notRequestPrincipals": ["https://id.example.com/*"]}}], "to": [{"operation": {"notPaths": probes}}]},
        ]}),
    ]
    assert [m.service for m in found] == [None] + ["iris"] * 5
    # services/iris.yaml as dumped: access at 6, its jwt at 11, its mtls at 16
    assert [{pointer: str(at) for pointer, at in m.origins.items()} for m in found] == [
        {}, {"": "services/iris.yaml:16:5"}, {"": "services/iris.yaml:6:3"}, {"": "services/iris.yaml:6:3"}, {"": "services/iris.yaml:11:5"}, {"": "services/iris.yaml:6:3"},
    ]


def test_split_versions_share_one_set_of_policies_without_knatives_callers():
    access = {"allowNamespaces": ["clients"], "jwt": ISSUER}
    found = emitted({"mode": "standard", "access": access, "canaryStrategy": "split", "versions": [{"name": "v1", "weight": 90}, {"name": "v2", "weight": 10}]})
    assert [m.body for m in found] == [
        NAMESPACE_POLICY,
        policy("AuthorizationPolicy", "iris-default-deny", {}),
        policy("AuthorizationPolicy", "iris-allow", {"action": "ALLOW", "rules": [{"from": [{"source": {"namespaces": ["clients"]}}]}]}),
        policy("RequestAuthentication", "iris-jwt", {"jwtRules": [ISSUER]}),
        policy("AuthorizationPolicy", "iris-require-jwt", {"action": "DENY", "rules": [{"from": [{"source": {"notRequestPrincipals": ["https://id.example.com/*"]}}]}]}),
    ]


def test_no_policies_without_a_mesh_and_only_the_namespaces_without_access():
    assert emitted({"access": {"allowNamespaces": ["clients"]}}, {}) == []
    assert [m.body for m in emitted({})] == [NAMESPACE_POLICY]
    assert security.emit([], Environment.model_validate(patched(BASE_ENV, {"spec": MESH}))) == []


def test_guarded_ports_limit_the_allow_list_and_the_jwt_requirement():
    # a Ray cluster's pods guard only the Serve port (plan/endpoints.py): every other port stays open
    layer = expand_versions(_located(patched(BASE_SERVICE, {"spec": {"mode": "standard", "access": {"allowNamespaces": ["clients"], "jwt": ISSUER}}}), SERVICE_FILE))
    env = Environment.model_validate(patched(BASE_ENV, {"spec": MESH}))
    (plan,) = lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    access = replace(plan.access, guarded_ports=("8000",))
    assert security.allow_rules(access) == [{"from": [{"source": {"namespaces": ["clients"]}}]}, {"to": [{"operation": {"notPorts": ["8000"]}}]}]
    assert security.require_jwt_rule(access) == {"from": [{"source": {"notRequestPrincipals": ["https://id.example.com/*"]}}], "to": [{"operation": {"ports": ["8000"]}}]}
