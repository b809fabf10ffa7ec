"""Versions in the InferenceService: Knative's canaryTrafficPercent, Standard's spec.canary[], and
the labels routes select."""

from compiler.emit import kserve
from tests.conftest import needs_shared
from tests.helpers import crd_errors
from tests.traffic_helpers import MESH, plans_of, versions

KSERVE_015 = {"versions": {"kubernetes": "1.33", "kserve": "0.15.2"}}
KSERVE_020 = {"versions": {"kubernetes": "1.33", "kserve": "0.20.0"}}
CANARY_SCALING = {"minReplicas": 2, "maxReplicas": 4, "metric": "cpu", "target": 70}


def isvcs(spec=None, env=None) -> list[dict]:
    plans, environment = plans_of(spec, env)
    return [manifest.body for plan in plans for manifest in kserve.emit(plan, environment)]


def test_knative_canary_sets_the_newest_versions_weight():
    [isvc] = isvcs({"versions": versions(("v1", 90), ("v2", 10))})
    predictor = isvc["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 10
    assert predictor["model"]["storageUri"] == "gs://bucket/v2"
    assert "canary" not in isvc["spec"]


def test_promoted_single_version_has_no_canary_percent():
    [isvc] = isvcs({"versions": versions(("v2", 100))})
    assert "canaryTrafficPercent" not in isvc["spec"]["predictor"]


def test_standard_canary_lists_the_canaries_with_names_and_traffic():
    [isvc] = isvcs({"mode": "standard", "scaling": CANARY_SCALING, "versions": versions(("v1", 80), ("v2", 20))}, KSERVE_020)
    [canary] = isvc["spec"]["canary"]
    assert canary["trafficPercent"] == 20
    assert canary["predictor"]["name"] == "v2"
    assert canary["predictor"]["model"]["storageUri"] == "gs://bucket/v2"
    assert isvc["spec"]["predictor"]["model"]["storageUri"] == "gs://bucket/model"
    assert "name" not in isvc["spec"]["predictor"]  # the stable predictor keeps `<isvc>-predictor`


def test_a_canary_carries_none_of_the_scaling_fields_kserve_rejects_in_it():
    [isvc] = isvcs({"mode": "standard", "scaling": CANARY_SCALING, "versions": versions(("v1", 80), ("v2", 20))}, KSERVE_020)
    canary = isvc["spec"]["canary"][0]["predictor"]
    assert not {"minReplicas", "maxReplicas", "scaleMetric", "scaleTarget", "autoScaling", "workerSpec"} & set(canary)
    assert isvc["spec"]["predictor"]["minReplicas"] == 2


def test_standard_predictor_pods_carry_the_service_and_version_labels():
    isvc_v1, isvc_v2 = isvcs({"mode": "standard", "versions": versions(("v1", 90), ("v2", 10))}, {**KSERVE_015, **MESH})
    assert isvc_v2["metadata"]["name"] == "iris-v2"
    assert isvc_v2["spec"]["predictor"]["labels"] == {"app.kubernetes.io/name": "iris", "inferplane.dev/version": "v2"}


def test_knative_pods_get_no_version_label():
    [isvc] = isvcs({"versions": versions(("v1", 90), ("v2", 10))})
    assert isvc["spec"]["predictor"]["labels"] == {"app.kubernetes.io/name": "iris"}


@needs_shared
def test_versions_pass_the_inferenceservice_schema():
    bodies = isvcs({"versions": versions(("v1", 90), ("v2", 10))})
    bodies += isvcs({"mode": "standard", "scaling": CANARY_SCALING, "versions": versions(("v1", 70), ("v2", 20), ("v3", 10))}, KSERVE_020)
    assert crd_errors(bodies) == []
