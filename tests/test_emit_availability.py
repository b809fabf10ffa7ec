"""A PodDisruptionBudget for Standard-mode services that always run several replicas."""

from compiler.emit import availability
from tests.helpers import fleet_plan, plan_of, schema_errors

from compiler.spec.models import Environment
from tests.helpers import BASE_ENV

BASE = Environment.model_validate(BASE_ENV)


def test_torch_classifier_keeps_a_replica_through_disruptions():
    plan, env = fleet_plan("torch-classifier", "prod")
    [pdb] = availability.emit(plan, env)
    assert pdb.body["kind"] == "PodDisruptionBudget"
    assert pdb.body["metadata"]["name"] == "torch-classifier-predictor-pdb"
    assert pdb.body["spec"] == {
        "maxUnavailable": 1,
        # the labels KServe puts on predictor pods in both modes
        "selector": {"matchLabels": {"serving.kserve.io/inferenceservice": "torch-classifier", "component": "predictor"}},
    }
    assert schema_errors(pdb.body, "1.32") == []


def test_no_pdb_for_one_replica_or_knative():
    plan, env = fleet_plan("torch-classifier", "dev")  # one replica in dev
    assert availability.emit(plan, env) == []
    plan, env = fleet_plan("bert-tfserving", "prod")  # minReplicas 1
    assert availability.emit(plan, env) == []
    assert availability.emit(plan_of({"spec": {"scaling": {"minReplicas": 3, "maxReplicas": 5}}}), BASE) == []


def test_pdb_is_not_named_like_kserves_own():
    [pdb] = availability.emit(plan_of({"spec": {"mode": "standard", "scaling": {"minReplicas": 2, "maxReplicas": 3}}}), BASE)
    assert pdb.body["metadata"]["name"] != "iris-predictor"
