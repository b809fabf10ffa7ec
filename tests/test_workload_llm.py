"""mode llm: the LLMInferenceService a spec compiles to, and rules LLM-* (exact finding, nothing else)."""

from __future__ import annotations

import pytest

from tests.conftest import needs_shared
from tests.workload_project import compile_text, findings

AT = "services/iris.yaml"
# KServe 0.17 renders v1alpha2, the version the shared CRD stores.
KSERVE_017 = {"versions": {"kubernetes": "1.33", "kserve": "0.17.1"}}
LLM = "  mode: llm\n  llm:\n    model: {uri: hf://Qwen/Qwen2.5-0.5B-Instruct}\n"  # lines 6-8
ONE_T4 = "    gpu: {class: t4}\n"  # line 9


def llm_object(result) -> dict:
    [manifest] = [m for m in result.manifests if m.kind == "LLMInferenceService"]
    return manifest.body


@needs_shared
def test_one_gpu_llm_renders_v1alpha2_with_its_gpu_placement(tmp_path):
    result = compile_text(tmp_path, LLM + ONE_T4 + "    replicas: 2\n", **KSERVE_017)
    assert result.ok, [d.format() for d in result.diagnostics]
    body = llm_object(result)
    assert body["apiVersion"] == "serving.kserve.io/v1alpha2"
    assert body["spec"]["model"] == {"uri": "hf://Qwen/Qwen2.5-0.5B-Instruct", "name": "iris"}
    assert body["spec"]["template"]["containers"] == [{"name": "main", "resources": {"limits": {"nvidia.com/gpu": 1}}}]
    assert body["spec"]["router"] == {"route": {}, "gateway": {}, "scheduler": {}}
    assert [m.kind for m in result.manifests if m.kind in ("InferenceService", "LLMInferenceService")] == ["LLMInferenceService"]
    [line] = result.gpu_budget
    assert [(share.service, share.gpus) for share in line.shares] == [("iris", 2)]


@needs_shared
def test_prefill_decode_multi_node_counts_every_pod(tmp_path):
    spec = LLM + "    gpu: {class: t4, count: 2}\n    parallelism: {tensor: 2, data: 4, dataLocal: 2}\n    multiNode: true\n    prefill:\n      gpu: {class: t4}\n      replicas: 3\n"
    result = compile_text(tmp_path, spec, **KSERVE_017, gpuClasses={"t4": {"resource": "nvidia.com/gpu"}})
    assert result.ok, [d.format() for d in result.diagnostics]
    body = llm_object(result)
    assert body["spec"]["parallelism"] == {"tensor": 2, "data": 4, "dataLocal": 2}
    assert body["spec"]["worker"]["containers"][0]["resources"] == {"limits": {"nvidia.com/gpu": 2}}
    assert body["spec"]["prefill"]["replicas"] == 3
    [line] = result.gpu_budget
    # decode: 1 replica × 2 pods (data 4 / dataLocal 2) × 2 GPUs; prefill: 3 pods × 1 GPU
    assert [(share.service, share.gpus) for share in line.shares] == [("iris", 4), ("iris/prefill", 3)]


@needs_shared
def test_kserve_016_renders_v1alpha1(tmp_path):
    result = compile_text(tmp_path, LLM + ONE_T4, validation={"crds": [], "kserveCrds": []})
    assert llm_object(result)["apiVersion"] == "serving.kserve.io/v1alpha1"


FIRING = [
    ("LLM-01 mode llm without llm", "  mode: llm\n", {},
     f"{AT}:6:3: error[LLM-01]: mode llm without an `llm` block — add `llm: {{model: {{uri: hf://...}}, gpu: {{class: ...}}}}`"),
    ("LLM-01 KServe 0.15", LLM + ONE_T4, {"versions": {"kubernetes": "1.33", "kserve": "0.15.2"}},
     f"{AT}:6:3: error[LLM-01]: KServe 0.15.2 has no LLMInferenceService (0.16 or later) — leave environment 'prod' out of spec.environments, or upgrade KServe at environments/prod.yaml:15:5"),
    ("LLM-02 gs:// model", "  mode: llm\n  llm:\n    model: {uri: gs://bucket/qwen}\n" + ONE_T4, KSERVE_017,
     f"{AT}:8:13: error[LLM-02]: the model is at 'gs://bucket/qwen', which llm-d cannot fetch — use hf://<org>/<model>, pvc://<claim>/<path> or s3://<bucket>/<path>"),
    ("LLM-02 pvc without a path", "  mode: llm\n  llm:\n    model: {uri: pvc://models}\n" + ONE_T4, KSERVE_017,
     f"{AT}:8:13: error[LLM-02]: the model at 'pvc://models' names no path — write pvc://<claim>/<path>"),
    ("LLM-03 tensor differs from GPUs", LLM + ONE_T4 + "    parallelism: {tensor: 2}\n", KSERVE_017,
     f"{AT}:10:19: error[LLM-03]: the decode pool splits the model over 2 GPUs (tensor) but its pods have 1 — set gpu.count to 2, or tensor to 1"),
    ("LLM-03 multi-node without data or pipeline", LLM + ONE_T4 + "    multiNode: true\n", KSERVE_017,
     f"{AT}:10:5: error[LLM-03]: the decode pool is multi-node without data or pipeline parallelism — set parallelism.data or parallelism.pipeline to the pods per replica"),
    ("LLM-GPU unknown class", LLM + "    gpu: {class: h100}\n", KSERVE_017,
     f"{AT}:9:11: error[LLM-GPU]: GPU class 'h100' of the decode pool is not defined in environment 'prod' — use one of: t4"),
    ("LLM-GPU above the quota", LLM + ONE_T4 + "    replicas: 3\n", {**KSERVE_017, "gpuClasses": {"t4": {"resource": "nvidia.com/gpu", "quota": 2}}},
     f"{AT}:10:5: error[LLM-GPU]: the decode pool uses 3 pods × 1 GPU = 3 GPUs of class 't4', above the quota of 2 — lower replicas or raise the quota"),
    ("LLM-04 prefill without the scheduler", LLM + ONE_T4 + "    prefill: {gpu: {class: t4}}\n    router: {scheduler: false}\n", KSERVE_017,
     f"{AT}:11:14: error[LLM-04]: a prefill pool without the scheduler receives no requests — set router.scheduler: true, or remove prefill"),
    ("LLM-04 scheduler with no replicas", LLM + ONE_T4 + "    router: {schedulerReplicas: 0}\n", KSERVE_017,
     f"{AT}:10:14: error[LLM-04]: the scheduler has 0 replicas — run at least 1, or set scheduler: false"),
]


