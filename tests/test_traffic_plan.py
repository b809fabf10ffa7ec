"""Which mechanism splits the versions, and the hosts, gateways and destinations of the route."""

import pytest

from compiler.plan.traffic import KNATIVE_LOCAL_GATEWAY, plan_traffic, strategy
from tests.traffic_helpers import MESH, env_of, service_of, versions

CANARY = versions(("v1", 90), ("v2", 10))
KSERVE_020 = {"versions": {"kubernetes": "1.33", "kserve": "0.20.0"}}
KSERVE_015 = {"versions": {"kubernetes": "1.33", "kserve": "0.15.2"}}


def traffic(spec=None, env=None):
    service, _ = service_of(spec)
    return plan_traffic(service, env_of(env))


STRATEGIES = [
    ({}, None, "single"),
    ({"versions": versions(("v1", 100))}, None, "single"),
    ({"versions": CANARY}, None, "native"),
    ({"versions": CANARY, "canaryStrategy": "split"}, MESH, "split"),
    ({"mode": "standard", "versions": CANARY}, KSERVE_020, "canary"),
    ({"mode": "standard", "versions": CANARY}, KSERVE_015, "split"),
    # Before v0.20 even one listed version is its own InferenceService: names stay put on promotion.
    ({"mode": "standard", "versions": versions(("v2", 100))}, None, "split"),
    ({"mode": "standard", "versions": versions(("v2", 100))}, KSERVE_020, "single"),
    ({"mode": "standard", "versions": CANARY, "canaryStrategy": "split"}, KSERVE_020, "split"),
]


@pytest.mark.parametrize("spec, env, expected", STRATEGIES)
def test_strategy(spec, env, expected):
    service, _ = service_of(spec)
    assert strategy(service, env_of(env)) == expected


def test_knative_public_route_goes_through_the_local_gateway_to_the_predictor():
    plan = traffic({"versions": CANARY, "exposure": {"public": True}}, MESH)
    assert plan.virtual_service
    assert plan.hosts == ("iris.models.example.com",)  # the in-mesh host is KServe's own
    assert plan.gateways == ("istio-system/inference-gateway",)
    [destination] = plan.destinations
    assert destination.host == KNATIVE_LOCAL_GATEWAY
    assert destination.host_header == "iris-predictor.ml-prod.svc.cluster.local"


def test_knative_service_that_is_not_public_needs_no_route():
    assert not traffic({"versions": CANARY}, MESH).virtual_service


def test_standard_canary_routes_the_stable_and_canary_services_with_their_weights():
    plan = traffic({"mode": "standard", "versions": versions(("v1", 80), ("v2", 20))}, {**KSERVE_020, **MESH})
    assert [(d.host, d.subset, d.weight) for d in plan.destinations] == [
        ("iris-predictor.ml-prod.svc.cluster.local", "v1", 80),
        ("iris-v2-predictor.ml-prod.svc.cluster.local", "v2", 20),
    ]
    assert {(rule.host, rule.subset) for rule in plan.subset_rules} == {(d.host, d.subset) for d in plan.destinations}
    assert plan.hosts == ("iris-predictor.ml-prod.svc.cluster.local",)
    assert plan.gateways == ("mesh",)


def test_split_has_an_in_mesh_host_of_its_own():
    plan = traffic({"mode": "standard", "versions": CANARY, "exposure": {"public": True, "host": "flowers"}}, {**KSERVE_015, **MESH})
    assert plan.hosts == ("flowers.models.example.com", "iris.ml-prod.svc.cluster.local")
    assert plan.gateways == ("istio-system/inference-gateway", "mesh")
    assert plan.mesh_service.name == "iris"
    assert plan.mesh_service.selector == {"app.kubernetes.io/name": "iris", "component": "predictor"}


def test_public_custom_domain_is_a_gateway_host_and_needs_no_domain_mapping():
    plan = traffic({"exposure": {"public": True, "customDomain": "iris.acme.example"}}, MESH)
    assert plan.hosts == ("iris.models.example.com", "iris.acme.example")
    assert plan.domain_mapping_target is None


def test_custom_domain_of_a_knative_service_that_is_not_public_is_a_domain_mapping():
    plan = traffic({"exposure": {"customDomain": "iris.acme.example"}}, MESH)
    assert plan.domain_mapping_target == "iris-predictor"
    assert not plan.virtual_service


def test_route_settings():
    exposure = {"public": True, "timeoutSeconds": 30, "retries": {"attempts": 2, "perTryTimeoutSeconds": 5, "retryOn": "5xx"}, "matchHeaders": [{"name": "x-tenant", "prefix": "acme"}]}
    plan = traffic({"exposure": exposure}, MESH)
    assert plan.timeout_seconds == 30
    assert plan.retries == {"attempts": 2, "perTryTimeout": "5s", "retryOn": "5xx"}
    assert plan.match_headers == ({"name": "x-tenant", "condition": {"prefix": "acme"}},)


def test_standard_service_with_route_settings_only_gets_an_in_mesh_route():
    plan = traffic({"mode": "standard", "exposure": {"timeoutSeconds": 10}}, MESH)
    assert plan.virtual_service
    assert plan.hosts == ("iris-predictor.ml-prod.svc.cluster.local",)
    assert plan.gateways == ("mesh",)


def test_no_route_without_a_mesh():
    assert not traffic({"mode": "standard", "versions": CANARY, "exposure": {"public": True}}, {"domain": "models.example.com"}).virtual_service
