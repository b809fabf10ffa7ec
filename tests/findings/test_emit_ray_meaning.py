"""emit/ray.py, whole: the RayService of a `mode: ray` service with every field (a GPU worker
group placed by its class), and the spec key each of its parts points an error at."""

from __future__ import annotations

from compiler.emit import ray
from compiler.plan.versions import lower_service_plans
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

PATCH = {"metadata": {"annotations": {"team": "ml"}}, "spec": {"mode": "ray", "predictor": None, "scaling": None, "ray": {
    "image": "rayproject/ray:2.41.0", "rayVersion": "2.41.0", "autoscaling": True, "serveConfig": {"applications": [{"name": "app", "import_path": "m:app"}]},
    "head": {"resources": {"limits": {"cpu": "2", "memory": "8Gi"}}, "startParams": {"num-cpus": "0"}},
    "workers": [{"name": "gpu", "minReplicas": 1, "maxReplicas": 2, "replicas": 1, "gpu": {"class": "t4"}, "startParams": {"num-gpus": "1"}, "resources": {"limits": {"cpu": "4", "memory": "16Gi"}}}],
}}}
TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
GPU_ENV = {"spec": {"gpuClasses": {"t4": {"nodeSelector": {"accelerator": "t4"}, "tolerations": [TOLERATION], "runtimeClassName": "nvidia"}}}}


def emitted(patch: dict = PATCH):
    layer = _located(patched(BASE_SERVICE, patch), SERVICE_FILE)
    env = Environment.model_validate(patched(BASE_ENV, GPU_ENV))
    (plan,) = lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    return ray.emit(plan, env)


def test_the_ray_service_whole():
    (manifest,) = emitted()
    assert manifest.service == "iris"
    cluster = manifest.body["spec"]["rayClusterConfig"]
    assert manifest.body["metadata"] == {"name": "iris", "namespace": "ml-prod", "labels": {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}, "annotations": {"team": "ml"}}
    assert manifest.body["spec"]["serveConfigV2"] == "applications:\n- name: app\n  import_path: m:app\n"
    assert (cluster["rayVersion"], cluster["enableInTreeAutoscaling"]) == ("2.41.0", True)
    # the pods carry the service's name: its access policies select them (plan/access.py)
    assert cluster["headGroupSpec"] == {"rayStartParams": {"num-cpus": "0"}, "template": {"metadata": {"labels": {"app.kubernetes.io/name": "iris"}}, "spec": {"containers": [{
        "name": "ray-head", "image": "rayproject/ray:2.41.0",
        "ports": [{"name": "gcs-server", "containerPort": 6379}, {"name": "dashboard", "containerPort": 8265}, {"name": "serve", "containerPort": 8000}],
        "resources": {"limits": {"cpu": "2", "memory": "8Gi"}},
    }]}}}
    [worker] = cluster["workerGroupSpecs"]
    assert worker["groupName"] == "gpu" and (worker["minReplicas"], worker["maxReplicas"], worker["replicas"]) == (1, 2, 1)
    assert worker["rayStartParams"] == {"num-gpus": "1"}
    assert worker["template"]["spec"]["nodeSelector"] == {"accelerator": "t4"}
    assert worker["template"]["spec"]["tolerations"] == [TOLERATION]
    assert worker["template"]["spec"]["runtimeClassName"] == "nvidia"
    assert worker["template"]["metadata"] == {"labels": {"app.kubernetes.io/name": "iris"}}
    [container] = worker["template"]["spec"]["containers"]
    assert (container["name"], container["image"]) == ("ray-worker", "rayproject/ray:2.41.0")


def test_without_autoscaling_the_field_is_left_out():
    (manifest,) = emitted(patched(PATCH, {"spec": {"ray": {"autoscaling": False}}}))
    assert "enableInTreeAutoscaling" not in manifest.body["spec"]["rayClusterConfig"]


def test_each_part_points_at_its_spec_key():
    (manifest,) = emitted()
    cluster = "/spec/rayClusterConfig"
    worker = f"{cluster}/workerGroupSpecs/0"
    # services/iris.yaml as dumped: ray 9:3, head 11:5 (resources 12:7, startParams 16:7), serveConfig 20:5, workers 24:5 (the first 25:7)
    assert {pointer: str(location) for pointer, location in manifest.origins.items()} == {
        "": "services/iris.yaml:1:1", "/metadata": "services/iris.yaml:3:1", "/spec/serveConfigV2": "services/iris.yaml:20:5", cluster: "services/iris.yaml:9:3",
        f"{cluster}/headGroupSpec": "services/iris.yaml:11:5", f"{cluster}/headGroupSpec/rayStartParams": "services/iris.yaml:16:7",
        f"{cluster}/headGroupSpec/template/spec/containers/0/resources": "services/iris.yaml:12:7",
        worker: "services/iris.yaml:25:7", f"{worker}/minReplicas": "services/iris.yaml:29:7", f"{worker}/maxReplicas": "services/iris.yaml:28:7",
        f"{worker}/replicas": "services/iris.yaml:30:7", f"{worker}/rayStartParams": "services/iris.yaml:35:7",
        f"{worker}/template/spec/containers/0/resources": "services/iris.yaml:31:7",
    }
