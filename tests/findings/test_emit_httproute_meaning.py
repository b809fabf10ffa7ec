"""emit/httproute.py and emit/visibility.py, whole: the HTTPRoute of `exposure.gatewayApi` with
every field (parentRef, hostnames by default or as written, path and header matches, timeout,
one backend or a weighted one per version), when none is rendered, and the cluster-local label
of `exposure.internal` per mode."""

from __future__ import annotations

from compiler.emit import httproute
from compiler.emit.visibility import visibility_labels
from compiler.plan.versions import lower_service_plans
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

GATEWAY = {"gateway": "inference"}
LABELS = {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}
DOMAIN = {"spec": {"domain": "prod.example.com"}}
SPLIT = {"canaryStrategy": "split", "versions": [{"name": "v1", "weight": 90}, {"name": "v2", "weight": 10}]}


def plans(spec: dict, env_patch: dict | None = None):
    layer = _located(patched(BASE_SERVICE, {"spec": spec}), SERVICE_FILE)
    env = Environment.model_validate(patched(BASE_ENV, env_patch or {}))
    return env, lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)


def routes(spec: dict, env_patch: dict | None = None) -> list:
    env, found = plans({"mode": "standard", **spec}, env_patch)
    return [manifest for plan in found for manifest in httproute.emit(plan, env)]


def route(backends: list[dict], *, match: dict | None = None, **spec) -> dict:
    rule = {"matches": [match or {"path": {"type": "PathPrefix", "value": "/"}}], "backendRefs": backends}
    return {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "iris-route", "namespace": "ml-prod", "labels": LABELS}, "spec": {**spec, "rules": [rule]}}


ONE_BACKEND = [{"name": "iris-predictor", "port": 80}]


def test_the_least_route_attaches_to_its_gateway_with_one_backend_and_no_hostnames():
    # no domain and no hostnames: the listener's hostnames answer
    (manifest,) = routes({"exposure": {"gatewayApi": GATEWAY}})
    assert manifest.body == route(ONE_BACKEND, parentRefs=[{"name": "inference"}])
    assert manifest.service == "iris"
    assert {pointer: str(at) for pointer, at in manifest.origins.items()} == {"": "services/iris.yaml:7:5"}  # exposure.gatewayApi


def test_the_whole_route_as_written():
    gateway = {**GATEWAY, "gatewayNamespace": "gateways", "sectionName": "https", "hostnames": ["iris.acme.example"], "path": "/v1"}
    headers = [{"name": "model", "exact": "iris"}, {"name": "tenant", "regex": "^team-.*"}, {"name": "both", "exact": "a", "regex": "b"}]
    (manifest,) = routes({"exposure": {"gatewayApi": gateway, "timeoutSeconds": 30, "matchHeaders": headers}}, DOMAIN)
    match = {"path": {"type": "PathPrefix", "value": "/v1"}, "headers": [
        {"name": "model", "type": "Exact", "value": "iris"}, {"name": "tenant", "type": "RegularExpression", "value": "^team-.*"},
        {"name": "both", "type": "Exact", "value": "a"}, {"name": "both", "type": "RegularExpression", "value": "b"},
    ]}
    expected = route(ONE_BACKEND, match=match, hostnames=["iris.acme.example"], parentRefs=[{"name": "inference", "namespace": "gateways", "sectionName": "https"}])
    expected["spec"]["rules"][0]["timeouts"] = {"request": "30s"}
    assert manifest.body == expected
    assert list(manifest.body["spec"]) == ["hostnames", "parentRefs", "rules"]


def test_the_default_hostname_is_the_host_label_under_the_domain():
    (manifest,) = routes({"exposure": {"gatewayApi": GATEWAY, "host": "flower"}}, DOMAIN)
    assert manifest.body["spec"]["hostnames"] == ["flower.prod.example.com"]


def test_split_versions_are_weighted_backends_of_the_services_one_route():
    found = routes({"exposure": {"gatewayApi": GATEWAY}, **SPLIT}, DOMAIN)
    # each version's plan renders the same route, named and hosted by the service
    weighted = [{"name": "iris-v1-predictor", "port": 80, "weight": 90}, {"name": "iris-v2-predictor", "port": 80, "weight": 10}]
    expected = route(weighted, hostnames=["iris.prod.example.com"], parentRefs=[{"name": "inference"}])
    assert [manifest.body for manifest in found] == [expected, expected]
    assert [manifest.service for manifest in found] == ["iris", "iris"]


def test_a_single_version_is_routed_to_its_own_inference_services_predictor():
    # one version renders InferenceService iris-v1, whose predictor Service is iris-v1-predictor
    # (there is no iris-predictor), whether or not the versions are split
    for strategy in ({"canaryStrategy": "split"}, {}):
        found = routes({"exposure": {"gatewayApi": GATEWAY}, **strategy, "versions": [{"name": "v1"}]}, {"spec": {"mesh": {}}})
        assert [manifest.body for manifest in found] == [route([{"name": "iris-v1-predictor", "port": 80}], parentRefs=[{"name": "inference"}])]


def test_no_route_without_gateway_api_outside_standard_mode_or_when_kserve_routes():
    assert routes({"exposure": {"public": True}}) == []
    env, (plan,) = plans({"mode": "knative", "exposure": {"gatewayApi": GATEWAY}})
    assert httproute.emit(plan, env) == []
    assert routes({"exposure": {"gatewayApi": GATEWAY}}, {"spec": {"kserveGatewayApi": True, "versions": {"kserve": "0.15.2"}}}) == []


def test_an_internal_service_is_cluster_local_to_its_modes_router():
    def labels(mode: str, internal: bool) -> dict:
        _, (plan,) = plans({"mode": mode, "exposure": {"internal": internal}})
        return visibility_labels(plan)

    assert labels("knative", True) == {"networking.knative.dev/visibility": "cluster-local"}
    assert labels("standard", True) == {"networking.kserve.io/visibility": "cluster-local"}
    assert labels("knative", False) == {} and labels("standard", False) == {}
