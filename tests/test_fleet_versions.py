"""The example fleet's canary: sklearn-iris serves v2 at 10% in staging and prod, v1 alone in dev."""

import pytest

from compiler.spec.check import check_model
from compiler.emit import kserve
from compiler.source.load import load_project
from compiler.plan.versions import lower_service_plans
from compiler.source.resolve import Layer, resolve_service
from compiler.spec.models import Environment, ModelService
from tests.conftest import REPO


def iris_plans(env_name: str):
    sources = load_project(REPO)
    env_doc = sources.environments[env_name]
    env, errors = check_model(Layer(env_doc.data, env_doc.positions, env_doc.path), Environment, "Environment")
    assert env is not None, errors
    layer = resolve_service(sources.services["sklearn-iris"], Layer.of(env_doc, ("spec", "defaults")), sources.overlays.get((env_name, "sklearn-iris")))
    service, errors = check_model(layer, ModelService, "ModelService")
    assert service is not None, errors
    return lower_service_plans(service, env, layer, "services/sklearn-iris.yaml"), env


@pytest.mark.parametrize("env_name", ["staging", "prod"])
def test_v2_takes_ten_percent_through_knatives_canary(env_name):
    [plan], env = iris_plans(env_name)
    [manifest] = kserve.emit(plan, env)
    predictor = manifest.body["spec"]["predictor"]
    assert predictor["canaryTrafficPercent"] == 10
    assert predictor["model"]["storageUri"] == "gs://kfserving-examples/models/sklearn/1.0/model-2"
    assert plan.traffic.weights == (("v1", 90), ("v2", 10))


def test_dev_serves_v1_alone():
    [plan], env = iris_plans("dev")
    [manifest] = kserve.emit(plan, env)
    predictor = manifest.body["spec"]["predictor"]
    assert "canaryTrafficPercent" not in predictor
    assert predictor["model"]["storageUri"] == "gs://kfserving-examples/models/sklearn/1.0/model"
