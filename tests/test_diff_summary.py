"""The summary in reviewers' words, one line per case: manifests before and after → expected items."""

from __future__ import annotations

import pytest

from compiler.diff import diff_trees
from compiler.diff.summary import summarize_image_lists

from .diff.builders import isvc, tree


def items(old: list[dict], new: list[dict]) -> set[tuple]:
    [environment] = diff_trees(tree(prod=old), tree(prod=new)).environments
    return {(item.service, item.topic, item.text, item.old, item.new) for item in environment.summary}


def obj(kind: str, api_version: str, name: str, spec: dict, **metadata) -> dict:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": "ml", **metadata}, "spec": spec}


def canary_list(*weights: int) -> dict:
    body = isvc(weight=None)
    body["spec"]["canary"] = [{"predictor": {"model": {"storageUri": f"gs://m/{w}"}}, "trafficPercent": w} for w in weights]
    return body


def knative(percent: int) -> dict:
    spec = {"traffic": [{"tag": "current", "percent": 100 - percent}, {"tag": "candidate", "percent": percent}]}
    return obj("Service", "serving.knative.dev/v1", "iris", spec)


def authz(**spec) -> dict:
    return obj("AuthorizationPolicy", "security.istio.io/v1", "iris-access", spec)


def gpu_runtime(resource: str, count: int) -> dict:
    container = {"name": "kserve-container", "image": "vllm:1", "resources": {"limits": {resource: count}}}
    return obj("ServingRuntime", "serving.kserve.io/v1alpha1", "vllm", {"containers": [container]})


CASES = {
    "canary weight": ([isvc(weight=10)], [isvc(weight=25)], ("sklearn-iris", "traffic", "sklearn-iris: canary weight 10% → 25%", 10, 25)),
    "canary set": ([isvc(weight=None)], [isvc(weight=5)], ("sklearn-iris", "traffic", "sklearn-iris: canary weight set to 5%", None, 5)),
    "canary promoted": ([isvc(weight=50)], [isvc(weight=None)], ("sklearn-iris", "traffic", "sklearn-iris: canary weight unset (was 50%)", 50, None)),
    "spec.canary list": ([canary_list(10)], [canary_list(30)], ("sklearn-iris", "traffic", "sklearn-iris: canary #1 weight 10% → 30%", 10, 30)),
    "knative traffic": ([knative(10)], [knative(20)], ("iris", "traffic", "Service iris: traffic to candidate 10% → 20%", 10, 20)),
    "deny instead of allow": ([authz(action="ALLOW", rules=[{}])], [authz(action="DENY", rules=[{}])],
                              ("iris-access", "authorization", "AuthorizationPolicy iris-access: action ALLOW → DENY", "ALLOW", "DENY")),
    "allow-all rule dropped": ([authz(rules=[{}])], [authz()],
                               ("iris-access", "authorization", "AuthorizationPolicy iris-access: rule removed: any request", "any request", None)),
    "amd gpus": ([gpu_runtime("amd.com/gpu", 1)], [gpu_runtime("amd.com/gpu", 2)],
                 ("vllm", "gpu", "ServingRuntime vllm: amd.com/gpu on kserve-container 1 → 2", 1, 2)),
    "mig profile": ([gpu_runtime("nvidia.com/mig-1g.5gb", 1)], [gpu_runtime("nvidia.com/mig-3g.20gb", 1)],
                    ("vllm", "gpu", "ServingRuntime vllm: nvidia.com/mig-3g.20gb on kserve-container set to 1", None, 1)),
    "domain mapping added": ([], [obj("DomainMapping", "serving.knative.dev/v1beta1", "iris.example.com", {"ref": {"name": "iris"}})],
                             ("iris.example.com", "hosts", "DomainMapping iris.example.com: host added: iris.example.com", None, "iris.example.com")),
    "strict mtls added": ([], [obj("PeerAuthentication", "security.istio.io/v1", "default", {"mtls": {"mode": "STRICT"}})],
                          ("default", "mtls", "PeerAuthentication default: mTLS mode set to STRICT", None, "STRICT")),
    "service removed": ([isvc()], [], ("sklearn-iris", "resources", "removed InferenceService ml/sklearn-iris", "InferenceService ml/sklearn-iris", None)),
}


