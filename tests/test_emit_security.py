"""Istio security: STRICT mTLS by default, default deny, and allow rules for exactly the callers
the spec names (plus the hops Knative puts in front of the pods)."""

from dataclasses import replace

from compiler.emit import security
from compiler.spec.models import Environment
from tests.conftest import needs_shared
from tests.helpers import BASE_ENV, crd_errors, patched, plan_of

MESH = {"spec": {"mesh": {}, "domain": "prod.example.com"}}
JWT = {"issuer": "https://idp.example.com", "jwksUri": "https://idp.example.com/.well-known/jwks.json", "audiences": ["iris"]}


def render(service_patch: dict | None = None, env_patch: dict = MESH) -> dict[tuple[str, str], dict]:
    env = Environment.model_validate(patched(BASE_ENV, env_patch))
    return {(m.kind, m.name): m.body for m in security.emit([plan_of(service_patch, env_patch)], env)}


def access(mode: str = "knative", **settings) -> dict:
    return {"spec": {"mode": mode, "access": settings}}


def allow_sources(objects: dict) -> dict:
    """source field → values, over the `from` rules of the allow policy."""
    rules = objects[("AuthorizationPolicy", "iris-allow")]["spec"]["rules"]
    return {key: values for rule in rules for entry in rule.get("from", []) for key, values in entry["source"].items()}


def open_paths(objects: dict) -> list[str]:
    rules = objects[("AuthorizationPolicy", "iris-allow")]["spec"]["rules"]
    return [path for rule in rules for entry in rule.get("to", []) for path in entry["operation"]["paths"]]


def test_namespace_runs_strict_mtls_by_default():
    objects = render()
    assert objects[("PeerAuthentication", "default")]["metadata"]["namespace"] == "ml-prod"
    assert objects[("PeerAuthentication", "default")]["spec"] == {"mtls": {"mode": "STRICT"}}


def test_never_strict_in_knative_serving():
    objects = render(None, {"spec": {"mesh": {}, "namespace": "knative-serving"}})
    assert objects[("PeerAuthentication", "default")]["spec"]["mtls"]["mode"] == "PERMISSIVE"
    objects = render(access(mtls="STRICT"), {"spec": {"mesh": {"mtls": "PERMISSIVE"}, "namespace": "knative-serving"}})
    assert ("PeerAuthentication", "iris-mtls") not in objects  # asked for STRICT: stays PERMISSIVE (IS-05 warns)


def test_no_access_setting_means_no_access_policies():
    assert set(render()) == {("PeerAuthentication", "default")}


def test_no_mesh_means_no_security_objects():
    assert render(access(allowNamespaces=["ml-clients"]), {"spec": {}}) == {}


def test_access_denies_by_default_for_every_pod_of_the_service():
    objects = render(access(mode="standard", allowNamespaces=["ml-clients"]))
    deny = objects[("AuthorizationPolicy", "iris-default-deny")]["spec"]
    assert deny == {"selector": {"matchLabels": {"app.kubernetes.io/name": "iris"}}}  # ALLOW nothing
    assert objects[("AuthorizationPolicy", "iris-allow")]["spec"]["action"] == "ALLOW"


def test_standard_mode_allows_only_the_named_callers():
    objects = render(access(mode="standard", allowNamespaces=["ml-clients"], allowServiceAccounts=["ml-batch/scorer"]))
    assert allow_sources(objects) == {"namespaces": ["ml-clients"], "principals": ["cluster.local/ns/ml-batch/sa/scorer"]}
    assert open_paths(objects) == []


def test_knative_mode_lets_the_activator_local_gateway_and_probes_in():
    objects = render(access(allowNamespaces=["ml-clients"]))
    assert allow_sources(objects)["namespaces"] == ["istio-system", "knative-serving", "ml-clients"]
    assert open_paths(objects) == ["/healthz", "/metrics"]


def test_trust_domain_comes_from_the_mesh_settings():
    objects = render(access(mode="standard", allowServiceAccounts=["ml-batch/scorer"]), {"spec": {"mesh": {"trustDomain": "prod.acme.internal"}}})
    assert allow_sources(objects)["principals"] == ["prod.acme.internal/ns/ml-batch/sa/scorer"]


