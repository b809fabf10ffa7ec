"""The environment's Istio Gateway serves every exposed host over TLS with the certificate's secret."""

from compiler import naming
from compiler.emit import gateway
from tests.conftest import needs_shared
from tests.helpers import crd_errors, plan_of

MESH = {"spec": {"mesh": {}, "domain": "prod.example.com"}}


def public(name: str = "iris", **exposure) -> dict:
    return {"metadata": {"name": name}, "spec": {"exposure": {"public": True, **exposure}}}


def emitted(*service_patches: dict, env_patch: dict = MESH):
    plans = [plan_of(patch, env_patch) for patch in service_patches]
    env = plan_env(env_patch)
    return gateway.emit(plans, env), env


def plan_env(env_patch: dict):
    from compiler.spec.models import Environment
    from tests.helpers import BASE_ENV, patched

    return Environment.model_validate(patched(BASE_ENV, env_patch))


def test_https_server_lists_every_exposed_host_sorted_with_the_certificate_secret():
    [manifest], env = emitted(public("wine"), public("iris"), {"metadata": {"name": "internal"}})
    body = manifest.body
    assert (body["metadata"]["namespace"], body["metadata"]["name"]) == ("istio-system", "inference-gateway")
    assert body["spec"]["selector"] == {"istio": "ingressgateway"}
    https, http = body["spec"]["servers"]
    assert https["port"] == {"number": 443, "name": "https", "protocol": "HTTPS"}
    assert https["hosts"] == ["iris.prod.example.com", "wine.prod.example.com"]
    assert https["tls"] == {"mode": "SIMPLE", "credentialName": naming.certificate_secret(env)}
    assert http["tls"] == {"httpsRedirect": True} and http["hosts"] == https["hosts"]


def test_host_label_and_custom_domain_are_served_too():
    [manifest], _ = emitted(public("iris", host="flowers", customDomain="iris.acme.com"))
    assert manifest.body["spec"]["servers"][0]["hosts"] == ["flowers.prod.example.com", "iris.acme.com"]


def test_no_redirect_means_no_plain_http_server():
    [manifest], _ = emitted(public(), env_patch={"spec": {"mesh": {"gateway": {"httpsRedirect": False}}, "domain": "prod.example.com"}})
    assert [server["port"]["number"] for server in manifest.body["spec"]["servers"]] == [443]


def test_gateway_namespace_and_selector_come_from_the_environment():
    settings = {"name": "models", "namespace": "ingress", "selector": {"app": "edge"}}
    [manifest], env = emitted(public(), env_patch={"spec": {"mesh": {"gateway": settings}, "domain": "prod.example.com"}})
    assert (manifest.namespace, manifest.name, manifest.body["spec"]["selector"]) == ("ingress", "models", {"app": "edge"})
    assert naming.gateway_ref(env) == "ingress/models"


def test_no_exposed_service_or_no_mesh_renders_no_gateway():
    assert emitted({"metadata": {"name": "internal"}})[0] == []
    assert emitted(public(), env_patch={"spec": {"domain": "prod.example.com"}})[0] == []


def test_a_service_split_by_version_is_one_host():
    from dataclasses import replace

    env = plan_env(MESH)
    plan = plan_of(public(), MESH)
    versions = [replace(plan, name=f"iris-{v}") for v in ("v1", "v2")]
    [manifest] = gateway.emit(versions, env)
    assert manifest.body["spec"]["servers"][0]["hosts"] == ["iris.prod.example.com"]


@needs_shared
def test_gateway_passes_the_istio_schema_and_cel_rules():
    [manifest], _ = emitted(public("iris", customDomain="iris.acme.com"), public("wine"))
    assert crd_errors([manifest.body]) == []
