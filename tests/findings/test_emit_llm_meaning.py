"""emit/llm.py, whole: the LLMInferenceService of a `mode: llm` service with every field (a
multi-node decode pool, a prefill pool, the scheduler, gateways, base configs, LoRA adapters, GPU
placement by class), and the spec key each of its parts points an error at."""

from __future__ import annotations

from compiler.emit import llm
from compiler.plan.versions import lower_service_plans
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

PATCH = {"spec": {"mode": "llm", "predictor": None, "scaling": None, "llm": {
    "image": "vllm/vllm-openai:v0.8.0", "baseRefs": ["base-config"],
    "model": {"uri": "hf://Qwen/Qwen2.5-0.5B-Instruct", "lora": [{"name": "sql", "uri": "hf://acme/sql"}]},
    "gpu": {"class": "t4"}, "replicas": 2, "multiNode": True, "parallelism": {"data": 2},
    "prefill": {"gpu": {"class": "t4"}, "replicas": 1},
    "router": {"scheduler": True, "schedulerReplicas": 2, "gateways": [{"name": "gw", "namespace": "istio-system"}]},
}}}
GPU_ENV = {"spec": {"versions": {"kserve": "0.17.1"}, "gpuClasses": {"t4": {"nodeSelector": {"accelerator": "t4"}, "runtimeClassName": "nvidia"}}}}
POD = {"containers": [{"name": "main", "image": "vllm/vllm-openai:v0.8.0", "resources": {"limits": {"nvidia.com/gpu": 1}}}], "nodeSelector": {"accelerator": "t4"}, "runtimeClassName": "nvidia"}


def emitted():
    layer = _located(patched(BASE_SERVICE, PATCH), SERVICE_FILE)
    env = Environment.model_validate(patched(BASE_ENV, GPU_ENV))
    (plan,) = lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)
    (manifest,) = llm.emit(plan, env)
    return manifest


def test_the_llm_inference_service_whole():
    manifest = emitted()
    assert manifest.service == "iris"
    assert manifest.body == {
        "apiVersion": "serving.kserve.io/v1alpha2",
        "kind": "LLMInferenceService",
        "metadata": {"name": "iris", "namespace": "ml-prod", "labels": {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"}, "annotations": {"inferplane.dev/gpu-class": "t4"}},
        "spec": {
            "model": {"uri": "hf://Qwen/Qwen2.5-0.5B-Instruct", "name": "iris", "lora": {"adapters": [{"name": "sql", "uri": "hf://acme/sql"}]}},
            "replicas": 2,
            "parallelism": {"data": 2},
            "template": POD,
            "worker": POD,
            "prefill": {"replicas": 1, "template": POD},
            "router": {"route": {}, "gateway": {"refs": [{"name": "gw", "namespace": "istio-system"}]}, "scheduler": {"replicas": 2}},
            "baseRefs": [{"name": "base-config"}],
        },
    }


def test_each_part_points_at_its_spec_key():
    # services/iris.yaml as dumped; a key the spec does not set points at its parent
    assert {pointer: str(location) for pointer, location in emitted().origins.items()} == {
        "": "services/iris.yaml:1:1", "/metadata": "services/iris.yaml:3:1", "/spec": "services/iris.yaml:6:3",
        "/spec/router": "services/iris.yaml:25:5", "/spec/baseRefs": "services/iris.yaml:7:5",
        "/spec/model/uri": "services/iris.yaml:16:7", "/spec/model/name": "services/iris.yaml:12:5", "/spec/model/lora": "services/iris.yaml:13:7",
        "/spec/replicas": "services/iris.yaml:24:5", "/spec/parallelism": "services/iris.yaml:18:5",
        "/spec/template": "services/iris.yaml:9:5", "/spec/template/containers/0/resources": "services/iris.yaml:6:3", "/spec/template/containers/0/image": "services/iris.yaml:11:5",
        "/spec/worker": "services/iris.yaml:9:5", "/spec/worker/containers/0/resources": "services/iris.yaml:6:3", "/spec/worker/containers/0/image": "services/iris.yaml:11:5",
        "/spec/prefill/replicas": "services/iris.yaml:23:7", "/spec/prefill/parallelism": "services/iris.yaml:20:5",
        # no scaling block: where one would go (the pool) is where its errors would point
        "/spec/scaling": "services/iris.yaml:6:3", "/spec/prefill/scaling": "services/iris.yaml:20:5",
        "/spec/prefill/template": "services/iris.yaml:21:7", "/spec/prefill/template/containers/0/resources": "services/iris.yaml:20:5",
        "/spec/prefill/template/containers/0/image": "services/iris.yaml:11:5",
        "/spec/prefill/worker": "services/iris.yaml:21:7", "/spec/prefill/worker/containers/0/resources": "services/iris.yaml:20:5",
        "/spec/prefill/worker/containers/0/image": "services/iris.yaml:11:5",
    }
