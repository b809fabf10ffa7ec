"""emit/gateway.py, whole: the environment's Gateway with its labels, and its servers on each
side of `plainHttp`, `tls` and `httpsRedirect`."""

from __future__ import annotations

from compiler.emit import gateway
from compiler.spec.models import Environment
from tests.helpers import BASE_ENV, patched, plan_of

MESH = {"mesh": {}, "domain": "prod.example.com"}
PUBLIC = {"spec": {"exposure": {"public": True}}}
HOSTS = ["iris.prod.example.com"]
HTTPS = {"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": HOSTS, "tls": {"mode": "SIMPLE", "credentialName": "prod-gateway-tls"}}  # <environment>-gateway-tls (naming.certificate_secret)
PLAIN = {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": HOSTS}


def servers(env_spec: dict) -> list[dict]:
    env_patch = {"spec": {**MESH, **env_spec}}
    env = Environment.model_validate(patched(BASE_ENV, env_patch))
    (manifest,) = gateway.emit([plan_of(PUBLIC, env_patch)], env)
    return manifest.body["spec"]["servers"]


def test_the_gateway_whole():
    env_patch = {"spec": MESH}
    env = Environment.model_validate(patched(BASE_ENV, env_patch))
    (manifest,) = gateway.emit([plan_of(PUBLIC, env_patch)], env)
    assert manifest.body == {
        "apiVersion": "networking.istio.io/v1", "kind": "Gateway",
        "metadata": {"name": "inference-gateway", "namespace": "istio-system",
                     "labels": {"app.kubernetes.io/name": "inference-gateway", "app.kubernetes.io/part-of": "inferplane", "app.kubernetes.io/managed-by": "inferplane"}},
        "spec": {"selector": {"istio": "ingressgateway"}, "servers": [HTTPS, {**PLAIN, "tls": {"httpsRedirect": True}}]},
    }
    assert manifest.service is None


def test_plain_http_alone_without_a_certificate_and_beside_https_with_one():
    assert servers({"mesh": {"gateway": {"plainHttp": True}}}) == [PLAIN]
    assert servers({"mesh": {"gateway": {"plainHttp": True}}, "tls": {"issuer": {"name": "letsencrypt"}}}) == [HTTPS, PLAIN]


def test_no_redirect_is_https_only():
    assert servers({"mesh": {"gateway": {"httpsRedirect": False}}}) == [HTTPS]


def test_without_a_domain_no_host_is_exposed_and_no_gateway_rendered():
    env_patch = {"spec": {"mesh": {}}}
    env = Environment.model_validate(patched(BASE_ENV, env_patch))
    plans = [plan_of(PUBLIC, env_patch)]
    assert gateway.exposed_hosts(plans, env) == []  # a list: the Certificate iterates it too
    assert gateway.emit(plans, env) == []
