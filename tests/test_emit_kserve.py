"""The InferenceService carries the plan's scaling owner, GPU placement, pod hardening and timeout."""

import pytest

from compiler.emit import kserve
from tests.conftest import needs_shared
from tests.helpers import fleet_plan, plan_of, schema_errors

PROM = {"query": "sum(rate(requests_total[1m]))", "serverAddress": "http://prometheus:9090"}
KEDA_ENV = {"spec": {"autoscaling": {"keda": True}}}


def isvc(service_patch=None, env_patch=None) -> dict:
    [manifest] = kserve.emit(plan_of(service_patch, env_patch), None)
    return manifest.body


def predictor(service_patch=None, env_patch=None) -> dict:
    return isvc(service_patch, env_patch)["spec"]["predictor"]


def seed() -> dict:
    plan, env = fleet_plan("bert-tfserving", "prod")
    [manifest] = kserve.emit(plan, env)
    return manifest.body


# ---------------------------------------------------------------- GPU placement


def test_seed_bursts_to_eci_with_the_seeds_annotations():
    body = seed()
    assert body["spec"]["predictor"]["annotations"] == {
        "alibabacloud.com/burst-resource": "eci_only",
        "k8s.aliyun.com/eci-use-specs": "ecs.gn6i-c4g1.xlarge",
    }
    assert body["metadata"]["annotations"]["inferplane.dev/gpu-class"] == "t4-eci"


def test_seed_lands_on_virtual_nodes_with_one_gpu():
    predictor = seed()["spec"]["predictor"]
    assert predictor["model"]["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert predictor["nodeSelector"] == {"type": "virtual-kubelet"}
    assert predictor["tolerations"] == [{"key": "virtual-kubelet.io/provider", "operator": "Equal", "value": "alibabacloud", "effect": "NoSchedule"}]


def test_eci_use_specs_are_comma_joined():
    classes = {"a10": {"elastic": {"burst": "eci", "eciUseSpecs": ["ecs.gn7i-c8g1.2xlarge", "ecs.gn6i-c4g1.xlarge"]}}}
    annotations = predictor({"spec": {"hardware": {"gpu": {"class": "a10"}}}}, {"spec": {"gpuClasses": classes}})["annotations"]
    assert annotations["k8s.aliyun.com/eci-use-specs"] == "ecs.gn7i-c8g1.2xlarge,ecs.gn6i-c4g1.xlarge"
    assert annotations["alibabacloud.com/burst-resource"] == "eci"


def test_gpu_class_sets_resource_runtime_class_and_placement():
    classes = {"mig": {"resource": "nvidia.com/mig-1g.5gb", "runtimeClassName": "nvidia", "nodeSelector": {"nvidia.com/mig.strategy": "mixed"}, "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists"}]}}
    body = predictor({"spec": {"hardware": {"gpu": {"class": "mig", "count": 2}}}}, {"spec": {"gpuClasses": classes}})
    assert body["model"]["resources"]["limits"]["nvidia.com/mig-1g.5gb"] == 2
    assert "requests" not in body["model"]["resources"]  # an extended resource's request follows its limit
    assert body["runtimeClassName"] == "nvidia"
    assert body["nodeSelector"] == {"nvidia.com/mig.strategy": "mixed"}
    assert body["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists"}]


def test_no_gpu_no_gpu_annotation():
    assert "inferplane.dev/gpu-class" not in isvc()["metadata"]["annotations"]


# ---------------------------------------------------------------- scaling fields per owner


def test_knative_gets_kserve_fields_and_the_annotations_kserve_does_not_derive():
    body = predictor({"spec": {"scaling": {"minReplicas": 0, "maxReplicas": 5, "metric": "rps", "target": 20, "initialScale": 1, "scaleToZeroRetentionSeconds": 300}}})
    assert (body["minReplicas"], body["maxReplicas"], body["scaleMetric"], body["scaleTarget"]) == (0, 5, "rps", 20)
    assert body["annotations"] == {
        "autoscaling.knative.dev/initial-scale": "1",
        "autoscaling.knative.dev/scale-to-zero-pod-retention-period": "300s",
    }
    assert not any(key.endswith(("/min-scale", "/max-scale", "/target", "/metric")) for key in body["annotations"])


def test_knative_mode_writes_no_autoscaler_class():
    assert "serving.kserve.io/autoscalerClass" not in isvc()["metadata"]["annotations"]