@needs_shared
@pytest.mark.parametrize("spec, env, expected", [case[1:] for case in FIRING], ids=[case[0] for case in FIRING])
def test_llm_rule_fires_alone(tmp_path, spec, env, expected):
    assert findings(tmp_path, spec, **env) == [expected]


QUIET = [
    ("LLM-01 on KServe 0.17", LLM + ONE_T4),
    ("LLM-01 a knative service without llm", "  mode: knative\n  predictor:\n    model: {format: sklearn, storageUri: gs://bucket/model}\n"),
    ("LLM-02 one-word Hugging Face id and an s3 adapter", "  mode: llm\n  llm:\n    model:\n      uri: hf://gpt2\n      lora: [{name: tone, uri: s3://adapters/tone}]\n" + ONE_T4),
    ("LLM-02 pvc with a path", "  mode: llm\n  llm:\n    model: {uri: pvc://models/qwen}\n" + ONE_T4),
    ("LLM-03 tensor equals GPUs", LLM + "    gpu: {class: t4, count: 2}\n    parallelism: {tensor: 2}\n"),
    ("LLM-03 multi-node with pipeline", LLM + ONE_T4 + "    multiNode: true\n    parallelism: {pipeline: 2}\n"),
    ("LLM-GPU within the quota", LLM + ONE_T4 + "    replicas: 2\n"),
    ("LLM-GPU a CPU-only pool", LLM + "    resources: {limits: {cpu: '8', memory: 32Gi}}\n"),
    ("LLM-04 prefill through the scheduler", LLM + ONE_T4 + "    prefill: {gpu: {class: t4}}\n"),
    ("LLM-04 scheduler with replicas", LLM + ONE_T4 + "    router: {schedulerReplicas: 2}\n"),
]


@needs_shared
@pytest.mark.parametrize("spec", [case[1] for case in QUIET], ids=[case[0] for case in QUIET])
def test_llm_rule_stays_quiet(tmp_path, spec):
    assert findings(tmp_path, spec, **KSERVE_017, gpuClasses={"t4": {"resource": "nvidia.com/gpu", "maxPerPod": 2, "quota": 4}}) == []


@needs_shared
def test_autoscaled_llm_renders_scaling_and_no_replicas_and_is_budgeted_at_its_most(tmp_path):
    spec = LLM + ONE_T4 + "    scaling: {minReplicas: 1, maxReplicas: 3, wva: {actuator: keda, variantCost: '12.5'}}\n"
    result = compile_text(tmp_path, spec, **KSERVE_017)
    assert result.ok, [d.format() for d in result.diagnostics]  # validated against the CRD and its CEL rules
    body = llm_object(result)
    assert body["spec"]["scaling"] == {"minReplicas": 1, "maxReplicas": 3, "wva": {"keda": {}, "variantCost": "12.5"}}
    assert "replicas" not in body["spec"]
    # KServe's LLM controller owns the replicas: the compiler renders no HPA or ScaledObject of its own
    assert not [m for m in result.manifests if m.kind in ("HorizontalPodAutoscaler", "ScaledObject")]
    [line] = result.gpu_budget
    assert [(share.service, share.gpus) for share in line.shares] == [("iris", 3)]


@needs_shared
def test_llm_scaled_by_keda_triggers_renders_them(tmp_path):
    trigger = "{type: prometheus, metadata: {serverAddress: 'http://prometheus.monitoring:9090', query: 'sum(vllm:num_requests_waiting)', threshold: '5'}}"
    result = compile_text(tmp_path, LLM + ONE_T4 + f"    scaling:\n      maxReplicas: 2\n      keda: {{triggers: [{trigger}], pollingInterval: 15}}\n", **KSERVE_017)
    assert result.ok, [d.format() for d in result.diagnostics]
    keda = llm_object(result)["spec"]["scaling"]["keda"]
    assert keda == {"triggers": [{"type": "prometheus", "metadata": {"serverAddress": "http://prometheus.monitoring:9090", "query": "sum(vllm:num_requests_waiting)", "threshold": "5"}}], "pollingInterval": 15}


@needs_shared
def test_autoscaled_llm_above_the_quota_points_at_max_replicas(tmp_path):
    spec = LLM + ONE_T4 + "    scaling:\n      maxReplicas: 3\n      wva: {}\n"
    assert findings(tmp_path, spec, **KSERVE_017, gpuClasses={"t4": {"resource": "nvidia.com/gpu", "quota": 2}}) == [
        f"{AT}:11:7: error[LLM-GPU]: the decode pool uses 3 pods × 1 GPU = 3 GPUs of class 't4', above the quota of 2 — lower scaling.maxReplicas or raise the quota"
    ]
