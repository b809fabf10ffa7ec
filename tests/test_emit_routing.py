"""The VirtualService weights the versions' destinations, names the gateway, and every subset it
routes to is defined by a DestinationRule; the objects pass Istio's schemas."""

from compiler.emit.manifest import apply_rank
from compiler.emit import routing
from tests.conftest import needs_shared
from tests.helpers import crd_errors
from tests.traffic_helpers import MESH, plans_of, versions

KSERVE_015 = {"versions": {"kubernetes": "1.33", "kserve": "0.15.2"}}
KSERVE_020 = {"versions": {"kubernetes": "1.33", "kserve": "0.20.0"}}
PUBLIC = {"public": True, "timeoutSeconds": 20, "retries": {"attempts": 3, "retryOn": "5xx"}, "matchHeaders": [{"name": "x-tenant", "exact": "acme"}]}


def routes(spec=None, env=None) -> dict[str, list[dict]]:
    plans, environment = plans_of(spec, env)
    by_kind: dict[str, list[dict]] = {}
    for manifest in routing.emit(plans, environment):
        by_kind.setdefault(manifest.kind, []).append(manifest.body)
    return by_kind


def split_routes() -> dict[str, list[dict]]:
    return routes({"mode": "standard", "versions": versions(("v1", 90), ("v2", 10)), "exposure": PUBLIC}, {**KSERVE_015, **MESH})


def test_split_weights_ten_percent_to_v2():
    [vs] = split_routes()["VirtualService"]
    route = vs["spec"]["http"][0]["route"]
    weights = {entry["destination"]["subset"]: (entry["destination"]["host"], entry["weight"]) for entry in route}
    assert weights == {"v1": ("iris-v1-predictor.ml-prod.svc.cluster.local", 90), "v2": ("iris-v2-predictor.ml-prod.svc.cluster.local", 10)}
    assert sum(entry["weight"] for entry in route) == 100
    assert all(entry["destination"]["port"] == {"number": 80} for entry in route)


def test_every_routed_subset_is_defined_for_its_host():
    emitted = split_routes()
    defined = {(dr["spec"]["host"], subset["name"]) for dr in emitted["DestinationRule"] for subset in dr["spec"]["subsets"]}
    routed = {(entry["destination"]["host"], entry["destination"]["subset"]) for entry in emitted["VirtualService"][0]["spec"]["http"][0]["route"]}
    assert routed <= defined


def test_subsets_select_the_version_label_the_predictor_pods_carry():
    subsets = {dr["metadata"]["name"]: dr["spec"]["subsets"][0] for dr in split_routes()["DestinationRule"]}
    assert subsets["iris-v2"] == {"name": "v2", "labels": {"inferplane.dev/version": "v2"}}


def test_destination_rules_are_applied_before_routes():
    assert apply_rank("DestinationRule") < apply_rank("VirtualService")


def test_route_names_the_gateway_and_the_mesh_and_carries_the_exposure_settings():
    [vs] = split_routes()["VirtualService"]
    assert vs["metadata"]["name"] == "iris-route"  # never `iris`: KServe's own VirtualService name
    assert vs["spec"]["gateways"] == ["istio-system/inference-gateway", "mesh"]
    assert vs["spec"]["hosts"] == ["iris.models.example.com", "iris.ml-prod.svc.cluster.local"]
    http = vs["spec"]["http"][0]
    assert http["timeout"] == "20s"
    assert http["retries"] == {"attempts": 3, "retryOn": "5xx"}
    assert http["match"] == [{"headers": {"x-tenant": {"exact": "acme"}}}]


def test_split_gives_the_in_mesh_host_a_service_over_every_version():
    [service] = split_routes()["Service"]
    assert service["metadata"]["name"] == "iris"
    assert service["spec"]["selector"] == {"app.kubernetes.io/name": "iris", "component": "predictor"}
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]


def test_knative_split_goes_through_the_local_gateway_by_host():
    emitted = routes({"canaryStrategy": "split", "versions": versions(("blue", 100), ("green", 0))}, MESH)
    route = emitted["VirtualService"][0]["spec"]["http"][0]["route"]
    assert [(entry["headers"]["request"]["set"]["Host"], entry["weight"]) for entry in route] == [
        ("iris-blue-predictor.ml-prod.svc.cluster.local", 100),
        ("iris-green-predictor.ml-prod.svc.cluster.local", 0),
    ]
    assert "DestinationRule" not in emitted
    assert emitted["Service"][0]["spec"] == {"type": "ExternalName", "externalName": "knative-local-gateway.istio-system.svc.cluster.local", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}]}


def test_single_destination_has_no_weight():
    [vs] = routes({"exposure": {"public": True}}, MESH)["VirtualService"]
    [entry] = vs["spec"]["http"][0]["route"]
    assert "weight" not in entry


def test_routes_are_emitted_once_per_service():
    plans, env = plans_of({"mode": "standard", "versions": versions(("v1", 50), ("v2", 30), ("v3", 20))}, {**KSERVE_015, **MESH})
    kinds = [m.kind for m in routing.emit(plans, env)]
    assert kinds.count("VirtualService") == 1
    assert kinds.count("DestinationRule") == 3


def test_no_routes_without_a_mesh():
    assert routes({"exposure": {"public": True}}, {"domain": "models.example.com"}) == {}


@needs_shared
def test_routes_pass_the_istio_schemas_and_cel_rules():
    emitted = split_routes()
    emitted.update(routes({"mode": "standard", "versions": versions(("v1", 80), ("v2", 20)), "exposure": PUBLIC}, {**KSERVE_020, **MESH}))
    assert crd_errors([body for bodies in emitted.values() for body in bodies]) == []
