"""Rule cases beyond tests/test_rules.py: both sides of every boundary and the branches no other
case reaches. (rule ID, service patch, environment patch); the expected findings of each are in
expected.yaml."""

from __future__ import annotations

from tests.test_rules import (
    CANARY, CLOUDFLARE, KEDA_ENV, LETSENCRYPT, mm_env, KSERVE_020, MESH_ENV, PROM_QPS, PUBLIC, SLS_QPS, TRANSFORMER, acme, env, graph, kserve, knative, llm, mesh_env, model, modelmesh, ray,
    spec, standard, version,
)

CLASS = "serving.kserve.io/autoscalerClass"
PLACED_T4 = {"t4": {"nodeSelector": {"pool": "t4"}, "tolerations": [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}], "runtimeClassName": "nvidia"}}
GATEWAY = {"gateway": "inference", "gatewayNamespace": "gateways"}


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
    # EXPOSE-01: an HTTPRoute in Knative mode; an Ingress and an HTTPRoute, each at its key
    ("EXPOSE-01", spec(exposure={"gatewayApi": GATEWAY}), None),
    ("EXPOSE-01", spec(exposure={"ingress": {"className": "nginx"}, "gatewayApi": GATEWAY}), None),
    # EXPOSE-02: each provider over plain HTTP in production (HTTPRoute on a plain listener, the mesh gateway)
    ("EXPOSE-02", spec(mode="standard", exposure={"gatewayApi": {**GATEWAY, "plainHttp": True}}), env(production=True)),
    ("EXPOSE-02", spec(exposure={"public": True}), env(production=True, domain="models.example.com", mesh={"gateway": {"plainHttp": True}})),
    # EXPOSE-03: a header prefix has no Gateway API spelling; KServe and we would both route
    ("EXPOSE-03", spec(mode="standard", exposure={"gatewayApi": GATEWAY, "matchHeaders": [{"name": "model", "prefix": "iris"}]}), None),
    ("EXPOSE-03", spec(mode="standard", exposure={"gatewayApi": GATEWAY}), env(kserveGatewayApi=True, versions={"kserve": "0.15.2"})),
    # EXPOSE-04: every edge setting beside internal, each at its key
    ("EXPOSE-04", spec(mode="standard", exposure={"internal": True, "ingress": {"className": "nginx"}, "gatewayApi": GATEWAY, "customDomain": "iris.acme.example"}), None),
    # SCALE-03: an additional ingress metric without an Ingress; a gateway metric on a cluster-internal
    # service; an HTTPRoute whose gateway proxies `access` leaves out
    ("SCALE-03", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "external", "target": 10, "external": {"name": "sls_ingress_qps"}}]), None),
    ("SCALE-03", {"spec": {**standard(metric="external", target=10, external={"name": "envoy_gateway_rps"})["spec"], "exposure": {"internal": True}}}, None),
    ("SCALE-03", {"spec": {**standard(metric="external", target=10, external={"name": "envoy_gateway_rps"})["spec"], "exposure": {"gatewayApi": GATEWAY}, "access": {"allowNamespaces": ["clients"]}}}, MESH_ENV),
    # KS-26: fsGroup, priority class and a writable PVC, each with its flag; the write flag alone missing
    ("KS-26", spec(predictor={"pod": {"fsGroup": 1000, "priorityClassName": "high"}, "volumes": [{"name": "models", "mountPath": "/models", "pvc": "model-pvc"}]}), None),
    ("KS-26", spec(predictor={"volumes": [{"name": "models", "mountPath": "/models", "pvc": "model-pvc"}]}), env(knative={"features": ["kubernetes.podspec-persistent-volume-claim"]})),
    # KS-26: a GPU class's nodeSelector, tolerations and runtimeClassName on Knative pods
    ("KS-26", spec(hardware={"gpu": {"class": "t4"}}), env(gpuClasses=PLACED_T4)),
    # KS-25: KServe creates HTTPRoutes from 0.15 (0.14 fires)
    ("KS-25", spec(), env(kserveGatewayApi=True, versions={"kserve": "0.14.1"})),
]

def unweighted(name: str) -> dict:
    listed = version(name, 0)
    del listed["weight"]
    return listed


