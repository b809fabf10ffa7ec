"""mode ray: the KubeRay RayService a spec compiles to, and rules RAY-* (exact finding, nothing else)."""

from __future__ import annotations

import pytest

from tests.conftest import needs_shared
from tests.workload_project import compile_text, findings

AT = "services/iris.yaml"
RAY = (
    "  mode: ray\n"  # line 6
    "  ray:\n"
    "    image: rayproject/ray:2.41.0-py311-gpu\n"
    "    serveConfig: {applications: [{name: app, import_path: app:deployment}]}\n"
    "    head:\n"  # line 10
    "      resources: {limits: {cpu: '2', memory: 8Gi}}\n"
)
HEAD_PARAMS = "      startParams: {num-cpus: '0'}\n"  # line 12
WORKERS = "    workers:\n      - name: gpu\n        maxReplicas: 2\n        gpu: {class: t4}\n"  # lines 12-15


def ray_service(result) -> dict:
    [manifest] = [m for m in result.manifests if m.kind == "RayService"]
    return manifest.body


@needs_shared
def test_ray_service_renders_a_cluster_with_gpu_workers_counted_in_the_budget(tmp_path):
    result = compile_text(tmp_path, RAY + WORKERS + "        startParams: {num-gpus: '1'}\n")
    assert result.ok, [d.format() for d in result.diagnostics]
    body = ray_service(result)
    assert body["apiVersion"] == "ray.io/v1"
    assert body["spec"]["serveConfigV2"] == "applications:\n- name: app\n  import_path: app:deployment\n"
    [group] = body["spec"]["rayClusterConfig"]["workerGroupSpecs"]
    assert group["rayStartParams"] == {"num-gpus": "1"} and group["minReplicas"] == 0 and group["maxReplicas"] == 2
    assert group["template"]["spec"]["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 1}, "requests": {"nvidia.com/gpu": 1}}
    [line] = result.gpu_budget
    assert [(share.service, share.gpus) for share in line.shares] == [("iris/gpu", 2)]


FIRING = [
    ("RAY-01 mode ray without ray", "  mode: ray\n",
     f"{AT}:6:3: error[RAY-01]: mode ray without a `ray` block — add `ray: {{image: rayproject/ray:2.41.0, serveConfig: {{applications: [...]}}}}`"),
    ("RAY-01 ray block in knative mode", "  mode: knative\n  predictor:\n    model: {format: sklearn, storageUri: gs://b/m}\n" + RAY[RAY.index("  ray:"):],
     f"{AT}:9:3: error[RAY-01]: `ray` is set but spec.mode is 'knative' — set `mode: ray` to render it as a RayService, or remove `ray`"),
    ("RAY-02 unquoted number", RAY + "      startParams: {num-cpus: 0}\n",
     f"{AT}:12:21: error[RAY-02]: rayStartParams num-cpus of the head is 0, not a string — quote it: num-cpus: \"0\""),
    ("RAY-02 num-gpus differs from the GPUs", RAY + WORKERS + "        startParams: {num-gpus: '2'}\n",
     f"{AT}:16:23: error[RAY-02]: num-gpus '2' of worker group 'gpu' differs from its 1 GPU(s) — set num-gpus: \"1\", or leave it out (Ray counts the container's GPUs)"),
    ("RAY-03 unknown class", RAY + "    workers:\n      - name: gpu\n        maxReplicas: 2\n        gpu: {class: a100}\n",
     f"{AT}:15:15: error[RAY-03]: GPU class 'a100' of worker group 'gpu' is not defined in environment 'prod' — use one of: t4"),
    ("RAY-03 GPU requested but not limited", RAY + "    workers:\n      - name: gpu\n        maxReplicas: 2\n        resources: {requests: {nvidia.com/gpu: 1}}\n",
     f"{AT}:15:9: error[RAY-03]: nvidia.com/gpu of worker group 'gpu' is requested 1 but limited None — use gpu: {{class: ..., count: ...}}, or make requests equal limits"),
    ("RAY-04 head without memory limit", RAY.replace("{cpu: '2', memory: 8Gi}", "{cpu: '2'}"),
     f"{AT}:10:5: error[RAY-04]: the Ray head has no memory limit — set head.resources.limits cpu and memory (e.g. cpu: \"2\", memory: 8Gi)"),
    ("RAY-04 min above max", RAY + "    workers:\n      - {name: cpu, minReplicas: 3, maxReplicas: 2}\n",
     f"{AT}:13:21: error[RAY-04]: worker group 'cpu' has minReplicas 3 above maxReplicas 2 — lower minReplicas to 2 or raise maxReplicas"),
]


@needs_shared
@pytest.mark.parametrize("spec, expected", [case[1:] for case in FIRING], ids=[case[0] for case in FIRING])
def test_ray_rule_fires_alone(tmp_path, spec, expected):
    assert findings(tmp_path, spec) == [expected]


QUIET = [
    ("RAY-01 mode ray with ray", RAY),
    ("RAY-01 knative without ray", "  mode: knative\n  predictor:\n    model: {format: sklearn, storageUri: gs://b/m}\n"),
    ("RAY-02 quoted params", RAY + HEAD_PARAMS),
    ("RAY-02 num-gpus equal to the GPUs", RAY + WORKERS + "        startParams: {num-gpus: '1'}\n"),
    ("RAY-03 known class", RAY + WORKERS),
    ("RAY-03 GPU in resources, requests equal limits", RAY + "    workers:\n      - name: gpu\n        maxReplicas: 1\n        resources: {requests: {nvidia.com/gpu: 1}, limits: {nvidia.com/gpu: 1}}\n"),
    ("RAY-04 head with cpu and memory limits", RAY),
    ("RAY-04 replicas between min and max", RAY + "    workers:\n      - {name: cpu, minReplicas: 1, replicas: 2, maxReplicas: 3}\n"),
]


@needs_shared
@pytest.mark.parametrize("spec", [case[1] for case in QUIET], ids=[case[0] for case in QUIET])
def test_ray_rule_stays_quiet(tmp_path, spec):
    assert findings(tmp_path, spec) == []


# ---------------------------------------------------------------- a Ray cluster the environment shares

SHARED_CLUSTER = {
    "image": "rayproject/ray:2.41.0-py311-gpu",
    "rayVersion": "2.41.0",
    "autoscaling": True,
    "head": {"startParams": {"num-cpus": "0", "dashboard-host": "0.0.0.0"}, "resources": {"limits": {"cpu": "2", "memory": "8Gi"}}},
    "workers": [{"name": "gpu-worker", "minReplicas": 1, "replicas": 1, "maxReplicas": 3, "gpu": {"class": "t4"}, "startParams": {"num-gpus": "1"}}],
}
ON_SHARED = "  mode: ray\n  ray:\n    cluster: shared-gpu\n"


@needs_shared
def test_environment_cluster_is_rendered_validated_and_counted_in_the_budget(tmp_path):
    result = compile_text(tmp_path, ON_SHARED, rayClusters={"shared-gpu": SHARED_CLUSTER})
    assert result.ok, [d.format() for d in result.diagnostics]
    [cluster] = [m for m in result.manifests if m.kind == "RayCluster"]
    assert (cluster.namespace, cluster.name) == ("ml-prod", "shared-gpu")
    spec = cluster.body["spec"]
    assert spec["enableInTreeAutoscaling"] is True and spec["rayVersion"] == "2.41.0"
    assert spec["headGroupSpec"]["rayStartParams"] == {"dashboard-host": "0.0.0.0", "num-cpus": "0"}
    [group] = spec["workerGroupSpecs"]
    assert (group["minReplicas"], group["replicas"], group["maxReplicas"]) == (1, 1, 3)
    assert group["template"]["spec"]["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 1}, "requests": {"nvidia.com/gpu": 1}}
    # no RayService: KubeRay cannot put one on an existing cluster (kuberay#1542); the route to its Serve port instead
    assert not [m for m in result.manifests if m.kind == "RayService"]
    [service] = [m for m in result.manifests if m.kind == "Service" and m.name == "iris-serve"]
    assert service.body["spec"] == {"selector": {"ray.io/cluster": "shared-gpu", "ray.io/node-type": "head"}, "ports": [{"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000}]}
    [line] = result.gpu_budget
    assert [(share.service, share.gpus) for share in line.shares] == [("raycluster/shared-gpu/gpu-worker", 3)]


@needs_shared
def test_environment_cluster_is_rendered_without_a_service_on_it(tmp_path):
    result = compile_text(tmp_path, "  mode: knative\n  predictor:\n    model: {format: sklearn, storageUri: gs://b/m}\n", rayClusters={"shared-gpu": SHARED_CLUSTER})
    assert result.ok, [d.format() for d in result.diagnostics]
    assert [m.name for m in result.manifests if m.kind == "RayCluster"] == ["shared-gpu"]


@needs_shared
def test_environment_cluster_mistake_is_located_in_the_environment_file(tmp_path):
    head = {**SHARED_CLUSTER["head"], "startParams": {"num-cpus": 0}}
    lines = findings(tmp_path, ON_SHARED, rayClusters={"shared-gpu": {**SHARED_CLUSTER, "head": head}})
    assert len(lines) == 1 and lines[0].startswith("environments/prod.yaml:") and "error[RAY-02]: rayStartParams num-cpus of the head of Ray cluster 'shared-gpu' is 0, not a string" in lines[0]