def test_kserve_hpa_gets_scale_metric_and_target():
    body = isvc({"spec": {"mode": "standard", "scaling": {"minReplicas": 2, "maxReplicas": 6, "metric": "cpu", "target": 70}}})
    assert body["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "hpa"
    assert (body["spec"]["predictor"]["scaleMetric"], body["spec"]["predictor"]["scaleTarget"]) == ("cpu", 70)


def test_keda_gets_autoscaling_metrics_from_the_query():
    scaling = {"minReplicas": 0, "maxReplicas": 4, "metric": "external", "target": 5, "external": PROM, "stabilization": {"scaleDownSeconds": 600}}
    body = isvc({"spec": {"mode": "standard", "scaling": scaling}}, KEDA_ENV)
    assert body["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "keda"
    body_predictor = body["spec"]["predictor"]
    assert body_predictor["minReplicas"] == 0  # KEDA scales to zero
    assert "scaleMetric" not in body_predictor  # not allowed with class keda
    assert body_predictor["autoScaling"] == {
        "metrics": [
            {
                "type": "External",
                "external": {
                    "metric": {"backend": "prometheus", "serverAddress": "http://prometheus:9090", "query": "sum(rate(requests_total[1m]))"},
                    "target": {"type": "Value", "value": 5},
                },
            }
        ],
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 600}},
    }


def test_timeout_becomes_the_predictor_timeout():
    assert predictor({"spec": {"predictor": {"timeoutSeconds": 120}}})["timeout"] == 120


# ---------------------------------------------------------------- pod hardening


def security(service_patch=None) -> dict | None:
    body = predictor(service_patch)
    implementation = body.get("model") or body["containers"][0]
    return implementation.get("securityContext")


def test_hardened_by_default():
    context = security()
    assert context["runAsNonRoot"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}


@pytest.mark.parametrize(
    "model_format, read_only",
    [("sklearn", True), ("tensorflow", True), ("xgboost", True), ("pytorch", False), ("huggingface", False), ("triton", False)],
)
def test_read_only_root_filesystem_where_the_runtime_allows(model_format, read_only):
    context = security({"spec": {"predictor": {"model": {"format": model_format}}}})
    assert context.get("readOnlyRootFilesystem", False) is read_only


def test_tf_serving_runs_as_the_uid_kserve_uses():
    assert security({"spec": {"predictor": {"model": {"format": "tensorflow"}}}})["runAsUser"] == 1000


def test_custom_container_is_writable_unless_the_spec_says_so():
    custom = {"model": None, "container": {"image": "ghcr.io/acme/server@sha256:" + "a" * 64}}
    assert "readOnlyRootFilesystem" not in security({"spec": {"predictor": custom}})
    assert security({"spec": {"predictor": {**custom, "security": {"readOnlyRootFilesystem": True, "runAsUser": 65532}}}})["readOnlyRootFilesystem"] is True


def test_hardening_can_be_turned_off():
    assert security({"spec": {"predictor": {"security": {"hardened": False}}}}) is None


def test_environment_defaults_can_turn_hardening_off():
    from compiler.plan.service import security_context
    from compiler.source.resolve import Layer, merge
    from compiler.spec.models import ModelService
    from tests.helpers import BASE_SERVICE

    defaults = Layer({"spec": {"predictor": {"security": {"hardened": False}}}}, {}, "environments/dev.yaml")
    service = ModelService.model_validate(merge(defaults, Layer(BASE_SERVICE, {}, "services/iris.yaml")).data)
    assert security_context(service.spec.predictor) is None


# ---------------------------------------------------------------- availability


def test_standard_services_with_two_replicas_spread_softly():
    spread = predictor({"spec": {"mode": "standard", "scaling": {"minReplicas": 2, "maxReplicas": 4}}})["topologySpreadConstraints"]
    assert [c["topologyKey"] for c in spread] == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    assert {c["whenUnsatisfiable"] for c in spread} == {"ScheduleAnyway"}
    assert all(c["labelSelector"] == {"matchLabels": {"serving.kserve.io/inferenceservice": "iris", "component": "predictor"}} for c in spread)


def test_single_replica_and_knative_services_do_not_spread():
    assert "topologySpreadConstraints" not in predictor({"spec": {"mode": "standard", "scaling": {"minReplicas": 1, "maxReplicas": 4}}})
    assert "topologySpreadConstraints" not in predictor({"spec": {"scaling": {"minReplicas": 3, "maxReplicas": 4}}})


# ---------------------------------------------------------------- upstream schema


@needs_shared
@pytest.mark.parametrize(
    "service_patch, env_patch",
    [
        ({"spec": {"mode": "standard", "scaling": {"minReplicas": 0, "maxReplicas": 4, "metric": "external", "target": 5, "external": PROM}}}, KEDA_ENV),
        ({"spec": {"scaling": {"minReplicas": 0, "initialScale": 1}, "predictor": {"timeoutSeconds": 60}}}, None),
        ({"spec": {"mode": "standard", "scaling": {"minReplicas": 2, "maxReplicas": 4, "metric": "memory", "target": 80}}}, None),
    ],
)
def test_every_owner_renders_an_isvc_kserve_accepts(service_patch, env_patch):
    assert schema_errors(isvc(service_patch, env_patch)) == []
