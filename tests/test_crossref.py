"""Cross-references between rendered objects, one case per kind of reference."""

import pytest

from compiler.emit.manifest import Manifest
from compiler.emit.references import external_references, host_covered, service_fqdn, unresolved_references


def obj(api_version: str, kind: str, name: str, namespace: str = "ml", spec: dict | None = None, **metadata) -> Manifest:
    body = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, **({"namespace": namespace} if namespace else {}), **metadata}}
    if spec is not None:
        body["spec"] = spec
    return Manifest(body)


def virtual_service(gateways=(), destinations=()) -> Manifest:
    route = [{"destination": d} for d in destinations]
    return obj("networking.istio.io/v1", "VirtualService", "iris-route", spec={"gateways": list(gateways), "hosts": ["iris.example.com"], "http": [{"route": route}]})


def destination_rule(host: str, *subsets: str, namespace: str = "ml") -> Manifest:
    return obj("networking.istio.io/v1", "DestinationRule", f"dr-{host.split('.')[0]}", namespace, {"host": host, "subsets": [{"name": s, "labels": {"v": s}} for s in subsets]})


GATEWAY = obj("networking.istio.io/v1", "Gateway", "inference-gateway", "istio-system", {"servers": [{"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["iris.example.com"], "tls": {"mode": "SIMPLE", "credentialName": "gw-tls"}}]})


def certificate(secret: str = "gw-tls", names=("iris.example.com",), kind: str = "ClusterIssuer", namespace: str = "istio-system", **metadata) -> Manifest:
    return obj("cert-manager.io/v1", "Certificate", "gw", namespace, {"secretName": secret, "dnsNames": list(names), "issuerRef": {"group": "cert-manager.io", "kind": kind, "name": "ca"}}, **metadata)


CLUSTER_ISSUER = obj("cert-manager.io/v1", "ClusterIssuer", "ca", "", {"selfSigned": {}})


def targets(*manifests: Manifest) -> list[str]:
    return [ref.target for ref in unresolved_references(manifests)]


@pytest.mark.parametrize("host, names, covered", [
    ("iris.example.com", ["iris.example.com"], True),
    ("iris.example.com", ["*.example.com"], True),
    ("a.iris.example.com", ["*.example.com"], False),
    ("example.com", ["*.example.com"], False),
    ("iris.acme.com", ["*.example.com", "iris.acme.com"], True),
])
def test_host_covered(host, names, covered):
    assert host_covered(host, names) is covered


def test_short_hosts_are_services_in_the_objects_namespace():
    assert service_fqdn("iris-predictor", "ml") == "iris-predictor.ml.svc.cluster.local"
    assert service_fqdn("iris.example.com", "ml") == "iris.example.com"


def test_virtual_service_gateways_resolve_to_a_gateway_or_mesh():
    assert targets(virtual_service(["istio-system/inference-gateway", "mesh"]), GATEWAY, certificate(), CLUSTER_ISSUER) == []
    assert targets(virtual_service(["istio-system/other"])) == ["Gateway istio-system/other"]
    assert targets(virtual_service(["inference-gateway"]), GATEWAY, certificate(), CLUSTER_ISSUER) == ["Gateway ml/inference-gateway"]  # short: the VS's namespace


def test_subsets_resolve_to_a_destination_rule_of_the_same_host():
    routes = [{"host": "iris-predictor", "subset": "v1"}, {"host": "iris-predictor.ml.svc.cluster.local", "subset": "v2"}]
    assert targets(virtual_service(destinations=routes), destination_rule("iris-predictor.ml.svc.cluster.local", "v1", "v2")) == []
    assert targets(virtual_service(destinations=routes), destination_rule("iris-predictor", "v1")) == ["iris-predictor.ml.svc.cluster.local#v2"]
    assert targets(virtual_service(destinations=routes), destination_rule("iris-predictor", "v1", "v2", namespace="other")) != []
    assert targets(virtual_service(destinations=[{"host": "iris-predictor"}])) == []  # no subset, nothing to resolve


def test_gateway_credential_resolves_to_a_certificate_covering_its_hosts():
    assert targets(GATEWAY, certificate(), CLUSTER_ISSUER) == []
    assert targets(GATEWAY, certificate(names=["*.example.com"]), CLUSTER_ISSUER) == []
    assert targets(GATEWAY, certificate(secret="other"), CLUSTER_ISSUER) == ["Secret istio-system/gw-tls"]
    assert targets(GATEWAY, certificate(namespace="ml"), obj("cert-manager.io/v1", "ClusterIssuer", "ca", "")) == ["Secret istio-system/gw-tls"]
    assert targets(GATEWAY, certificate(names=["wine.example.com"]), CLUSTER_ISSUER) == ["iris.example.com"]
    secret = obj("v1", "Secret", "gw-tls", "istio-system")
    assert targets(GATEWAY, secret) == []  # a Secret of its own: names unknown, accepted


def test_issuer_ref_resolves_by_kind_and_namespace():
    namespaced = obj("cert-manager.io/v1", "Issuer", "ca", "istio-system", {"selfSigned": {}})
    assert targets(certificate(kind="Issuer"), namespaced) == []
    assert targets(certificate(kind="Issuer"), obj("cert-manager.io/v1", "Issuer", "ca", "cert-manager", {"selfSigned": {}})) == ["Issuer istio-system/ca"]
    assert targets(certificate(kind="ClusterIssuer"), namespaced) == ["ClusterIssuer ca"]

def test_references_to_what_the_platform_provides_are_declared_on_the_referring_object():
    declared = external_references("ClusterIssuer ca")
    assert declared == {"inferplane.dev/external-references": "ClusterIssuer ca"}
    assert targets(certificate(annotations=declared)) == []
    assert targets(certificate(annotations=external_references("ClusterIssuer other"))) == ["ClusterIssuer ca"]
    gateway_ref = virtual_service(["modelmesh-serving/grpc-gateway"])
    gateway_ref.body["metadata"]["annotations"] = external_references("Gateway modelmesh-serving/grpc-gateway")
    assert targets(gateway_ref) == []


def test_selectors_resolve_to_the_pods_of_a_workload():
    isvc = obj("serving.kserve.io/v1beta1", "InferenceService", "iris-v1", labels={"app.kubernetes.io/name": "iris"}, spec={"predictor": {"labels": {"inferplane.dev/version": "v1"}}})

    def policy(labels: dict) -> Manifest:
        return obj("security.istio.io/v1", "AuthorizationPolicy", "p", spec={"selector": {"matchLabels": labels}})

    assert targets(isvc, policy({"app.kubernetes.io/name": "iris"})) == []
    assert targets(isvc, policy({"serving.kserve.io/inferenceservice": "iris-v1", "inferplane.dev/version": "v1"})) == []
    assert targets(isvc, policy({"app.kubernetes.io/name": "wine"})) == ["app.kubernetes.io/name=wine"]
    namespace_wide = obj("security.istio.io/v1", "PeerAuthentication", "default", spec={"mtls": {"mode": "STRICT"}})
    assert targets(namespace_wide) == []
    pdb = obj("policy/v1", "PodDisruptionBudget", "iris", spec={"selector": {"matchLabels": {"component": "predictor", "serving.kserve.io/inferenceservice": "iris"}}})
    assert targets(isvc, pdb) == ["component=predictor, serving.kserve.io/inferenceservice=iris"]
