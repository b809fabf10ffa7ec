"""emit/knative.py, whole: the DomainMapping of `exposure.customDomain` in Knative mode (its
labels, the service it belongs to, the spec key it points an error at), and when none is made."""

from __future__ import annotations

from compiler.emit import knative
from compiler.plan.versions import lower_service_plans
from compiler.source.resolve import expand_versions
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched
from tests.traffic_helpers import MESH, versions

LABELS = {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}
CUSTOM = {"exposure": {"customDomain": "iris.acme.example"}}


def mappings(spec: dict, env_spec: dict | None = None) -> list:
    layer = expand_versions(_located(patched(BASE_SERVICE, {"spec": spec}), SERVICE_FILE))
    env = Environment.model_validate(patched(BASE_ENV, {"spec": env_spec or {}}))
    plans = lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    return [manifest for plan in plans for manifest in knative.emit(plan, env)]


def test_the_domain_mapping_whole():
    (manifest,) = mappings(CUSTOM)
    assert manifest.body == {
        "apiVersion": "serving.knative.dev/v1beta1", "kind": "DomainMapping",
        "metadata": {"name": "iris.acme.example", "namespace": "ml-prod", "labels": LABELS},
        "spec": {"ref": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "iris-predictor"}},
    }
    assert manifest.service == "iris"
    assert {pointer: str(at) for pointer, at in manifest.origins.items()} == {"": "services/iris.yaml:7:5"}  # exposure.customDomain


def test_a_native_canary_maps_the_service_not_the_newest_version():
    (manifest,) = mappings({**CUSTOM, "versions": versions(("v1", 90), ("v2", 10))})
    assert manifest.service == "iris" and manifest.body["spec"]["ref"]["name"] == "iris-predictor"


def test_no_mapping_without_a_custom_domain_or_when_the_gateway_serves_it():
    assert mappings({}) == []
    assert mappings({"exposure": {"public": True, "customDomain": "iris.acme.example"}}, MESH) == []
    # Standard mode has no Knative Service to map
    assert mappings({"mode": "standard", **CUSTOM}) == []
