"""The GPU budget per environment and class: maxReplicas × GPUs per replica against the quota."""

from compiler.plan.budget import budget_diagnostics, budget_text, gpu_budget
from compiler.errors import Location
from compiler.source.resolve import Layer
from compiler.spec.models import Environment
from tests.helpers import BASE_ENV, fleet_plan, patched, plan_of

SERVICES = ("bert-tfserving", "sklearn-iris", "torch-classifier")


def fleet(env_name: str):
    plans, env = [], None
    for name in SERVICES:
        plan, env = fleet_plan(name, env_name)
        plans.append(plan)
    return plans, env


def test_prod_budget_per_class():
    plans, env = fleet("prod")
    lines = {line.gpu_class: line for line in gpu_budget(plans, env)}
    assert set(lines) == {"t4", "t4-eci"}
    t4, eci = lines["t4"], lines["t4-eci"]
    assert [(s.service, s.max_replicas, s.gpus_per_replica) for s in t4.shares] == [("torch-classifier", 6, 1)]
    assert (t4.demand, t4.quota, t4.over) == (6, 8, False)
    assert [(s.service, s.gpus) for s in eci.shares] == [("bert-tfserving", 10)]
    assert (eci.demand, eci.quota, eci.over) == (10, 10, False)
    assert eci.memory == "16Gi" and eci.resource == "nvidia.com/gpu"


def test_every_example_environment_fits_its_quotas():
    for env_name in ("dev", "staging", "prod"):
        plans, env = fleet(env_name)
        assert not any(line.over for line in gpu_budget(plans, env)), env_name


def _env(classes: dict) -> Environment:
    return Environment.model_validate(patched(BASE_ENV, {"spec": {"gpuClasses": classes}}))


def _gpu_plan(name: str, max_replicas: int | None, count: int = 1):
    return plan_of({"metadata": {"name": name}, "spec": {"hardware": {"gpu": {"class": "t4", "count": count}}, "scaling": {"maxReplicas": max_replicas}}})


def test_services_that_fit_alone_can_exceed_the_quota_together():
    env = _env({"t4": {"quota": 8}})
    [line] = gpu_budget([_gpu_plan("rank", 3, 2), _gpu_plan("embed", 3)], env)
    assert (line.demand, line.over) == (9, True)
    [diagnostic] = budget_diagnostics([line])
    assert diagnostic.rule == "GPU-BUDGET" and diagnostic.is_error
    assert "embed 3 × 1" in diagnostic.message and "rank 3 × 2" in diagnostic.message and "quota of 8" in diagnostic.message


def test_an_unbounded_service_exceeds_any_quota():
    [line] = gpu_budget([_gpu_plan("llm", None)], _env({"t4": {"quota": 100}}))
    assert (line.demand, line.over) == (None, True)
    assert "no upper bound" in budget_diagnostics([line])[0].message


def test_no_quota_is_never_over():
    [line] = gpu_budget([_gpu_plan("llm", None)], _env({"t4": {}}))
    assert not line.over and budget_diagnostics([line]) == []


def test_diagnostic_points_at_the_quota_in_the_environment_file():
    env = _env({"t4": {"quota": 1}})
    positions = {("spec", "gpuClasses", "t4", "quota"): Location("environments/prod.yaml", 30, 14)}
    layer = Layer(env.model_dump(by_alias=True), positions, "environments/prod.yaml")
    [diagnostic] = budget_diagnostics(gpu_budget([_gpu_plan("a", 2)], env), layer)
    assert str(diagnostic.location) == "environments/prod.yaml:30:14"


def test_budget_as_data_and_text():
    plans, env = fleet("staging")
    lines = gpu_budget(plans, env)
    assert [line.to_dict()["gpuClass"] for line in lines] == ["t4", "t4-eci"]
    assert lines[0].to_dict()["services"] == [{"name": "torch-classifier", "maxReplicas": 3, "gpusPerReplica": 1, "gpus": 3}]
    assert budget_text(lines).splitlines() == [
        "staging t4 (nvidia.com/gpu): 3/4 GPUs (torch-classifier 3 × 1)",
        "staging t4-eci (nvidia.com/gpu): 10/10 GPUs (bert-tfserving 10 × 1)",
    ]
