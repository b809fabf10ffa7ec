"""A Knative service that is not public maps its custom domain to its predictor's Knative Service."""

from compiler.emit import knative
from tests.conftest import needs_shared
from tests.helpers import crd_errors
from tests.traffic_helpers import MESH, plans_of, versions


def mappings(spec=None, env=None) -> list[dict]:
    plans, environment = plans_of(spec, env)
    return [manifest.body for plan in plans for manifest in knative.emit(plan, environment)]


def test_domain_mapping_points_at_the_predictors_knative_service():
    [mapping] = mappings({"exposure": {"customDomain": "iris.acme.example"}})
    assert mapping["metadata"] == {"name": "iris.acme.example", "namespace": "ml-prod", "labels": mapping["metadata"]["labels"]}
    assert mapping["spec"]["ref"] == {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "iris-predictor"}


def test_native_canary_maps_the_one_knative_service_whose_route_splits():
    [mapping] = mappings({"versions": versions(("v1", 90), ("v2", 10)), "exposure": {"customDomain": "iris.acme.example"}})
    assert mapping["spec"]["ref"]["name"] == "iris-predictor"


def test_public_service_serves_its_custom_domain_on_the_gateway_instead():
    assert mappings({"exposure": {"public": True, "customDomain": "iris.acme.example"}}, MESH) == []


def test_no_custom_domain_no_mapping():
    assert mappings() == []


@needs_shared
def test_domain_mapping_passes_the_knative_schema():
    [mapping] = mappings({"exposure": {"customDomain": "iris.acme.example"}})
    assert crd_errors([mapping]) == []
