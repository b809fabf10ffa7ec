"""emit/graph.py, whole: the InferenceGraph of a `mode: graph` service with every field, and the
spec key each of its parts points an error at."""

from __future__ import annotations

from compiler.emit import graph
from compiler.plan.service import lower_service
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

PATCH = {"metadata": {"annotations": {"team": "ml"}}, "spec": {"mode": "graph", "predictor": None, "scaling": None, "graph": {"minReplicas": 1, "maxReplicas": 3, "timeoutSeconds": 30, "nodes": {
    "root": {"routerType": "Sequence", "steps": [{"name": "first", "service": "iris", "data": "$response", "dependency": "Hard"}, {"node": "split"}]},
    "split": {"routerType": "Splitter", "steps": [{"service": "a", "weight": 60}, {"service": "b", "weight": 40}]},
    "switch": {"routerType": "Switch", "steps": [{"service": "c", "condition": "x"}]},
}}}}


def emitted():
    layer = _located(patched(BASE_SERVICE, PATCH), SERVICE_FILE)
    env = Environment.model_validate(BASE_ENV)
    (manifest,) = graph.emit(lower_service(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE), env)
    return manifest


def test_the_inference_graph_whole():
    manifest = emitted()
    assert manifest.service == "iris"
    assert manifest.body == {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "InferenceGraph",
        "metadata": {"name": "iris", "namespace": "ml-prod", "labels": {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}, "annotations": {"team": "ml"}},
        "spec": {
            "nodes": {
                "root": {"routerType": "Sequence", "steps": [{"name": "first", "serviceName": "iris", "data": "$response", "dependency": "Hard"}, {"nodeName": "split"}]},
                "split": {"routerType": "Splitter", "steps": [{"serviceName": "a", "weight": 60}, {"serviceName": "b", "weight": 40}]},
                "switch": {"routerType": "Switch", "steps": [{"serviceName": "c", "condition": "x"}]},
            },
            "minReplicas": 1,
            "maxReplicas": 3,
            "timeout": 30,
        },
    }


def test_each_part_points_at_its_spec_key():
    # services/iris.yaml as dumped; a key the spec does not set points at its parent
    origins = {pointer: str(location) for pointer, location in emitted().origins.items()}
    assert origins == {
        "": "services/iris.yaml:1:1", "/metadata": "services/iris.yaml:3:1", "/spec": "services/iris.yaml:8:3",
        "/spec/nodes/root": "services/iris.yaml:12:7", "/spec/nodes/root/routerType": "services/iris.yaml:13:9",
        "/spec/nodes/root/steps/0": "services/iris.yaml:15:11", "/spec/nodes/root/steps/0/serviceName": "services/iris.yaml:18:11",
        "/spec/nodes/root/steps/0/nodeName": "services/iris.yaml:15:11", "/spec/nodes/root/steps/0/weight": "services/iris.yaml:15:11",
        "/spec/nodes/root/steps/0/condition": "services/iris.yaml:15:11",
        "/spec/nodes/root/steps/1": "services/iris.yaml:19:11", "/spec/nodes/root/steps/1/serviceName": "services/iris.yaml:19:11",
        "/spec/nodes/root/steps/1/nodeName": "services/iris.yaml:19:11", "/spec/nodes/root/steps/1/weight": "services/iris.yaml:19:11",
        "/spec/nodes/root/steps/1/condition": "services/iris.yaml:19:11",
        "/spec/nodes/split": "services/iris.yaml:20:7", "/spec/nodes/split/routerType": "services/iris.yaml:21:9",
        "/spec/nodes/split/steps/0": "services/iris.yaml:23:11", "/spec/nodes/split/steps/0/serviceName": "services/iris.yaml:23:11",
        "/spec/nodes/split/steps/0/nodeName": "services/iris.yaml:23:11", "/spec/nodes/split/steps/0/weight": "services/iris.yaml:24:11",
        "/spec/nodes/split/steps/0/condition": "services/iris.yaml:23:11",
        "/spec/nodes/split/steps/1": "services/iris.yaml:25:11", "/spec/nodes/split/steps/1/serviceName": "services/iris.yaml:25:11",
        "/spec/nodes/split/steps/1/nodeName": "services/iris.yaml:25:11", "/spec/nodes/split/steps/1/weight": "services/iris.yaml:26:11",
        "/spec/nodes/split/steps/1/condition": "services/iris.yaml:25:11",
        "/spec/nodes/switch": "services/iris.yaml:27:7", "/spec/nodes/switch/routerType": "services/iris.yaml:28:9",
        "/spec/nodes/switch/steps/0": "services/iris.yaml:30:11", "/spec/nodes/switch/steps/0/serviceName": "services/iris.yaml:31:11",
        "/spec/nodes/switch/steps/0/nodeName": "services/iris.yaml:30:11", "/spec/nodes/switch/steps/0/weight": "services/iris.yaml:30:11",
        "/spec/nodes/switch/steps/0/condition": "services/iris.yaml:30:11",
        "/spec/minReplicas": "services/iris.yaml:10:5", "/spec/maxReplicas": "services/iris.yaml:9:5", "/spec/timeout": "services/iris.yaml:32:5",
    }