@pytest.mark.parametrize("old, new, expected", CASES.values(), ids=CASES.keys())
def test_summary_item(old, new, expected):
    assert expected in items(old, new)


def test_a_change_without_a_known_fact_names_its_fields():
    old = isvc()
    new = isvc()
    new["metadata"]["labels"]["team"] = "search"
    assert items([old], [new]) == {
        ("sklearn-iris", "resources", "changed InferenceService ml/sklearn-iris: metadata.labels.team", None, None)
    }


@pytest.mark.parametrize(
    "old, new, text",
    [
        ({"images": [{"image": "r.io/a:1"}]}, {"images": [{"image": "r.io/a:2"}]}, "images.yaml: image r.io/a 1 → 2"),
        ([{"name": "r.io/a", "newTag": "1"}], [{"name": "r.io/a", "newTag": "1", "digest": "sha256:ab"}], "images.yaml: image r.io/a 1 → 1@sha256:ab"),
        (["r.io:5000/team/a:1"], ["r.io:5000/team/a:1", "r.io/b:3"], "images.yaml: image r.io/b set to r.io/b:3"),
    ],
)
def test_image_list(old, new, text):
    assert [item.text for item in summarize_image_lists("prod", old, new)] == [text]


def ray(kind: str, gpus: int) -> dict:
    worker = {"groupName": "gpu", "maxReplicas": 2, "template": {"spec": {"containers": [{"name": "ray-worker", "image": "rayproject/ray:2.41.0", "resources": {"limits": {"nvidia.com/gpu": gpus}}}]}}}
    cluster = {"headGroupSpec": {"template": {"spec": {"containers": [{"name": "ray-head", "image": "rayproject/ray:2.41.0"}]}}}, "workerGroupSpecs": [worker]}
    spec = {"rayClusterConfig": cluster, "serveConfigV2": "applications: []\n"} if kind == "RayService" else cluster
    return obj(kind, "ray.io/v1", "summarizer", spec)


@pytest.mark.parametrize("kind", ["RayService", "RayCluster"])
def test_ray_workloads_are_named_by_name_alone(kind):
    """A reviewer knows a RayService or RayCluster by its name, like an InferenceService."""
    assert items([ray(kind, 1)], [ray(kind, 2)]) == {("summarizer", "gpu", "summarizer: nvidia.com/gpu on ray-worker 1 → 2", 1, 2)}


@pytest.mark.parametrize("kind, api_version", [("InferenceGraph", "serving.kserve.io/v1alpha1"), ("LLMInferenceService", "serving.kserve.io/v1alpha2")])
def test_kserve_workloads_are_named_by_name_alone(kind, api_version):
    old, new = obj(kind, api_version, "chat", {"replicas": 1}), obj(kind, api_version, "chat", {"replicas": 1, "template": {"containers": [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": 1}}}]}})
    assert ("chat", "gpu", "chat: nvidia.com/gpu on main set to 1", None, 1) in items([old], [new])


def test_a_deployment_keeps_its_kind_in_the_label():
    """The other side of the boundary: a kind outside the primary ones is named with its kind."""
    old = obj("Deployment", "apps/v1", "summarizer", {"template": {"spec": {"containers": [{"name": "w", "resources": {"limits": {"nvidia.com/gpu": 1}}}]}}})
    new = obj("Deployment", "apps/v1", "summarizer", {"template": {"spec": {"containers": [{"name": "w", "resources": {"limits": {"nvidia.com/gpu": 2}}}]}}})
    assert items([old], [new]) == {("summarizer", "gpu", "Deployment summarizer: nvidia.com/gpu on w 1 → 2", 1, 2)}
