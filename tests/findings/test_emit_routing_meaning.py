"""emit/routing.py, whole: the Istio objects of a service's traffic (VirtualService, a
DestinationRule per version, the mesh Service), each belonging to the service and pointing its
errors at the spec key it came from: the exposure's keys, each version's weight and entry."""

from __future__ import annotations

from compiler.emit import routing
from compiler.plan.versions import lower_service_plans
from compiler.source.resolve import expand_versions
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

MESH = {"mesh": {}, "domain": "models.example.com"}
LABELS = {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}
EXPOSURE = {"public": True, "matchHeaders": [{"name": "tenant", "exact": "a"}], "timeoutSeconds": 30, "retries": {"attempts": 2}}
SPLIT = {"mode": "standard", "canaryStrategy": "split", "exposure": EXPOSURE, "versions": [{"name": "v1", "weight": 90}, {"name": "v2", "weight": 10}]}


def emitted(spec: dict) -> list:
    layer = expand_versions(_located(patched(BASE_SERVICE, {"spec": spec}), SERVICE_FILE))
    env = Environment.model_validate(patched(BASE_ENV, {"spec": MESH}))
    return routing.emit(lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE), env)


def origins(manifest) -> dict[str, str]:
    return {pointer: str(at) for pointer, at in manifest.origins.items()}


def destination(version: str, weight: int) -> dict:
    return {"destination": {"host": f"iris-{version}-predictor.ml-prod.svc.cluster.local", "port": {"number": 80}, "subset": version}, "weight": weight}


def test_split_versions_once_per_service_with_every_origin():
    virtual, rule_v1, rule_v2, service = emitted(SPLIT)
    assert [(m.kind, m.name, m.service) for m in (virtual, rule_v1, rule_v2, service)] == [
        ("VirtualService", "iris-route", "iris"), ("DestinationRule", "iris-v1", "iris"), ("DestinationRule", "iris-v2", "iris"), ("Service", "iris", "iris"),
    ]
    assert virtual.body["spec"] == {
        "hosts": ["iris.models.example.com", "iris.ml-prod.svc.cluster.local"],
        "gateways": ["istio-system/inference-gateway", "mesh"],
        "http": [{"name": "versions", "route": [destination("v1", 90), destination("v2", 10)],
                  "match": [{"headers": {"tenant": {"exact": "a"}}}], "timeout": "30s", "retries": {"attempts": 2}}],
    }
    # services/iris.yaml as dumped (keys sorted): exposure at 7, versions at 23
    assert origins(virtual) == {
        "": "services/iris.yaml:7:3", "/spec/hosts": "services/iris.yaml:11:5", "/spec/http/0/route": "services/iris.yaml:23:3",
        "/spec/http/0/match": "services/iris.yaml:8:5", "/spec/http/0/timeout": "services/iris.yaml:14:5", "/spec/http/0/retries": "services/iris.yaml:12:5",
        "/spec/http/0/route/0": "services/iris.yaml:25:5", "/spec/http/0/route/1": "services/iris.yaml:27:5",
    }
    assert rule_v1.body == {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "iris-v1", "namespace": "ml-prod", "labels": LABELS},
                            "spec": {"host": "iris-v1-predictor.ml-prod.svc.cluster.local", "subsets": [{"name": "v1", "labels": {"inferplane.dev/version": "v1"}}]}}
    assert (origins(rule_v1), origins(rule_v2)) == ({"": "services/iris.yaml:24:5"}, {"": "services/iris.yaml:26:5"})
    assert service.body == {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "iris", "namespace": "ml-prod", "labels": {**LABELS, "app.kubernetes.io/component": "route"}},
                            "spec": {"selector": {"app.kubernetes.io/name": "iris", "component": "predictor"}, "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]}}
    assert origins(service) == {"": "services/iris.yaml:23:3"}


def test_one_unweighted_destination_is_the_predictor_route_from_the_exposure():
    (virtual,) = emitted({"exposure": {"public": True}})
    assert virtual.service == "iris"
    assert virtual.body["spec"]["http"] == [{"name": "predictor", "route": [
        {"destination": {"host": "knative-local-gateway.istio-system.svc.cluster.local", "port": {"number": 80}},
         "headers": {"request": {"set": {"Host": "iris-predictor.ml-prod.svc.cluster.local"}}}},
    ]}]
    # no versions: the route comes from the exposure; no key of its own: every part points at it
    assert origins(virtual) == {
        "": "services/iris.yaml:6:3", "/spec/hosts": "services/iris.yaml:7:5", "/spec/http/0/route": "services/iris.yaml:6:3",
        "/spec/http/0/match": "services/iris.yaml:6:3", "/spec/http/0/timeout": "services/iris.yaml:6:3", "/spec/http/0/retries": "services/iris.yaml:6:3",
    }


def test_no_route_without_traffic_to_route():
    assert emitted({}) == []
