"""What an older KServe or Kubernetes release gets: the same service spelled the way that release
reads it (plan/kserve_versions.py, plan/kubernetes_versions.py), on both sides of each boundary."""

from __future__ import annotations

from compiler.emit import emit_all, kserve, smoketest
from compiler.spec.models import Environment
from tests.helpers import BASE_ENV, patched, plan_of
from tests.traffic_helpers import MESH, plans_of, versions


def isvc(service_patch=None, kserve_version="0.16.0", env_patch=None) -> dict:
    env = {"spec": {"versions": {"kserve": kserve_version}, **(env_patch or {})}}
    plan = plan_of(service_patch, env)
    [manifest] = kserve.emit(plan, Environment.model_validate(patched(BASE_ENV, env)))
    return manifest.body


ELASTIC = {"gpuClasses": {"t4": {"elastic": {"burst": "eci_only", "eciUseSpecs": ["ecs.gn6i-c4g1.xlarge"]}}}}
GPU = {"spec": {"hardware": {"gpu": {"class": "t4"}}}}


def test_0_7_serves_the_model_under_its_framework_field():
    predictor = isvc(kserve_version="0.7.0")["spec"]["predictor"]
    assert "model" not in predictor
    assert predictor["sklearn"]["storageUri"] == "gs://bucket/model"
    assert "modelFormat" not in predictor["sklearn"]


def test_0_8_serves_it_as_model_with_its_format():
    predictor = isvc(kserve_version="0.8.0")["spec"]["predictor"]
    assert predictor["model"]["modelFormat"] == {"name": "sklearn"}
    assert "sklearn" not in predictor


RPS = {"spec": {"scaling": {"metric": "rps", "target": 5}}}


def test_before_0_9_knatives_metric_and_target_are_annotations():
    body = isvc(RPS, kserve_version="0.8.0")
    assert body["metadata"]["annotations"]["autoscaling.knative.dev/metric"] == "rps"
    assert body["metadata"]["annotations"]["autoscaling.knative.dev/target"] == "5"
    assert "scaleMetric" not in body["spec"]["predictor"] and "scaleTarget" not in body["spec"]["predictor"]


def test_from_0_9_they_are_predictor_fields():
    body = isvc(RPS, kserve_version="0.9.0")
    assert body["spec"]["predictor"]["scaleMetric"] == "rps" and body["spec"]["predictor"]["scaleTarget"] == 5
    assert "autoscaling.knative.dev/metric" not in body["metadata"]["annotations"]


def test_before_0_9_kserves_hpa_reads_its_own_annotations():
    body = isvc({"spec": {"mode": "standard", "scaling": {"metric": "cpu", "target": 70}}}, kserve_version="0.7.0")
    annotations = body["metadata"]["annotations"]
    assert (annotations["serving.kserve.io/metrics"], annotations["serving.kserve.io/targetUtilizationPercentage"]) == ("cpu", "70")
    assert annotations["serving.kserve.io/deploymentMode"] == "RawDeployment"


def test_before_0_11_pod_labels_and_annotations_go_on_the_inferenceservice():
    body = isvc(GPU, kserve_version="0.10.2", env_patch=ELASTIC)
    assert body["metadata"]["annotations"]["k8s.aliyun.com/eci-use-specs"] == "ecs.gn6i-c4g1.xlarge"
    assert body["metadata"]["labels"]["app.kubernetes.io/name"] == "iris"
    assert "annotations" not in body["spec"]["predictor"] and "labels" not in body["spec"]["predictor"]


def test_from_0_11_they_are_the_predictors():
    body = isvc(GPU, kserve_version="0.11.2", env_patch=ELASTIC)
    assert body["spec"]["predictor"]["annotations"]["k8s.aliyun.com/eci-use-specs"] == "ecs.gn6i-c4g1.xlarge"
    assert "k8s.aliyun.com/eci-use-specs" not in body["metadata"]["annotations"]


def test_routes_name_the_predictor_service_of_the_release():
    for kserve_version, host in (("0.10.2", "iris-v2-predictor-default.ml-prod.svc.cluster.local"), ("0.11.2", "iris-v2-predictor.ml-prod.svc.cluster.local")):
        plans, env = plans_of({"mode": "standard", "versions": versions(("v1", 90), ("v2", 10))}, {**MESH, "versions": {"kubernetes": "1.33", "kserve": kserve_version}})
        route = next(m.body for m in emit_all(plans, env) if m.kind == "VirtualService")
        assert host in [d["destination"]["host"] for d in route["spec"]["http"][0]["route"]]


SMOKE = {"spec": {"smokeTest": {"enabled": True}}}
ARGO = {"gitops": {"tool": "argocd", "repoURL": "https://github.com/acme/gitops.git"}}


def _job(kubernetes="1.33", kserve_version="0.16.0", mesh=True) -> dict:
    env = {"spec": {"versions": {"kubernetes": kubernetes, "kserve": kserve_version}, **ARGO, **({"mesh": {}} if mesh else {})}}
    environment = Environment.model_validate(patched(BASE_ENV, env))
    return next(m.body for m in smoketest.emit(plan_of(SMOKE, env), environment) if m.kind == "Job")


def test_the_smoke_test_calls_the_predictor_of_the_release():
    url = next(e["value"] for e in _job(kserve_version="0.10.2")["spec"]["template"]["spec"]["containers"][0]["env"] if e["name"] == "URL")
    assert url.startswith("http://iris-predictor-default.ml-prod.svc.cluster.local/")


def test_native_sidecars_from_kubernetes_1_29():
    pod = _job(kubernetes="1.29")["spec"]["template"]
    assert pod["metadata"]["annotations"]["sidecar.istio.io/nativeSidecar"] == "true"
    assert "quitquitquit" not in pod["spec"]["containers"][0]["command"][2]


def test_before_1_29_the_smoke_test_stops_the_classic_sidecar_itself():
    pod = _job(kubernetes="1.28")["spec"]["template"]
    assert "sidecar.istio.io/nativeSidecar" not in pod["metadata"]["annotations"]
    assert "http://127.0.0.1:15020/quitquitquit" in pod["spec"]["containers"][0]["command"][2]


def test_without_a_mesh_there_is_no_sidecar_to_stop():
    pod = _job(kubernetes="1.28", mesh=False)["spec"]["template"]
    assert "quitquitquit" not in pod["spec"]["containers"][0]["command"][2]
