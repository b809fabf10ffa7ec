"""Rule cases beyond tests/test_rules.py: both sides of every boundary and the branches no other
case reaches. (rule ID, service patch, environment patch); the expected findings of each are in
expected.yaml."""

from __future__ import annotations

from tests.test_rules import (
    CANARY, CLOUDFLARE, KEDA_ENV, LETSENCRYPT, mm_env, KSERVE_020, MESH_ENV, PROM_QPS, PUBLIC, SLS_QPS, TRANSFORMER, acme, env, graph, kserve, knative, llm, mesh_env, model, modelmesh, ray,
    spec, standard, version,
)

CLASS = "serving.kserve.io/autoscalerClass"


def annotated(patch: dict, **annotations: str) -> dict:
    return {**patch, "metadata": {"annotations": annotations}}


def keda(version_: str) -> dict:
    return env(autoscaling={"keda": True}, versions={"kserve": version_})


# The longest version name (20); `iris-<version>-predictor-<namespace>` is 16 + 20 + the namespace:
# 63 characters with a 27-character namespace, one too many with 28.
LONGEST = "v2" + "x" * 18
ARGOCD = {"tool": "argocd", "repoURL": "https://github.com/acme/model-serving-gitops.git", "targetRevision": "main"}

FIRING: list[tuple] = [
    # MM-02's claim names, MM-05: every setting only a runtime's pods can have, each with its hint
    ("MM-02", modelmesh(storageUri="pvc://Bad_Claim/sklearn/model.joblib"), mm_env()),
    ("MM-02", modelmesh(storageUri="pvc://team-models/sklearn/model.joblib"), mm_env(pvcs=[])),
    ("MM-05", {"spec": {"mode": "modelmesh", "scaling": None, "smokeTest": {"enabled": False}, "predictor": {
        "model": {"protocolVersion": "v2", "args": ["--x"], "env": [{"name": "A", "value": "1"}], "servedName": "m"},
        "labels": {"team": "ml"}, "annotations": {"a": "b"}, "credentials": {"serviceAccountName": "reader"}, "timeoutSeconds": 30, "pod": {"priorityClassName": "high"}}}}, mm_env()),
    ("MM-05", {"spec": {"mode": "modelmesh", "scaling": None, "predictor": {"model": None, "container": {"image": "ghcr.io/acme/server:1"}}}}, mm_env()),
    # IMG-01/02: each image a service runs (runtimeVersion's tag, the smoke test, a ModelMesh runtime), each branch of the runtime check
    ("IMG-01", model(format="sklearn", storageUri="gs://bucket/iris", runtimeVersion="1.5.0"), env(images={"requireDigests": True})),
    ("IMG-01", spec(smokeTest={"enabled": True, "image": "curlimages/curl:8.10.1"}, predictor={"model": None, "container": {"image": "ghcr.io/acme/server@sha256:" + "a" * 64}}), env(images={"requireDigests": True}, gitops=ARGOCD)),
    ("IMG-01", modelmesh(), {"spec": {**mm_env()["spec"], "images": {"requireDigests": True}}}),
    ("IMG-02", model(format="onnx", storageUri="gs://bucket/iris"), kserve("0.11.0")),
    ("IMG-02", model(format="onnx", storageUri="gs://bucket/iris", formatVersion="1"), None),
    # GRAPH-01/02: the branches no other case reaches
    ("GRAPH-01", {"spec": {**graph()["spec"], "transformer": TRANSFORMER}}, None),
    ("GRAPH-02", graph(node="missing"), None),
    ("GRAPH-02", graph(service="iris", weight=50), None),
    ("GRAPH-02", graph(service="iris", condition="instances"), None),
    ("GRAPH-02", graph("Splitter", service="iris"), None),
    # LLM-01..04, LLM-GPU: every branch, both sides of each bound
    ("LLM-01", spec(mode="standard", llm={"model": {"uri": "hf://Qwen/Qwen2.5-0.5B-Instruct"}}), None),
    ("LLM-01", {"spec": {**llm()["spec"], "transformer": TRANSFORMER}}, None),
    ("LLM-01", {"spec": {**llm()["spec"], "versions": CANARY}}, None),
    ("LLM-02", llm(model={"uri": "hf://Qwen/Qwen2.5-0.5B-Instruct", "lora": [{"name": "sql", "uri": "gs://b/sql"}, {"name": "sql", "uri": "s3://adapters"}]}), None),
    ("LLM-03", llm(multiNode=True, parallelism={"pipeline": 2, "data": 2}), None),
    ("LLM-03", llm(parallelism={"data": 2}), None),
    ("LLM-03", llm(parallelism={"pipeline": 2}), None),
    ("LLM-03", llm(multiNode=True, parallelism={"data": 2, "dataLocal": 3}), None),
    ("LLM-03", llm(prefill={"gpu": {"class": "t4"}, "parallelism": {"data": 2}}, router={"scheduler": True}), None),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 3}, parallelism={"tensor": 3}), env(gpuClasses={"t4": {"maxPerPod": 2}})),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 2}, parallelism={"tensor": 2}, replicas=3), env(gpuClasses={"t4": {"quota": 5}})),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 2}, parallelism={"tensor": 2}), env(gpuClasses={"t4": {"quota": 1}})),
    ("LLM-GPU", llm(), env(gpuClasses=None)),
    ("LLM-GPU", llm(resources={"limits": {"nvidia.com/gpu": 1}}), None),
    ("LLM-04", llm(router={"scheduler": True, "schedulerReplicas": 0}), None),
    # SCALE-04: each reason an additional metric cannot drive the HPA, and both sides of its targets
    ("SCALE-04", knative(metric="cpu", target=70, additionalMetrics=[{"metric": "memory", "target": 80}]), None),
    ("SCALE-04", standard(metric="external", target=10, external=PROM_QPS, additionalMetrics=[{"metric": "cpu", "target": 70}]), KEDA_ENV),
    ("SCALE-04", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "cpu", "target": 60}]), None),
    ("SCALE-04", standard(metric="external", target=10, external=SLS_QPS, additionalMetrics=[{"metric": "external", "target": 5, "external": SLS_QPS}]), None),
    ("SCALE-04", standard(metric="memory", target=80, additionalMetrics=[{"metric": "cpu", "target": 0}]), None),
    ("SCALE-04", standard(metric="memory", target=80, additionalMetrics=[{"metric": "cpu", "target": 101}]), None),
    ("SCALE-04", standard(metric="memory", target=80, additionalMetrics=[{"metric": "cpu", "target": "50.5"}]), None),
    ("SCALE-04", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "memory", "target": 0}]), None),
    ("SCALE-04", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "external", "target": 5}]), None),
    ("SCALE-04", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "external", "target": 5, "external": PROM_QPS}]), KEDA_ENV),
    # RAY-01..04: every branch, both sides of the worker bounds and of a class's GPUs per pod
    ("RAY-01", {"spec": {**ray()["spec"], "transformer": TRANSFORMER}}, None),
    ("RAY-03", ray(workers=[{"name": "gpu", "maxReplicas": 1, "gpu": {"class": "t4", "count": 3}}]), env(gpuClasses={"t4": {"maxPerPod": 2}})),
    ("RAY-03", ray(workers=[{"name": "gpu", "maxReplicas": 1, "gpu": {"class": "t4"}}]), env(gpuClasses=None)),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 3, "maxReplicas": 2}]), None),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 1, "maxReplicas": 2, "replicas": 3}]), None),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 1, "maxReplicas": 2, "replicas": 0}]), None),
    # CM-02: settings an issuer type ignores or lacks, and each solver's own mistakes
    ("CM-02", PUBLIC, mesh_env({"issuer": {"name": "letsencrypt", "type": "acme"}})),
    ("CM-02", PUBLIC, mesh_env({"issuer": {"name": "gateway-ca", "type": "selfSigned", "caSecretName": "ca-key-pair"}})),
    ("CM-02", PUBLIC, mesh_env({"issuer": {"name": "internal-ca", "type": "ca", "caSecretName": "ca-key-pair", "acme": LETSENCRYPT}})),
    ("CM-02", PUBLIC, mesh_env({**acme(solver="dns01"), "wildcard": True})),
    ("CM-02", PUBLIC, mesh_env({**acme(solver="dns01", dns01=CLOUDFLARE, ingressClassName="istio"), "wildcard": True})),
    ("CM-02", PUBLIC, mesh_env(acme(solver="http01", dns01=CLOUDFLARE), gateway={"httpsRedirect": False})),
    ("CM-02", PUBLIC, mesh_env({**acme(solver="dns01", dns01={"rfc2136": {"nameserver": "10.0.0.1", "keys": [{"tsigSecret": "abc"}]}}), "wildcard": True})),
    # KS-10: cpu targets 1..100, memory at least 1, both sides; a fraction is no whole percent
    ("KS-10", standard(metric="cpu", target=0), None),
    ("KS-10", standard(metric="cpu", target=101), None),
    ("KS-10", standard(metric="cpu", target="50.5"), None),
    ("KS-10", standard(metric="memory", target=0), None),
    ("KS-10", standard(metric="rps", target=5), None),
    ("KS-10", knative(metric="cpu", target=101), None),
    # KS-11: a threshold of 0 or less never scales; the hint names the backend
    ("KS-11", standard(metric="external", target=-1, external=PROM_QPS), KEDA_ENV),
    ("KS-11", standard(metric="external", target=10, external={"query": "up", "backend": "graphite"}), KEDA_ENV),
    # KS-12: whole targets of at least 1; rps too; memory's HPA class cannot scale to zero
    ("KS-12", knative(metric="rps", target=0), None),
    ("KS-12", knative(target=0), None),
    ("KS-12", knative(metric="memory", target=80, minReplicas=0), None),
    # KS-15: cpu and memory under KServe's HPA
    ("KS-15", standard(minReplicas=0, maxReplicas=3, metric="memory", target=80), None),
    # KS-16: KServe-written and compiler-written annotations, in both places
    ("KS-16", spec(predictor={"annotations": {"autoscaling.knative.dev/target": "5"}}), None),
    ("KS-16", annotated({}, **{"autoscaling.knative.dev/class": "hpa.autoscaling.knative.dev", "autoscaling.knative.dev/maxScale": "4"}), None),
    # KS-18: one above the limit, default and raised
    ("KS-18", spec(predictor={"timeoutSeconds": 601}), None),
    ("KS-18", spec(predictor={"timeoutSeconds": 901}), env(knative={"maxRevisionTimeoutSeconds": 900})),
    # KS-09: KEDA needs 0.15 (0.14.x fires, 0.15.0 does not) and KEDA in the environment
    ("KS-09", standard(metric="external", target=10, external=PROM_QPS), keda("0.14.2")),
    ("KS-09", standard(metric="external", target=10, external=PROM_QPS), env(versions={"kserve": "0.14.2"})),
    ("KS-09", standard(metric="memory", target=70, stabilization={"scaleUpSeconds": 30}), kserve("0.11.2")),
    ("KS-09", annotated(standard(metric="external", target=10, external=PROM_QPS), **{CLASS: "hpa"}), KEDA_ENV),
    ("KS-09", annotated(standard(metric="cpu", target=70), **{CLASS: "none"}), None),
    ("KS-09", annotated(standard(minReplicas=2, maxReplicas=2), **{CLASS: "hpa"}), None),
    # KS-19: any hand-written class but external beside the compiler's HPA
    ("KS-19", annotated(standard(metric="cpu", target=70, stabilization={"scaleDownSeconds": 60}), **{CLASS: "keda"}), None),
    ("KS-19", standard(maxReplicas=0, metric="external", target=10, external=SLS_QPS), None),
    # SCALE-01: an external block beside the default metric; a query with no target
    ("SCALE-01", standard(external=SLS_QPS), None),
    ("SCALE-01", standard(metric="external", external=PROM_QPS), KEDA_ENV),
    # SCALE-02: each Knative-only setting in Standard mode; memory never scales to zero either
    ("SCALE-02", standard(scaleToZeroRetentionSeconds=0), None),
    ("SCALE-02", standard(initialScale=0, containerConcurrency=0), None),
    ("SCALE-02", knative(metric="memory", target=70, scaleToZeroRetentionSeconds=0), None),
    ("SCALE-02", knative(stabilization={"scaleUpSeconds": 0}), None),
    # TRAFFIC-01: duplicate names (each repeat), reserved names, host labels of split versions (64 > 63)
    ("TRAFFIC-01", spec(versions=[version("v1", 40), version("v1", 30), version("v1", 30)]), None),
    ("TRAFFIC-01", spec(mode="standard", versions=[version("v1", 90), version(LONGEST, 10)]), env(mesh={}, namespace="n" * 28)),
    ("TRAFFIC-01", spec(canaryStrategy="split", versions=[version("v1", 90), version(LONGEST, 10)]), env(mesh={}, namespace="n" * 28)),
    # KS-14: duplicate canary names; canaries over 100 in total; a container stable predictor
    ("KS-14", spec(mode="standard", versions=[version("v1", 0), version("v2", 60), version("v2", 50)]), KSERVE_020),
    ("KS-14", spec(mode="standard", versions=[version("v1", 40, container={"image": "ghcr.io/acme/server:1"}), version("v2", 60)]), KSERVE_020),
    ("KS-14", spec(mode="standard", versions=[version("v1", 90), version(LONGEST, 10)]), env(versions={"kserve": "0.20.0"}, namespace="n" * 28)),
    # KS-14: canaries adding up to 101
    ("KS-14", spec(mode="standard", versions=[version("v1", 0), version("v2", 51), version("v3", 50)]), KSERVE_020),
    # TRAFFIC-02: route settings on a Knative canary (native) that is not public
    ("TRAFFIC-02", spec(versions=CANARY, exposure={"timeoutSeconds": 30}), MESH_ENV),
    # KS-13: native canary in Standard mode before 0.20 (0.19 fires)
    ("KS-13", spec(mode="standard", canaryStrategy="native", versions=CANARY), kserve("0.19.0")),
    # IS-02: a total under 100; every weight left out
    ("IS-02", spec(versions=[version("v1", 50), version("v2", 49)]), None),
    ("IS-02", spec(versions=[{"name": "v1"}, {"name": "v2"}]), None),
    # TRAFFIC-02: split without a mesh, by choice; route settings without a mesh; a header with no condition
    ("TRAFFIC-02", spec(canaryStrategy="split", versions=CANARY), None),
    ("TRAFFIC-02", spec(mode="standard", exposure={"retries": {"attempts": 2}}), None),
    ("TRAFFIC-02", spec(exposure={"public": True, "matchHeaders": [{"name": "x-tenant"}]}), MESH_ENV),
    ("TRAFFIC-02", spec(exposure={"matchHeaders": [{"name": "x-tenant", "exact": "a"}]}), MESH_ENV),
    # TRAFFIC-03: a Knative split with a custom domain and not public
    ("TRAFFIC-03", spec(canaryStrategy="split", versions=CANARY, exposure={"customDomain": "iris.acme.example"}), MESH_ENV),
    # IS-03: the label written on the first version
    ("IS-03", spec(mode="standard", versions=[version("v1", 90, model={"format": "sklearn", "storageUri": "gs://b/1"}, labels={"inferplane.dev/version": "v9"}), version("v2", 10)]), MESH_ENV),
]