def test_exposed_service_allows_the_gateway_by_identity_or_namespace():
    exposed = {"spec": {"mode": "standard", "exposure": {"public": True}, "access": {"allowNamespaces": ["ml-clients"]}}}
    assert allow_sources(render(exposed))["namespaces"] == ["istio-system", "ml-clients"]
    with_account = {"spec": {"mesh": {"gateway": {"serviceAccount": "istio-ingressgateway-service-account"}}, "domain": "prod.example.com"}}
    sources = allow_sources(render(exposed, with_account))
    assert sources["principals"] == ["cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account"]
    assert sources["namespaces"] == ["ml-clients"]
    not_through_gateway = patched(exposed, {"spec": {"access": {"allowGateway": False}}})
    assert allow_sources(render(not_through_gateway)) == {"namespaces": ["ml-clients"]}


def test_service_with_nobody_allowed_gets_only_the_deny():
    objects = render(access(mode="standard"))
    assert set(objects) == {("PeerAuthentication", "default"), ("AuthorizationPolicy", "iris-default-deny")}


def test_own_mtls_mode_only_when_it_differs_from_the_namespace():
    objects = render(access(mode="standard", mtls="PERMISSIVE", jwt=JWT))
    assert objects[("PeerAuthentication", "iris-mtls")]["spec"] == {"selector": {"matchLabels": {"app.kubernetes.io/name": "iris"}}, "mtls": {"mode": "PERMISSIVE"}}
    assert ("PeerAuthentication", "iris-mtls") not in render(access(mode="standard", mtls="STRICT"))


def test_jwt_is_required_except_on_knatives_probe_paths():
    objects = render(access(jwt=JWT))
    rules = objects[("RequestAuthentication", "iris-jwt")]["spec"]["jwtRules"]
    assert rules == [{"issuer": JWT["issuer"], "jwksUri": JWT["jwksUri"], "audiences": ["iris"]}]
    deny = objects[("AuthorizationPolicy", "iris-require-jwt")]["spec"]
    assert deny["action"] == "DENY"
    assert deny["rules"] == [{"from": [{"source": {"notRequestPrincipals": ["https://idp.example.com/*"]}}], "to": [{"operation": {"notPaths": ["/healthz", "/metrics"]}}]}]
    # nobody named: any caller with a token of the issuer is allowed
    assert allow_sources(objects)["requestPrincipals"] == ["https://idp.example.com/*"]


def test_jwt_with_named_callers_requires_both():
    objects = render(access(mode="standard", allowNamespaces=["ml-clients"], jwt=JWT))
    assert allow_sources(objects) == {"namespaces": ["ml-clients"]}
    assert "to" not in objects[("AuthorizationPolicy", "iris-require-jwt")]["spec"]["rules"][0]


def test_environment_defaults_turn_default_deny_on_for_every_service():
    from compiler.plan.access import plan_access
    from compiler.source.resolve import Layer, resolve_service
    from compiler.spec.models import ModelService
    from compiler.source.yaml_io import LoadedDocument
    from tests.helpers import BASE_SERVICE

    env = Environment.model_validate(patched(BASE_ENV, MESH))
    service_doc = LoadedDocument("services/iris.yaml", 0, patched(BASE_SERVICE, {}))
    with_defaults = resolve_service(service_doc, Layer({"access": {}}, {}, "environments/prod.yaml"), None)
    assert plan_access(ModelService.model_validate(with_defaults.data), env) is not None
    without = resolve_service(service_doc, None, None)
    assert plan_access(ModelService.model_validate(without.data), env) is None


def test_a_service_split_by_version_gets_one_set_of_policies():
    plan = plan_of(access(mode="standard", allowNamespaces=["ml-clients"]), MESH)
    versions = [replace(plan, name=f"iris-{v}") for v in ("v1", "v2")]
    env = Environment.model_validate(patched(BASE_ENV, MESH))
    names = sorted(m.name for m in security.emit(versions, env))
    assert names == ["default", "iris-allow", "iris-default-deny"]


@needs_shared
def test_every_policy_passes_the_istio_schemas_and_cel_rules():
    exposed = {"spec": {"exposure": {"public": True}, "access": {"allowNamespaces": ["ml-clients"], "allowServiceAccounts": ["ml-batch/scorer"], "mtls": "PERMISSIVE", "jwt": JWT}}}
    bodies = list(render(exposed).values()) + list(render(access(mode="standard", jwt=JWT)).values())
    assert crd_errors(bodies) == []
