"""The gateway's Certificate: in the gateway's namespace, its secret is the Gateway's
credentialName, its names cover the Gateway's hosts, and its issuer is the one rendered."""

import pytest

from compiler import naming
from compiler.emit.references import host_covered
from compiler.emit import certmanager, gateway
from compiler.spec.models import Environment
from tests.conftest import needs_shared
from tests.helpers import BASE_ENV, crd_errors, patched, plan_of

LETSENCRYPT = {"server": "https://acme-v02.api.letsencrypt.org/directory", "email": "ml@example.com", "privateKeySecretName": "le-account"}
CLOUDFLARE = {"cloudflare": {"apiTokenSecretRef": {"name": "cloudflare-api-token", "key": "api-token"}}}


def tls_env(issuer: dict, wildcard: bool = False, **mesh) -> dict:
    return {"spec": {"mesh": mesh, "domain": "prod.example.com", "tls": {"issuer": issuer, "wildcard": wildcard}}}


def render(env_patch: dict, *names: str):
    env = Environment.model_validate(patched(BASE_ENV, env_patch))
    plans = [plan_of({"metadata": {"name": name}, "spec": {"exposure": {"public": True}}}, env_patch) for name in names or ("iris",)]
    objects = {m.kind: m for m in certmanager.emit(plans, env) + gateway.emit(plans, env)}
    return objects, env


SELF_SIGNED = {"name": "gateway-ca", "type": "selfSigned"}


def test_certificate_secret_is_the_gateways_credential_in_the_gateways_namespace():
    objects, env = render(tls_env(SELF_SIGNED), "iris", "wine")
    certificate, gw = objects["Certificate"].body, objects["Gateway"].body
    assert certificate["metadata"]["namespace"] == gw["metadata"]["namespace"] == "istio-system"
    assert certificate["spec"]["secretName"] == gw["spec"]["servers"][0]["tls"]["credentialName"] == naming.certificate_secret(env)
    assert certificate["metadata"]["name"] == naming.certificate_name(env)


def test_gateway_hosts_are_within_the_dns_names():
    for wildcard in (False, True):
        objects, _ = render(tls_env(SELF_SIGNED, wildcard=wildcard), "iris", "wine")
        names = objects["Certificate"].body["spec"]["dnsNames"]
        for server in objects["Gateway"].body["spec"]["servers"]:
            assert all(host_covered(host, names) for host in server["hosts"]), (wildcard, names)


def test_wildcard_is_one_name_for_the_domain():
    objects, _ = render(tls_env(SELF_SIGNED, wildcard=True), "iris", "wine")
    assert objects["Certificate"].body["spec"]["dnsNames"] == ["*.prod.example.com"]


@pytest.mark.parametrize("kind, namespace", [("ClusterIssuer", ""), ("Issuer", "istio-system")])
def test_issuer_ref_matches_the_issuer_and_a_namespaced_issuer_sits_beside_the_certificate(kind, namespace):
    objects, _ = render(tls_env({**SELF_SIGNED, "kind": kind}))
    issuer, certificate = objects[kind], objects["Certificate"]
    assert certificate.body["spec"]["issuerRef"] == {"group": "cert-manager.io", "kind": kind, "name": "gateway-ca"}
    assert (issuer.namespace, issuer.name) == (namespace, "gateway-ca")
    assert issuer.body["spec"] == {"selfSigned": {}}


def test_ca_issuer_references_its_key_pair_by_secret_name():
    objects, _ = render(tls_env({"name": "staging-ca", "type": "ca", "caSecretName": "staging-ca-key-pair"}))
    assert objects["ClusterIssuer"].body["spec"] == {"ca": {"secretName": "staging-ca-key-pair"}}


def test_acme_http01_solves_through_istios_ingress_class():
    objects, _ = render(tls_env({"name": "letsencrypt", "type": "acme", "acme": LETSENCRYPT}, gateway={"httpsRedirect": False}))
    acme = objects["ClusterIssuer"].body["spec"]["acme"]
    assert acme["server"] == LETSENCRYPT["server"] and acme["email"] == "ml@example.com"
    assert acme["privateKeySecretRef"] == {"name": "le-account"}
    assert acme["solvers"] == [{"http01": {"ingress": {"ingressClassName": "istio"}}}]


def test_acme_dns01_passes_the_provider_block_through():
    objects, _ = render(tls_env({"name": "letsencrypt", "type": "acme", "acme": {**LETSENCRYPT, "solver": "dns01", "dns01": CLOUDFLARE}}, wildcard=True))
    assert objects["ClusterIssuer"].body["spec"]["acme"]["solvers"] == [{"dns01": CLOUDFLARE}]


def test_existing_issuer_is_referenced_and_not_rendered():
    objects, _ = render(tls_env({"kind": "Issuer", "name": "platform-issuer", "type": "existing"}))
    assert set(objects) == {"Certificate", "Gateway"}
    certificate = objects["Certificate"].body
    assert certificate["spec"]["issuerRef"]["name"] == "platform-issuer"
    assert certificate["metadata"]["annotations"] == {"inferplane.dev/external-references": "Issuer istio-system/platform-issuer"}


def test_incomplete_issuer_settings_render_no_issuer():
    objects, _ = render(tls_env({"name": "internal-ca", "type": "ca"}))
    assert "ClusterIssuer" not in objects  # CM-02 and XREF-01 report it


def test_nothing_without_an_exposed_service():
    env_patch = tls_env(SELF_SIGNED)
    env = Environment.model_validate(patched(BASE_ENV, env_patch))
    assert certmanager.emit([plan_of(None, env_patch)], env) == []


@needs_shared
def test_every_issuer_type_passes_the_cert_manager_schemas():
    issuers = [
        SELF_SIGNED,
        {"kind": "Issuer", "name": "internal-ca", "type": "ca", "caSecretName": "ca-key-pair"},
        {"name": "le-http", "type": "acme", "acme": LETSENCRYPT},
        {"name": "le-dns", "type": "acme", "acme": {**LETSENCRYPT, "solver": "dns01", "dns01": CLOUDFLARE}},
    ]
    for issuer in issuers:
        objects, _ = render(tls_env(issuer))
        assert crd_errors([m.body for m in objects.values()]) == [], issuer