def unweighted(name: str) -> dict:
    listed = version(name, 0)
    del listed["weight"]
    return listed


QUIET: list[tuple] = [
    ("IMG-02", model(format="huggingface", storageUri="hf://Qwen/Qwen2.5-0.5B-Instruct"), kserve("0.11.0")),
    ("IMG-01", spec(smokeTest={"enabled": True, "image": "curlimages/curl:8.10.1"}, predictor={"model": None, "container": {"image": "ghcr.io/acme/server@sha256:" + "a" * 64}}), env(images={"requireDigests": True}, gitops={**ARGOCD, "tool": "flux"})),
    ("LLM-03", llm(multiNode=True, parallelism={"data": 2, "dataLocal": 2}), None),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 2}, parallelism={"tensor": 2}), env(gpuClasses={"t4": {"maxPerPod": 2}})),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 2}, parallelism={"tensor": 2}, replicas=3), env(gpuClasses={"t4": {"quota": 6}})),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 2}, parallelism={"tensor": 2}), env(gpuClasses={"t4": {"quota": 2}})),
    ("LLM-04", llm(router={"scheduler": True, "schedulerReplicas": 1}), None),
    ("SCALE-04", standard(metric="memory", target=80, additionalMetrics=[{"metric": "cpu", "target": 1}]), None),
    ("SCALE-04", standard(metric="memory", target=80, additionalMetrics=[{"metric": "cpu", "target": 100}]), None),
    ("SCALE-04", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "memory", "target": 1}]), None),
    ("SCALE-04", standard(metric="external", target=10, external=SLS_QPS, additionalMetrics=[{"metric": "external", "target": 5, "external": {"name": "other_qps"}}]), None),
    ("RAY-03", ray(workers=[{"name": "gpu", "maxReplicas": 1, "gpu": {"class": "t4", "count": 2}}]), env(gpuClasses={"t4": {"maxPerPod": 2}})),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 2, "maxReplicas": 2, "replicas": 2}]), None),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 1, "maxReplicas": 3, "replicas": 1}]), None),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 1, "maxReplicas": 3, "replicas": 3}]), None),
    ("CM-02", PUBLIC, mesh_env({**acme(solver="dns01", dns01={"route53": {"region": "eu-west-1", "accessKeyIDSecretRef": {"name": "aws", "key": "id"}}}), "wildcard": True})),
    # KS-14: an unweighted canary counts 0 towards the canaries' 100
    ("KS-14", spec(mode="standard", versions=[version("v1", 0), unweighted("v2"), version("v3", 100)]), KSERVE_020),
    ("KS-10", standard(metric="cpu", target=1), None),
    ("KS-10", standard(metric="cpu", target=100), None),
    ("KS-10", standard(metric="memory", target=1), None),
    ("KS-10", knative(metric="memory"), None),
    ("KS-10", standard(metric="external", target=10, external=SLS_QPS), None),
    ("KS-11", standard(metric="external", target="0.001", external=PROM_QPS), KEDA_ENV),
    ("KS-11", standard(metric="external", external=PROM_QPS), KEDA_ENV),
    ("KS-12", knative(metric="rps", target=1), None),
    ("KS-12", knative(target=1), None),
    ("KS-12", knative(metric="memory", target=80, minReplicas=1), None),
    ("KS-12", knative(metric="cpu", target=70), None),
    ("KS-15", standard(minReplicas=1, maxReplicas=3, metric="cpu", target=70), None),
    ("KS-18", spec(predictor={"timeoutSeconds": 600}), None),
    ("KS-18", spec(predictor={"timeoutSeconds": 900}), env(knative={"maxRevisionTimeoutSeconds": 900})),
    ("KS-09", standard(metric="external", target=10, external=PROM_QPS), keda("0.15.0")),
    ("KS-09", standard(metric="memory", target=70, stabilization={"scaleUpSeconds": 30}), kserve("0.12.0")),
    ("KS-09", annotated(standard(minReplicas=2, maxReplicas=2), **{CLASS: "none"}), None),
    ("KS-09", annotated(standard(metric="external", target=10, external=PROM_QPS), **{CLASS: "keda"}), KEDA_ENV),
    ("KS-19", annotated(standard(metric="cpu", target=70, stabilization={"scaleDownSeconds": 60}), **{CLASS: "external"}), None),
    ("KS-19", annotated(standard(metric="cpu", target=70), **{CLASS: "hpa"}), None),
    ("SCALE-02", knative(scaleToZeroRetentionSeconds=0, initialScale=1, containerConcurrency=0), None),
    ("SCALE-02", standard(stabilization={"scaleUpSeconds": 30}, metric="cpu", target=70), None),
    ("TRAFFIC-01", spec(mode="standard", versions=[version("v1", 90), version(LONGEST, 10)]), env(mesh={}, namespace="n" * 27)),
    ("TRAFFIC-01", spec(versions=[version("v1", 90), version(LONGEST, 10)]), env(namespace="n" * 28)),
    ("KS-14", spec(mode="standard", versions=[version("v1", 0), version("v2", 60), version("v3", 40)]), KSERVE_020),
    ("KS-14", spec(mode="standard", versions=[version("v1", 90), version(LONGEST, 10)]), env(versions={"kserve": "0.20.0"}, namespace="n" * 27)),
    ("KS-13", spec(mode="standard", canaryStrategy="native", versions=[version("v1", 100)]), kserve("0.19.0")),
    ("KS-13", spec(mode="modelmesh", scaling=None, predictor={"model": {}}, versions=[version("v1", 40), version("v2", 30), version("v3", 30)]), mm_env()),
    ("KS-13", spec(versions=[version("v1", 40), version("v2", 30), version("v3", 30)], canaryStrategy="split"), MESH_ENV),
    ("IS-02", spec(versions=[version("v1", 50), version("v2", 50)]), None),
    ("TRAFFIC-02", spec(exposure={"public": True, "matchHeaders": [{"name": "x-tenant", "regex": "a.*"}]}, mode="standard"), MESH_ENV),
    ("TRAFFIC-02", spec(exposure={"public": True, "timeoutSeconds": 30}), MESH_ENV),
    ("TRAFFIC-03", spec(exposure={"customDomain": "iris.acme.example"}), MESH_ENV),
    ("TRAFFIC-03", spec(mode="standard", exposure={"public": True, "customDomain": "iris.acme.example"}), MESH_ENV),
    ("IS-03", spec(mode="standard", versions=[version("v1", 90, model={"format": "sklearn", "storageUri": "gs://b/1"}, labels={"inferplane.dev/version": "v1"}), version("v2", 10)]), MESH_ENV),
]
