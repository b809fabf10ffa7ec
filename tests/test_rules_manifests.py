"""Environment rules over emitted manifests: IS-01 names, XREF-01, and where findings point."""

import pytest

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.source.resolve import Layer
from compiler.plan.kserve_versions import KServeRelease
from compiler.rules.manifests import check_manifests, owned_names
from compiler.spec.models import Environment
from tests.helpers import BASE_ENV, patched

ENV_LAYER = Layer({}, {("spec", "mesh", "gateway"): Location("environments/prod.yaml", 30, 5), ("spec", "tls"): Location("environments/prod.yaml", 40, 3)}, "environments/prod.yaml")


def isvc(name: str, mode: str) -> Manifest:
    return Manifest({"apiVersion": "serving.kserve.io/v1beta1", "kind": "InferenceService", "metadata": {"name": name, "namespace": "ml", "annotations": {"serving.kserve.io/deploymentMode": mode}}})


def named(api_version: str, kind: str, name: str, namespace: str = "ml", origin: Location | None = None) -> Manifest:
    origins = {"": origin} if origin else {}
    return Manifest({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": namespace}}, service="iris", origins=origins)


def findings(*manifests: Manifest, env_patch: dict | None = None):
    env = Environment.model_validate(patched(BASE_ENV, env_patch or {}))
    return check_manifests(list(manifests), env, ENV_LAYER, "prod")


@pytest.mark.parametrize("mode, api_version, kind, name", [
    ("Knative", "networking.istio.io/v1", "VirtualService", "iris"),
    ("Serverless", "v1", "Service", "iris"),
    ("Knative", "networking.istio.io/v1", "VirtualService", "iris-predictor-ingress"),
    ("Knative", "networking.istio.io/v1", "VirtualService", "iris-predictor-mesh"),
    ("Knative", "serving.knative.dev/v1", "Service", "iris-predictor"),
    ("Standard", "networking.k8s.io/v1", "Ingress", "iris"),
    ("RawDeployment", "gateway.networking.k8s.io/v1", "HTTPRoute", "iris"),
    ("Standard", "v1", "Service", "iris-predictor"),
    ("Standard", "apps/v1", "Deployment", "iris-predictor"),
])
def test_objects_named_like_kserves_own_are_reported(mode, api_version, kind, name):
    [finding] = findings(isvc("iris", mode), named(api_version, kind, name))
    assert finding.rule == "IS-01" and finding.severity == "error"
    assert f"{kind} ml/{name}" in finding.message


def test_other_names_and_other_namespaces_are_fine():
    assert findings(isvc("iris", "Knative"), named("networking.istio.io/v1", "VirtualService", "iris-route")) == []
    assert findings(isvc("iris", "Knative"), named("networking.istio.io/v1", "VirtualService", "iris", namespace="other")) == []
    # a Knative-mode name is not KServe's in Standard mode
    assert findings(isvc("iris", "Standard"), named("networking.istio.io/v1", "VirtualService", "iris")) == []


def test_owned_names_follow_the_mode():
    assert ("networking.k8s.io", "Ingress", "ml", "iris") in owned_names(isvc("iris", "Standard"), KServeRelease((0, 16)))
    assert ("networking.k8s.io", "Ingress", "ml", "iris") not in owned_names(isvc("iris", "Knative"), KServeRelease((0, 16)))


def test_owned_names_follow_the_kserve_release():
    """Before v0.11 KServe names the predictor's objects `<isvc>-predictor-default` (kserve#2508)."""
    assert ("apps", "Deployment", "ml", "iris-predictor-default") in owned_names(isvc("iris", "RawDeployment"), KServeRelease((0, 10)))
    assert ("apps", "Deployment", "ml", "iris-predictor") not in owned_names(isvc("iris", "RawDeployment"), KServeRelease((0, 10)))
    assert ("apps", "Deployment", "ml", "iris-predictor") in owned_names(isvc("iris", "RawDeployment"), KServeRelease((0, 11)))


def test_a_gateway_named_like_net_istios_is_reported_at_the_environments_gateway():
    [finding] = findings(named("networking.istio.io/v1", "Gateway", "knative-ingress-gateway", "knative-serving"))
    assert finding.rule == "IS-01"
    assert finding.location == Location("environments/prod.yaml", 30, 5)


def test_a_finding_points_at_the_spec_field_that_made_the_object():
    origin = Location("services/iris.yaml", 12, 3)
    [finding] = findings(isvc("iris", "Knative"), named("networking.istio.io/v1", "VirtualService", "iris", origin=origin))
    assert finding.location == origin and finding.environment == "prod"


def test_unresolved_references_are_xref_errors():
    certificate = Manifest({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "gw", "namespace": "istio-system"}, "spec": {"secretName": "gw-tls", "dnsNames": ["a.example.com"], "issuerRef": {"kind": "ClusterIssuer", "name": "missing"}}})
    [finding] = findings(certificate)
    assert finding.rule == "XREF-01" and "ClusterIssuer 'missing'" in finding.message
    assert finding.location == Location("environments/prod.yaml", 40, 3)