# The environment's shared Ray clusters (spec.rayClusters): RAY-02..04 at the environment file's
# lines; a service on a shared cluster (ray.cluster) owns none of the cluster's keys (RAY-01).
SHARED_HEAD = {"resources": {"limits": {"cpu": "2", "memory": "8Gi"}}}


def shared(head: dict | None = None, **cluster) -> dict:
    return env(rayClusters={"shared": {"image": "rayproject/ray:2.41.0", "head": head if head is not None else SHARED_HEAD, **cluster}})


def on_shared(**values) -> dict:
    return spec(mode="ray", predictor=None, ray={"cluster": "shared", **values})


NEW_TRANSFORMER = {"container": {"image": "ghcr.io/acme/transformer:2"}, "resources": {"limits": {"cpu": "2", "memory": "2Gi"}}}


def with_transformer(*versions: dict, **values) -> dict:
    return spec(transformer=TRANSFORMER, versions=list(versions), **values)


PROM = {"type": "prometheus", "metadata": {"serverAddress": "http://prometheus.monitoring:9090", "query": "sum(vllm:num_requests_waiting)", "threshold": "5"}}

FIRING += [
    # COMP-04: a canary version's own transformer where KServe renders none per version (spec.canary[])
    ("COMP-04", with_transformer(version("v1", 90), {**version("v2", 10), "transformer": NEW_TRANSFORMER}, mode="standard"), KSERVE_020),
    ("COMP-04", spec(mode="standard", canaryStrategy="split", versions=[version("v1", 90), {**version("v2", 10), "transformer": NEW_TRANSFORMER}]), MESH_ENV),
    # LLM-05: an LLM pool's autoscaling (spec.scaling of the CRD): one mechanism, ordered bounds, no replicas beside it
    ("LLM-05", llm(scaling={"maxReplicas": 3}), None),
    ("LLM-05", llm(scaling={"maxReplicas": 3, "wva": {}, "keda": {"triggers": [PROM]}}), None),
    ("LLM-05", llm(scaling={"maxReplicas": 3, "keda": {"triggers": []}}), None),
    ("LLM-05", llm(scaling={"minReplicas": 4, "maxReplicas": 3, "wva": {}}), None),
    ("LLM-05", llm(scaling={"maxReplicas": 2, "wva": {"actuator": "hpa"}}, prefill={"gpu": {"class": "t4"}, "scaling": {"maxReplicas": 2, "wva": {"actuator": "keda"}}}), None),
    # an InferenceGraph's router and a Ray Serve app are routed like a service (plan/endpoints.py)
    ("TRAFFIC-02", {**graph(), "spec": {**graph()["spec"], "exposure": {"public": True}}}, env(domain="models.example.com")),
    ("TRAFFIC-02", {**ray(), "spec": {**ray()["spec"], "exposure": {"retries": {"attempts": 2}}}}, None),
    ("RAY-01", on_shared(), None),
    ("RAY-01", on_shared(image="rayproject/ray:2.41.0", workers=[]), shared()),
    ("RAY-01", spec(mode="ray", predictor=None, ray={"serveConfig": {"applications": []}}), None),
    ("RAY-02", {}, shared(head={**SHARED_HEAD, "startParams": {"num-gpus": 1}})),
    ("RAY-02", {}, shared(workers=[{"name": "gpu", "maxReplicas": 2, "gpu": {"class": "t4"}, "startParams": {"num-gpus": "2"}}])),
    ("RAY-03", {}, shared(workers=[{"name": "gpu", "maxReplicas": 2, "gpu": {"class": "a100"}}])),
    ("RAY-03", {}, shared(head={**SHARED_HEAD, "gpu": {"class": "t4", "count": 3}})),
    ("RAY-04", {}, shared(head={})),
    ("RAY-04", {}, shared(workers=[{"name": "cpu", "minReplicas": 3, "maxReplicas": 2}])),
]


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
    ("EXPOSE-01", spec(mode="standard", exposure={"gatewayApi": GATEWAY}), None),
    ("EXPOSE-02", spec(mode="standard", exposure={"gatewayApi": GATEWAY}), env(production=True)),
    ("EXPOSE-02", spec(mode="standard", exposure={"gatewayApi": {**GATEWAY, "plainHttp": True}}), None),
    ("EXPOSE-03", spec(mode="standard", exposure={"gatewayApi": GATEWAY, "matchHeaders": [{"name": "model", "exact": "iris"}]}), None),
    ("EXPOSE-03", spec(mode="standard"), env(kserveGatewayApi=True)),
    ("EXPOSE-04", spec(mode="standard", exposure={"internal": True}, access={"allowNamespaces": ["clients"]}), MESH_ENV),
    ("SCALE-03", {"spec": {**standard(metric="external", target=10, external={"name": "envoy_gateway_rps"})["spec"], "exposure": {"gatewayApi": {**GATEWAY, "controllerNamespace": "envoy-gateway-system"}}, "access": {"allowNamespaces": ["clients"]}}}, MESH_ENV),
    ("SCALE-03", {"spec": {**standard(metric="cpu", target=70, additionalMetrics=[{"metric": "external", "target": 10, "external": {"name": "sls_ingress_qps"}}])["spec"], "exposure": {"ingress": {"className": "nginx"}}}}, None),
    ("KS-26", spec(mode="standard", predictor={"pod": {"fsGroup": 1000}, "volumes": [{"name": "models", "mountPath": "/models", "pvc": "model-pvc"}]}), None),
    ("KS-26", spec(predictor={"volumes": [{"name": "models", "mountPath": "/models", "pvc": "model-pvc", "readOnly": True}, {"name": "cache", "mountPath": "/cache", "emptyDir": {}}]}), env(knative={"features": ["kubernetes.podspec-persistent-volume-claim"]})),
    ("KS-25", spec(), env(kserveGatewayApi=True, versions={"kserve": "0.15.2"})),
    ("KS-26", spec(hardware={"gpu": {"class": "t4"}}), env(gpuClasses=PLACED_T4, knative={"features": ["kubernetes.podspec-nodeselector", "kubernetes.podspec-tolerations", "kubernetes.podspec-runtimeclassname"]})),
]

