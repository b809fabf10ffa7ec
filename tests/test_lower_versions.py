"""A service with versions lowers into the plans of its InferenceServices, by mechanism."""

from compiler.errors import Location
from compiler.plan.versions import version_layer
from compiler.source.resolve import Layer
from tests.traffic_helpers import MESH, plans_of, versions

CANARY = versions(("v1", 90), ("v2", 10))
KSERVE_015 = {"versions": {"kubernetes": "1.33", "kserve": "0.15.2"}}
KSERVE_020 = {"versions": {"kubernetes": "1.33", "kserve": "0.20.0"}}


def test_no_versions_is_one_plan_named_after_the_service():
    [plan], _ = plans_of()
    assert (plan.name, plan.service, plan.version) == ("iris", "iris", None)
    assert plan.traffic.strategy == "single"


def test_knative_canary_serves_the_newest_version_with_its_weight():
    [plan], _ = plans_of({"versions": CANARY})
    assert plan.name == "iris"
    assert plan.version == "v2"
    assert plan.predictor.model.storage_uri == "gs://bucket/v2"
    assert plan.canary_traffic_percent == 10


def test_the_list_order_not_the_weight_picks_the_newest_version():
    [plan], _ = plans_of({"versions": versions(("v1", 30), ("v2", 70))})
    assert (plan.version, plan.canary_traffic_percent) == ("v2", 70)


def test_standard_canary_is_the_first_version_stable_and_the_rest_canaries():
    [plan], _ = plans_of({"mode": "standard", "versions": versions(("v1", 70), ("v2", 20), ("v3", 10))}, KSERVE_020)
    assert (plan.name, plan.version, plan.predictor.model.storage_uri) == ("iris", "v1", "gs://bucket/model")
    assert [(c.version, c.weight, c.plan.predictor.model.storage_uri) for c in plan.canaries] == [("v2", 20, "gs://bucket/v2"), ("v3", 10, "gs://bucket/v3")]
    assert plan.canary_traffic_percent is None


def test_split_is_one_plan_per_version_sharing_one_traffic_plan():
    plans, _ = plans_of({"mode": "standard", "versions": CANARY}, {**KSERVE_015, **MESH})
    assert [(p.name, p.service, p.version) for p in plans] == [("iris-v1", "iris", "v1"), ("iris-v2", "iris", "v2")]
    assert plans[0].traffic is plans[1].traffic
    assert plans[1].predictor.model.storage_uri == "gs://bucket/v2"


def test_split_versions_keep_serving_the_model_under_the_service_name():
    plans, _ = plans_of({"mode": "standard", "versions": CANARY}, {**KSERVE_015, **MESH})
    assert [p.predictor.model.args for p in plans] == [["--model_name=iris"], ["--model_name=iris"]]


def test_a_model_name_the_user_chose_is_kept():
    listed = [{"name": "v1", "weight": 100, "predictor": {"model": {"args": ["--model_name=flowers"]}}}]
    [plan], _ = plans_of({"mode": "standard", "versions": listed}, {**KSERVE_015, **MESH})
    assert plan.predictor.model.args == ["--model_name=flowers"]


def test_runtimes_that_name_the_model_themselves_get_no_model_name():
    listed = [{"name": "v1", "weight": 100, "predictor": {"model": {"format": "triton", "storageUri": "gs://bucket/triton"}}}]
    [plan], _ = plans_of({"mode": "standard", "versions": listed}, {**KSERVE_015, **MESH})
    assert plan.predictor.model.args == []


def test_shared_settings_apply_to_every_version():
    resources = {"requests": {"cpu": "2"}, "limits": {"cpu": "4"}}
    plans, _ = plans_of({"mode": "standard", "predictor": {"resources": resources}, "versions": CANARY}, {**KSERVE_015, **MESH})
    assert [p.resources["limits"]["cpu"] for p in plans] == ["4", "4"]


def test_version_layer_points_the_predictor_at_the_version():
    positions = {
        ("spec", "predictor", "model", "format"): Location("services/iris.yaml", 8, 7),
        ("spec", "versions", 1, "predictor", "model", "storageUri"): Location("services/iris.yaml", 20, 9),
        ("spec", "versions", 1, "predictor", "model", "format"): Location("services/iris.yaml", 8, 7),
    }
    data = {"spec": {"predictor": {"model": {"format": "sklearn"}}, "versions": [{}, {"predictor": {"model": {"format": "sklearn", "storageUri": "gs://b/2"}}}]}}
    layer = version_layer(Layer(data, positions, "services/iris.yaml"), 1)
    assert layer.data["spec"]["predictor"]["model"]["storageUri"] == "gs://b/2"
    assert layer.locate(("spec", "predictor", "model", "storageUri")).line == 20
    assert layer.locate(("spec", "predictor", "model", "format")).line == 8