QUIET += [
    ("COMP-04", with_transformer(version("v1", 90), {**version("v2", 10), "transformer": NEW_TRANSFORMER}, mode="standard", canaryStrategy="split"), MESH_ENV),
    ("COMP-04", with_transformer(version("v1", 90), {**version("v2", 10), "transformer": NEW_TRANSFORMER}), None),  # Knative's native canary
    ("COMP-04", with_transformer({**version("v1", 90), "transformer": NEW_TRANSFORMER}, version("v2", 10), mode="standard"), KSERVE_020),
    ("LLM-05", llm(scaling={"minReplicas": 3, "maxReplicas": 3, "keda": {"triggers": [PROM], "pollingInterval": 15}}), None),
    ("LLM-05", llm(scaling={"maxReplicas": 2, "wva": {"actuator": "keda", "variantCost": "12.5"}}, prefill={"gpu": {"class": "t4"}, "scaling": {"maxReplicas": 2, "wva": {"actuator": "keda"}}}), None),
    ("TRAFFIC-02", {**graph(), "spec": {**graph()["spec"], "exposure": {"public": True}}}, MESH_ENV),
    ("TRAFFIC-02", {**ray(), "spec": {**ray()["spec"], "exposure": {"retries": {"attempts": 2}}}}, MESH_ENV),
    ("RAY-01", on_shared(), shared()),
    ("RAY-01", ray(image="rayproject/ray:2.41.0-py311-gpu"), shared()),
    ("RAY-02", {}, shared(head={**SHARED_HEAD, "startParams": {"num-cpus": "0"}})),
    ("RAY-02", {}, shared(workers=[{"name": "gpu", "maxReplicas": 2, "gpu": {"class": "t4"}, "startParams": {"num-gpus": "1"}}])),
    ("RAY-03", {}, shared(workers=[{"name": "gpu", "maxReplicas": 2, "gpu": {"class": "t4", "count": 2}}])),
    ("RAY-03", {}, shared(head={**SHARED_HEAD, "gpu": {"class": "t4"}})),
    ("RAY-04", {}, shared()),
    ("RAY-04", {}, shared(workers=[{"name": "cpu", "minReplicas": 2, "replicas": 2, "maxReplicas": 2}])),
]
