"""Every rule has a case that fires and one that stays quiet."""

import pytest

from compiler.rules import all_rules
from tests.helpers import fires, rule_ids

MODEL = ("spec", "predictor", "model")


def spec(**values) -> dict:
    return {"spec": values}


def model(**values) -> dict:
    return spec(predictor={"model": values})


def standard(**scaling) -> dict:
    return spec(mode="standard", scaling=scaling)


def knative(**scaling) -> dict:
    return spec(scaling=scaling)


def env(**values) -> dict:
    return {"spec": values}


# ModelMesh: the seed's runtimes, its PVC, and a model on it (scaling nulled: runtimes own it).
MLSERVER = {"name": "mlserver-1.x", "image": "docker.io/seldonio/mlserver:1.5.0", "supportedModelFormats": [{"name": "sklearn", "version": "0", "autoSelect": True}], "builtInAdapter": {"serverType": "mlserver"}}
TRITON = {"name": "triton-2.x", "image": "nvcr.io/nvidia/tritonserver:23.03-py3", "supportedModelFormats": [{"name": "tensorflow", "version": "2", "autoSelect": True}], "builtInAdapter": {"serverType": "triton"}}
ON_PVC = {"parameters": {"type": "pvc", "name": "my-models-pvc"}, "path": "mnist-svm.joblib"}
DYNAMIC = {"gateways": ["grpc-gateway"], "dynamicSubset": {"header": "model"}}


def modelmesh(scaling=None, **model) -> dict:
    return spec(mode="modelmesh", scaling=scaling, predictor={"model": model})


def mm_env(*runtimes: dict, mesh: dict | None = None, istio: str | None = None, **settings) -> dict:
    values = {"modelmesh": {"runtimes": list(runtimes or (MLSERVER, TRITON)), "pvcs": ["my-models-pvc"], **settings}}
    if mesh is not None:
        values["mesh"] = mesh
    if istio is not None:
        values["versions"] = {"istio": istio}
    return env(**values)


def kserve(version: str) -> dict:
    return env(versions={"kserve": version})


def priority(runtime: dict, value: int, **extra) -> dict:
    return {**runtime, **extra, "supportedModelFormats": [{**f, "priority": value} for f in runtime["supportedModelFormats"]]}


SLS_QPS = {"name": "sls_ingress_qps", "selector": {"sls.logstore": "nginx-ingress"}}
PROM_QPS = {"query": "sum(rate(requests_total[1m]))", "serverAddress": "http://prometheus.monitoring:9090"}
KEDA_ENV = env(autoscaling={"keda": True})
ELASTIC_T4 = {"t4": {"elastic": {"burst": "eci_only", "eciUseSpecs": ["ecs.gn6i-c4g1.xlarge"]}}}
SIX_SPECS = {"t4": {"elastic": {"burst": "eci", "eciUseSpecs": [f"ecs.gn6i-c{n}g1.xlarge" for n in (4, 8, 16, 24, 32, 48)]}}}


def version(name: str, weight: int, **predictor) -> dict:
    """A listed version with a full predictor (the rule tests skip the resolve stage's merge)."""
    return {"name": name, "weight": weight, "predictor": predictor or {"model": {"format": "sklearn", "storageUri": f"gs://bucket/{name}"}}}


CANARY = [version("v1", 90), version("v2", 10)]
TRANSFORMER = {"container": {"image": "ghcr.io/acme/transformer:1"}}


def llm(**values) -> dict:
    """A mode llm service (the base's predictor removed) with `llm` set to a T4 Qwen plus values."""
    return spec(mode="llm", predictor=None, llm={"model": {"uri": "hf://Qwen/Qwen2.5-0.5B-Instruct"}, "gpu": {"class": "t4"}, **values})


def graph(router: str = "Sequence", **step) -> dict:
    """A mode graph service whose root node has one step (the base's predictor removed)."""
    return spec(mode="graph", predictor=None, graph={"nodes": {"root": {"routerType": router, "steps": [step or {"service": "iris"}]}}})


def ray(**values) -> dict:
    """A mode ray service (the base's predictor removed) whose head has cpu and memory limits."""
    head = {"resources": {"limits": {"cpu": "2", "memory": "8Gi"}}}
    return spec(mode="ray", predictor=None, ray={"image": "rayproject/ray:2.41.0", "serveConfig": {"applications": []}, "head": head, **values})


def modelmesh_with(**components) -> dict:
    return {"spec": {**modelmesh()["spec"], **components}}
MESH_ENV = env(mesh={}, domain="models.example.com")
KSERVE_020 = env(versions={"kserve": "0.20.0"})
# mesh, gateway and certificates
PUBLIC = spec(exposure={"public": True})
SELF_SIGNED = {"issuer": {"name": "gateway-ca", "type": "selfSigned"}}
LETSENCRYPT = {"server": "https://acme-v02.api.letsencrypt.org/directory", "email": "ml@example.com", "privateKeySecretName": "le-account"}
CLOUDFLARE = {"cloudflare": {"apiTokenSecretRef": {"name": "cloudflare-api-token", "key": "api-token"}}}


def mesh_env(tls: dict | None = None, **mesh) -> dict:
    return env(mesh=mesh, domain="prod.example.com", tls=tls or SELF_SIGNED)


def acme(**settings) -> dict:
    return {"issuer": {"name": "letsencrypt", "type": "acme", "acme": {**LETSENCRYPT, **settings}}}


FIRING = [
    ("KS-01", spec(mode=None), None),
    ("KS-01", {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": "Standard"}}}, None),
    ("KS-01", {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": "Knative"}}}, {"spec": {"versions": {"kserve": "0.15.2"}}}),
    ("KS-03", {"metadata": {"name": "Iris_Model"}}, None),
    ("KS-04", {"metadata": {"name": "a" * 40}}, {"spec": {"namespace": "team-" + "b" * 20}}),
    ("KS-05", spec(predictor={"container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("KS-05", spec(predictor={"model": None}), None),
    ("KS-06", spec(scaling={"minReplicas": 5, "maxReplicas": 2}), None),
    ("KS-06", spec(scaling={"minReplicas": -1}), None),
    ("KS-06", spec(scaling={"containerConcurrency": -2}), None),
    ("KS-07", model(storageUri="ftp://host/model"), None),
    ("KS-07", model(storageUri="bucket/model"), None),
    ("KS-07", model(storageUri="pvc://Bad_Claim/model"), None),
    ("KS-08", model(storageUris=[{"uri": "gs://a/b"}]), None),
    ("KS-08", model(storageUri=None), None),
    # ModelMesh
    ("MM-01", modelmesh(), None),
    ("MM-01", modelmesh(format="onnx"), mm_env()),
    ("MM-01", modelmesh(runtime="triton-2.x"), mm_env()),
    ("MM-01", modelmesh(runtime="kserve-sklearnserver"), mm_env()),
    ("MM-01", modelmesh(runtime="mlserver-1.x"), mm_env({**MLSERVER, "multiModel": False})),
    ("MM-01", modelmesh(), mm_env({**MLSERVER, "supportedModelFormats": [{"name": "sklearn", "version": "0"}]})),
    ("MM-02", model(storageUri=None, storage=ON_PVC), None),
    ("MM-02", modelmesh(storageUri=None, storage={**ON_PVC, "parameters": {"type": "pvc", "name": "team-models"}}), mm_env()),
    ("MM-02", modelmesh(storageUri="pvc://team-models/sklearn/model.joblib"), mm_env()),
    ("MM-02", modelmesh(storageUri=None, storage={"parameters": {"type": "pvc", "name": "my-models-pvc"}}), mm_env()),
    ("MM-02", modelmesh(storageUri=None, storage={"parameters": {"type": "pvc"}, "path": "mnist"}), mm_env()),
    ("MM-02", modelmesh(storage=ON_PVC), mm_env()),
    ("MM-02", modelmesh(storageUri=None, storageUris=[{"uri": "gs://a/b"}, {"uri": "gs://a/c"}]), mm_env()),
    ("MM-03", modelmesh(), mm_env(priority(MLSERVER, 1), priority({**MLSERVER, "name": "mlserver-custom"}, 1))),
    ("MM-03", modelmesh(), mm_env({**MLSERVER, "supportedModelFormats": [{"name": "sklearn", "version": "0", "autoSelect": True, "priority": 1}, {"name": "sklearn", "version": "1", "autoSelect": True, "priority": 2}]})),
    ("MM-04", modelmesh(), mm_env(mesh={}, routing=DYNAMIC)),
    ("MM-04", modelmesh(), mm_env(mesh={"provider": "asm"}, istio="1.21.5.10", routing=DYNAMIC)),
    ("MM-04", modelmesh(), mm_env(mesh={"provider": "asm"}, routing=DYNAMIC)),
    ("MM-04", modelmesh(), mm_env(routing={})),
    ("MM-05", modelmesh(scaling={"minReplicas": 2}), mm_env()),
    ("MM-05", {**modelmesh(), "spec": {**modelmesh()["spec"], "hardware": {"gpu": {"class": "t4"}}}}, mm_env()),
    ("MM-05", {"spec": {**modelmesh()["spec"], "predictor": {"model": {}, "resources": {"limits": {"cpu": "1"}}}}}, mm_env()),
    ("MM-05", {"spec": {**modelmesh()["spec"], "exposure": {"public": True}}}, mm_env()),
    ("MM-05", modelmesh(runtimeVersion="1.5.0"), mm_env()),
    ("KS-22", {"metadata": {"annotations": {"serving.kserve.org/enable-tag-routing": "true"}}}, None),
    ("SEC-01", model(env=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "abc"}]), None),
    ("SEC-01", model(storageUri="https://user:pass@host/model.joblib"), None),
    ("SEC-01", model(storageUri="https://host/model?X-Amz-Signature=abc"), None),
    ("SEC-01", model(args=["--model-store-password=hunter2xyz"]), None),
    ("SEC-02", None, {"spec": {"gitops": {"tool": "argocd", "repoURL": "https://user:hunter2xyz@github.com/acme/gitops.git"}}}),
    ("GPU-CLASS", spec(hardware={"gpu": {"class": "a100"}}), None),
    ("GPU-CLASS", spec(hardware={"gpu": {"class": "t4", "count": 3}}), None),
    ("GPU-01", spec(predictor={"resources": {"requests": {"nvidia.com/gpu": 1}}}), None),
    ("GPU-01", spec(predictor={"resources": {"limits": {"nvidia.com/mig-1g.5gb": 1, "nvidia.com/mig-2g.10gb": 1}}}), None),
    ("GPU-01", spec(hardware={"gpu": {"class": "t4"}}, predictor={"resources": {"limits": {"nvidia.com/gpu": 1}}}), None),
    # scaling
    ("SCALE-01", standard(metric="external", target=10), None),
    ("SCALE-01", standard(metric="cpu", external=SLS_QPS), None),
    ("SCALE-01", standard(metric="external", target=10, external={**SLS_QPS, **PROM_QPS}), None),
    ("SCALE-01", standard(metric="external", target=10, external={"selector": {"a": "b"}}), None),
    ("SCALE-01", standard(metric="external", target=10, external={**PROM_QPS, "selector": {"a": "b"}}), KEDA_ENV),
    ("SCALE-01", standard(metric="external", external=SLS_QPS), None),
    ("KS-09", standard(metric="external", target=10, external=PROM_QPS), None),
    ("KS-09", standard(metric="external", target=10, external=PROM_QPS), env(autoscaling={"keda": True}, versions={"kserve": "0.14.1"})),
    ("KS-09", {**standard(metric="cpu", target=70), "metadata": {"annotations": {"serving.kserve.io/autoscalerClass": "keda"}}}, None),
    ("KS-09", {"metadata": {"annotations": {"serving.kserve.io/autoscalerClass": "hpa"}}}, None),
    ("KS-09", standard(metric="external", target=10, external=SLS_QPS), kserve("0.11.2")),
    ("KS-09", standard(metric="cpu", target=70, stabilization={"scaleDownSeconds": 300}), kserve("0.10.2")),
    # versions (plan/kserve_versions.py)
    ("VERSION", None, env(versions={"kubernetes": "1.22"})),
    ("VERSION", None, kserve("latest")),
    ("VERSION", None, kserve("0.99")),
    ("VERSION", None, kserve("0.6.1")),
    ("KS-24", model(runtime="kserve-sklearnserver"), kserve("0.7.0")),
    ("KS-24", model(format="huggingface"), kserve("0.11.2")),
    ("KS-24", model(storageUri=None, storageUris=[{"uri": "gs://bucket/a"}]), kserve("0.15.2")),
    ("KS-24", None, {"spec": {"versions": {"kserve": "0.9.0"}, "observability": {"prometheus": {"enabled": True}}}}),
    ("KS-24", modelmesh(format="sklearn", storage=ON_PVC), {**mm_env(), "spec": {**mm_env()["spec"], "versions": {"kserve": "0.8.0"}}}),
    ("KS-25", modelmesh(format="sklearn", storage=ON_PVC), {**mm_env(), "spec": {**mm_env()["spec"], "versions": {"kserve": "0.7.0"}}}),
    ("KS-25", modelmesh(format="sklearn", storage=ON_PVC), {"spec": {**mm_env(priority(MLSERVER, 2))["spec"], "versions": {"kserve": "0.10.2"}}}),
    ("KS-10", standard(metric="concurrency", target=5), None),
    ("KS-10", standard(metric="cpu", target=150), None),
    ("KS-10", standard(metric="memory"), None),
    ("KS-10", standard(metric="memory", target="0.5"), None),
    ("KS-11", standard(metric="external", target=10, external={"query": "up"}), KEDA_ENV),
    ("KS-11", standard(metric="external", target=0, external=PROM_QPS), KEDA_ENV),
    ("KS-12", knative(metric="external", target=10, external=SLS_QPS), None),
    ("KS-12", knative(metric="cpu", target=70, minReplicas=0), None),
    ("KS-12", knative(metric="concurrency", target=0.5), None),
    ("KS-15", standard(minReplicas=0, maxReplicas=3), None),
    ("KS-15", standard(minReplicas=0, maxReplicas=10, metric="external", target=10, external=SLS_QPS), None),
    ("KS-16", {"metadata": {"annotations": {"autoscaling.knative.dev/min-scale": "2"}}}, None),
    ("KS-16", spec(predictor={"annotations": {"autoscaling.knative.dev/initial-scale": "3"}}), None),
    ("KS-18", spec(predictor={"timeoutSeconds": 900}), None),
    ("KS-18", spec(predictor={"timeoutSeconds": 400}), env(knative={"maxRevisionTimeoutSeconds": 300})),
    ("KS-19", standard(maxReplicas=None, metric="external", target=10, external=SLS_QPS), None),
    ("KS-19", {**standard(metric="external", target=10, external=SLS_QPS), "metadata": {"annotations": {"serving.kserve.io/autoscalerClass": "hpa"}}}, None),
    ("SCALE-02", standard(initialScale=1), None),
    ("SCALE-02", standard(containerConcurrency=4), None),
    ("SCALE-02", knative(stabilization={"scaleUpSeconds": 30}), None),
    ("SCALE-02", knative(initialScale=0), None),
    ("SCALE-02", knative(metric="cpu", target=70, scaleToZeroRetentionSeconds=60), None),
    ("SCALE-03", standard(metric="external", target=10, external={"name": "sls_ingress_qps"}), None),
    ("EXPOSE-01", spec(exposure={"ingress": {"className": "nginx"}}), None),
    ("LOAD-01", spec(loadTest={"enabled": True}), None),
    ("SCALE-04", standard(additionalMetrics=[{"metric": "memory", "target": 80}]), None),
    ("EXPOSE-02", spec(mode="standard", exposure={"ingress": {"className": "nginx"}}), env(production=True)),
    ("EXPOSE-03", spec(mode="standard", exposure={"gatewayApi": {"gateway": "inference"}}), env(kserveGatewayApi=True)),
    ("EXPOSE-04", spec(exposure={"internal": True, "public": True}), None),
    ("KS-26", spec(predictor={"pod": {"affinity": {"nodeAffinity": {}}}}), None),
    ("GPU-02", spec(hardware={"gpu": {"class": "t4"}}, scaling={"minReplicas": 0}), None),
    ("GPU-02", spec(mode="standard", hardware={"gpu": {"class": "t4"}}, scaling={"minReplicas": 0, "metric": "external", "target": 5, "external": PROM_QPS}), KEDA_ENV),
    ("GPU-03", spec(hardware={"gpu": {"class": "t4"}}), env(gpuClasses=ELASTIC_T4)),
    ("GPU-03", spec(hardware={"gpu": {"class": "t4"}}), env(gpuClasses=SIX_SPECS)),
    ("GPU-BUDGET", spec(hardware={"gpu": {"class": "t4", "count": 2}}), env(gpuClasses={"t4": {"quota": 4}})),
    ("GPU-BUDGET", spec(hardware={"gpu": {"class": "t4"}}, scaling={"maxReplicas": None}), env(gpuClasses={"t4": {"quota": 8}})),
    # images and delivery
    ("IMG-01", None, {"spec": {"images": {"requireDigests": True}}}),
    ("IMG-01", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), {"spec": {"images": {"requireDigests": True}}}),
    ("IMG-02", model(format="onnx"), None),
    ("IMG-02", model(runtime="acme-runtime"), None),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "registry.acme.internal/team/server:1"}}), None),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), {"spec": {"images": {"mirror": "registry.internal/mirror"}}}),
    ("SMOKE-01", spec(smokeTest={"enabled": True}), None),
    # versions and traffic
    ("KS-13", spec(versions=[version("v1", 50), version("v2", 30), version("v3", 20)]), None),
    ("KS-13", spec(mode="standard", canaryStrategy="native", versions=CANARY), None),
    ("KS-14", spec(mode="standard", versions=[version("v1", 90), version("v2", 10, container={"image": "ghcr.io/acme/server:1"})]), KSERVE_020),
    ("KS-14", spec(mode="standard", versions=[version("v1", 90), version("v2-" + "c" * 17, 10)]), env(versions={"kserve": "0.20.0"}, namespace="team-" + "n" * 30)),
    ("IS-02", spec(versions=[version("v1", 90), version("v2", 20)]), None),
    ("IS-02", spec(versions=[{"name": "v1"}, {"name": "v2"}, version("v3", 10)]), None),
    ("IS-03", spec(mode="standard", versions=[version("v1", 90), version("v2", 10, model={"format": "sklearn", "storageUri": "gs://b/2"}, labels={"inferplane.dev/version": "v1"})]), MESH_ENV),
    ("TRAFFIC-01", spec(versions=[version("v1", 50), version("v1", 50)]), None),
    ("TRAFFIC-01", spec(versions=[version("v1", 90), version("route", 10)]), None),
    ("TRAFFIC-02", spec(mode="standard", versions=CANARY), None),
    ("TRAFFIC-02", spec(exposure={"public": True}), env(domain="models.example.com")),
    ("TRAFFIC-02", spec(exposure={"public": True}), env(mesh={})),
    ("TRAFFIC-02", spec(exposure={"timeoutSeconds": 30}), MESH_ENV),
    ("TRAFFIC-02", spec(exposure={"public": True, "matchHeaders": [{"name": "x-tenant", "exact": "a", "prefix": "b"}]}), MESH_ENV),
    ("TRAFFIC-03", spec(mode="standard", exposure={"customDomain": "iris.acme.example"}), MESH_ENV),
    # mesh, gateway and certificates
    ("IS-01", PUBLIC, mesh_env(gateway={"name": "knative-ingress-gateway", "namespace": "knative-serving"})),
    ("IS-04", spec(access={"allowNamespaces": ["ml-clients"]}), env(mesh={"mtls": "PERMISSIVE"})),
    ("IS-04", spec(access={"mtls": "PERMISSIVE"}), env(mesh={})),
    ("IS-04", spec(access={"allowServiceAccounts": ["scorer"]}), None),
    ("IS-05", None, env(namespace="knative-serving", mesh={})),
    ("IS-06", spec(access={"allowNamespaces": ["ml-clients"]}), None),
    ("IS-05", spec(access={"mtls": "STRICT"}), env(namespace="knative-serving", mesh={"mtls": "PERMISSIVE"})),
    ("CM-01", PUBLIC, env(mesh={}, domain="prod.example.com")),
    ("CM-01", spec(exposure={"public": True, "customDomain": "iris.acme.com"}), mesh_env({**SELF_SIGNED, "wildcard": True})),
    ("CM-02", PUBLIC, mesh_env({"issuer": {"name": "internal-ca", "type": "ca"}})),
    ("CM-02", PUBLIC, mesh_env({**acme(solver="http01"), "wildcard": True}, gateway={"httpsRedirect": False})),
    ("CM-02", PUBLIC, mesh_env(acme(solver="http01"))),
    ("CM-02", PUBLIC, mesh_env(acme(solver="dns01", email="ml-team", dns01=CLOUDFLARE))),
    ("CM-02", PUBLIC, mesh_env(acme(solver="dns01", dns01={"cloudflare": {"apiToken": "abc123"}}))),
    ("XREF-01", PUBLIC, mesh_env({"issuer": {"name": "internal-ca", "type": "ca"}})),
    # transformer and explainer (tests/test_workload_components.py asserts the exact findings)
    ("COMP-01", spec(explainer={"scaling": {"maxReplicas": 1}}), None),
    ("COMP-02", spec(mode="standard", transformer={**TRANSFORMER, "scaling": {"minReplicas": 0}}), None),
    ("COMP-03", modelmesh_with(transformer=TRANSFORMER), mm_env()),
    ("COMP-04", spec(versions=[version("v1", 90), {**version("v2", 10), "transformer": {"container": {"image": "ghcr.io/acme/transformer:2"}}}]), None),
    ("COMP-GPU", spec(explainer={"art": {"type": "SquareAttack"}, "gpu": {"class": "t4", "count": 3}}), None),
    # mode llm (tests/test_workload_llm.py asserts the exact findings)
    ("LLM-01", spec(mode="llm"), None),
    ("LLM-02", llm(model={"uri": "gs://bucket/qwen"}), None),
    ("LLM-03", llm(multiNode=True), None),
    ("LLM-GPU", llm(gpu={"class": "a100"}), None),
    ("LLM-04", llm(prefill={"gpu": {"class": "t4"}}, router={"scheduler": False}), None),
    ("LLM-05", llm(replicas=1, scaling={"maxReplicas": 3, "wva": {}}), None),
    # mode graph (tests/test_workload_graph.py asserts the exact findings)
    ("GRAPH-01", spec(mode="graph"), None),
    ("GRAPH-02", graph("Splitter", service="iris", weight=90), None),
    ("GRAPH-03", graph(node="root"), None),
    ("GRAPH-04", graph("Switch", service="iris", condition="a.#(b=1)"), None),
    ("GRAPH-XREF", graph(service="ranker"), None),
    # mode ray (tests/test_workload_ray.py asserts the exact findings)
    ("RAY-01", spec(mode="ray"), None),
    ("RAY-02", ray(head={"resources": {"limits": {"cpu": "2", "memory": "8Gi"}}, "startParams": {"num-cpus": 0}}), None),
    ("RAY-03", ray(workers=[{"name": "gpu", "maxReplicas": 1, "gpu": {"class": "a100"}}]), None),
    ("RAY-04", ray(head={}), None),
]

QUIET = [
    ("KS-01", {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": "Serverless"}}}, {"spec": {"versions": {"kserve": "0.15.2"}}}),
    ("KS-03", {"metadata": {"name": "iris-v2"}}, None),
    ("KS-04", {"metadata": {"name": "a" * 30}}, None),
    ("KS-05", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("KS-06", spec(scaling={"minReplicas": 5, "maxReplicas": 0}), None),
    ("KS-07", model(storageUri="pvc://model-pvc/models/bert"), None),
    ("KS-07", model(storageUri="hf://meta-llama/Llama-3.1-8B"), None),
    ("KS-07", model(storageUri="oci://registry.example.com/models/iris:1"), None),
    ("KS-08", model(storageUri=None, storageUris=[{"uri": "gs://a/b"}]), None),
    # ModelMesh
    ("MM-01", modelmesh(), mm_env()),
    ("MM-01", modelmesh(format="tensorflow", storageUri=None, storage=ON_PVC), mm_env()),
    ("MM-01", modelmesh(runtime="mlserver-1.x"), mm_env({**MLSERVER, "supportedModelFormats": [{"name": "sklearn", "version": "0"}]})),
    ("MM-01", model(format="onnx"), None),
    ("MM-02", modelmesh(storageUri=None, storage=ON_PVC), mm_env()),
    ("MM-02", modelmesh(storageUri=None, storage={**ON_PVC, "parameters": {"type": "pvc", "name": "team-models"}}), mm_env(allowAnyPVC=True)),
    ("MM-02", modelmesh(storageUri=None, storage={"key": "localMinIO", "path": "sklearn/mnist-svm.joblib"}), mm_env()),
    ("MM-02", model(storageUri="pvc://team-models/model"), None),
    ("MM-03", modelmesh(), mm_env(priority(MLSERVER, 1), priority({**MLSERVER, "name": "mlserver-custom"}, 2))),
    ("MM-03", modelmesh(), mm_env(priority(MLSERVER, 1), priority({**MLSERVER, "name": "sklearn-single"}, 1, multiModel=False))),
    ("MM-03", modelmesh(), mm_env(priority(MLSERVER, 1), priority({**MLSERVER, "name": "mlserver-v1"}, 1, protocolVersions=["v1"]))),
    ("MM-04", modelmesh(), mm_env(mesh={"provider": "asm"}, istio="1.21.6.47", routing=DYNAMIC)),
    ("MM-04", modelmesh(), mm_env(mesh={}, routing={"gateways": ["grpc-gateway"]})),
    ("MM-04", model(), mm_env(mesh={}, routing=DYNAMIC)),
    ("MM-05", modelmesh(), mm_env()),
    ("MM-05", spec(scaling={"minReplicas": 2}), mm_env()),
    ("KS-22", {"metadata": {"annotations": {"serving.kserve.io/enable-tag-routing": "true"}}}, None),
    ("SEC-01", model(env=[{"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "s3", "key": "secret"}}}]), None),
    ("SEC-01", model(env=[{"name": "LOG_LEVEL", "value": "debug"}]), None),
    ("SEC-01", model(args=["--model-store-password-file=/var/run/secrets/pw"]), None),
    ("SEC-02", None, {"spec": {"gitops": {"tool": "argocd", "repoURL": "https://github.com/acme/gitops.git"}}}),
    ("GPU-CLASS", spec(hardware={"gpu": {"class": "t4", "count": 2}}), None),
    ("GPU-01", spec(predictor={"resources": {"requests": {"nvidia.com/gpu": 1}, "limits": {"nvidia.com/gpu": 1}}}), None),
    # scaling
    ("SCALE-01", standard(minReplicas=1, maxReplicas=10, metric="external", target=10, external=SLS_QPS), None),
    ("SCALE-01", standard(metric="cpu", target=70), None),
    ("KS-09", standard(metric="external", target=10, external=PROM_QPS), KEDA_ENV),
    ("KS-09", {**standard(metric="cpu", target=70), "metadata": {"annotations": {"serving.kserve.io/autoscalerClass": "hpa"}}}, None),
    ("KS-09", standard(metric="external", target=10, external=SLS_QPS), kserve("0.12.1")),
    ("VERSION", None, env(versions={"kubernetes": "1.25"})),
    ("VERSION", None, kserve("0.7.0")),
    ("VERSION", None, kserve("v0.20.3")),
    ("KS-24", model(runtime="kserve-sklearnserver"), kserve("0.8.0")),
    ("KS-24", model(format="huggingface"), kserve("0.12.1")),
    ("KS-24", model(storageUri=None, storageUris=[{"uri": "gs://bucket/a"}]), kserve("0.16.0")),
    ("KS-24", None, {"spec": {"versions": {"kserve": "0.10.2"}, "observability": {"prometheus": {"enabled": True}}}}),
    ("KS-24", model(format="sklearn"), kserve("0.7.0")),
    ("KS-25", modelmesh(format="sklearn", storage=ON_PVC), {"spec": {**mm_env(priority(MLSERVER, 2))["spec"], "versions": {"kserve": "0.11.2"}}}),
    ("KS-10", standard(metric="cpu", target=70), None),
    ("KS-10", standard(metric="memory", target=80), None),
    ("KS-10", knative(metric="concurrency", target=5), None),
    ("KS-11", standard(metric="external", target="500m", external=PROM_QPS), KEDA_ENV),
    ("KS-12", knative(metric="rps", target=20), None),
    ("KS-12", knative(metric="cpu", target=70, minReplicas=1), None),
    ("KS-12", standard(metric="external", target=10, external=SLS_QPS), None),
    ("KS-15", standard(minReplicas=0, maxReplicas=3, metric="external", target=5, external=PROM_QPS), KEDA_ENV),
    ("KS-15", knative(minReplicas=0), None),
    ("KS-16", {"metadata": {"annotations": {"autoscaling.knative.dev/window": "120s"}}}, None),
    ("KS-18", spec(predictor={"timeoutSeconds": 300}), None),
    ("KS-18", spec(mode="standard", predictor={"timeoutSeconds": 900}), None),
    ("KS-19", standard(minReplicas=1, maxReplicas=10, metric="external", target=10, external=SLS_QPS), None),
    ("KS-19", {**standard(metric="external", target=10, external=SLS_QPS), "metadata": {"annotations": {"serving.kserve.io/autoscalerClass": "external"}}}, None),
    ("SCALE-02", standard(stabilization={"scaleUpSeconds": 0, "scaleDownSeconds": 300}, metric="cpu", target=70), None),
    ("SCALE-03", {"spec": {**standard(metric="external", target=10, external={"name": "sls_ingress_qps"})["spec"], "exposure": {"ingress": {"className": "nginx"}}}}, None),
    ("EXPOSE-01", spec(mode="standard", exposure={"ingress": {"className": "nginx"}}), None),
    ("LOAD-01", spec(loadTest={"enabled": True, "image": "docker.io/peterevans/vegeta:6.9.1"}), None),
    ("SCALE-04", standard(metric="cpu", target=70, additionalMetrics=[{"metric": "memory", "target": 80}]), None),
    ("EXPOSE-02", spec(mode="standard", exposure={"ingress": {"className": "nginx", "tlsSecretName": "iris-tls"}}), env(production=True)),
    ("EXPOSE-03", spec(mode="standard", exposure={"gatewayApi": {"gateway": "inference"}}), None),
    ("EXPOSE-04", spec(exposure={"internal": True}), None),
    ("KS-26", spec(predictor={"pod": {"affinity": {"nodeAffinity": {}}}}), env(knative={"features": ["kubernetes.podspec-affinity"]})),
    ("SCALE-02", knative(initialScale=0, scaleToZeroRetentionSeconds=60, stabilization={"scaleDownSeconds": 300}), env(knative={"allowZeroInitialScale": True})),
    ("GPU-02", spec(mode="standard", hardware={"gpu": {"class": "t4"}}, scaling={"minReplicas": 0}), None),
    ("GPU-02", spec(hardware={"gpu": {"class": "t4"}}, scaling={"minReplicas": 1}), None),
    # (burst-resource below Kubernetes 1.24 is quiet, but rule VERSION rejects those releases now)
    ("GPU-03", spec(hardware={"gpu": {"class": "t4"}}), None),
    ("GPU-BUDGET", spec(hardware={"gpu": {"class": "t4", "count": 2}}), env(gpuClasses={"t4": {"quota": 6}})),
    ("GPU-BUDGET", spec(hardware={"gpu": {"class": "t4"}}, scaling={"maxReplicas": None}), None),
    # images and delivery
    ("IMG-01", None, {"spec": {"images": {"requireDigests": True, "runtimes": {"kserve-sklearnserver": "kserve/sklearnserver@sha256:" + "a" * 64}}}}),
    ("IMG-01", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("IMG-02", model(format="onnx", protocolVersion="v2"), None),
    ("IMG-02", model(runtime="acme-runtime"), {"spec": {"images": {"runtimes": {"acme-runtime": "ghcr.io/acme/runtime:2"}}}}),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "registry.acme.internal/team/server@sha256:" + "b" * 64}}), None),
    ("KS-23", spec(mode="standard", predictor={"model": None, "container": {"image": "registry.acme.internal/team/server:1"}}), None),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("SMOKE-01", spec(smokeTest={"enabled": True}), {"spec": {"gitops": {"tool": "argocd", "repoURL": "https://github.com/acme/gitops.git"}}}),
    # versions and traffic
    ("KS-13", spec(versions=CANARY), None),
    ("KS-13", spec(mode="standard", canaryStrategy="native", versions=CANARY), KSERVE_020),
    ("KS-14", spec(mode="standard", versions=CANARY), KSERVE_020),
    ("KS-14", spec(mode="standard", canaryStrategy="split", versions=[version("v1", 90), version("v2", 10, container={"image": "ghcr.io/acme/server:1"})]), {"spec": {"mesh": {}, "versions": {"kserve": "0.20.0"}}}),
    ("IS-02", spec(versions=[version("blue", 100), version("green", 0)]), None),
    ("IS-02", spec(versions=[{"name": "v1"}, version("v2", 10)]), None),
    ("IS-03", spec(mode="standard", versions=CANARY), MESH_ENV),
    ("IS-03", spec(versions=[version("v1", 90), version("v2", 10, model={"format": "sklearn", "storageUri": "gs://b/2"}, labels={"inferplane.dev/version": "v1"})]), MESH_ENV),
    ("TRAFFIC-01", spec(versions=CANARY), None),
    ("TRAFFIC-02", spec(mode="standard", versions=CANARY, exposure={"public": True, "timeoutSeconds": 30}), MESH_ENV),
    ("TRAFFIC-02", spec(versions=CANARY, exposure={"public": True, "matchHeaders": [{"name": "x-tenant", "exact": "a"}]}), MESH_ENV),
    ("TRAFFIC-02", spec(mode="standard", versions=CANARY), KSERVE_020),
    ("TRAFFIC-03", spec(exposure={"customDomain": "iris.acme.example"}), None),
    ("TRAFFIC-03", spec(mode="standard", exposure={"public": True, "customDomain": "iris.acme.example"}), MESH_ENV),
    # mesh, gateway and certificates
    ("IS-01", PUBLIC, mesh_env()),
    ("IS-04", spec(access={"allowNamespaces": ["ml-clients"], "allowServiceAccounts": ["ml-batch/scorer"]}), env(mesh={})),
    ("IS-04", spec(mode="standard", access={"mtls": "PERMISSIVE", "jwt": {"issuer": "https://idp.example.com", "jwksUri": "https://idp.example.com/jwks"}}), env(mesh={})),
    ("IS-05", None, env(namespace="knative-serving", mesh={"mtls": "PERMISSIVE"})),
    ("IS-05", spec(access={"mtls": "STRICT"}), env(mesh={})),
    ("IS-06", spec(access={"allowNamespaces": ["ml-clients"]}), env(mesh={})),
    ("IS-06", spec(access=None), None),
    ("CM-01", PUBLIC, mesh_env()),
    ("CM-01", spec(exposure={"public": True, "customDomain": "iris-api.prod.example.com"}), mesh_env({**SELF_SIGNED, "wildcard": True})),
    ("CM-01", PUBLIC, None),
    ("CM-02", PUBLIC, mesh_env({**acme(solver="dns01", dns01=CLOUDFLARE), "wildcard": True})),
    ("CM-02", PUBLIC, mesh_env(acme(solver="http01", ingressClassName="istio"), gateway={"httpsRedirect": False})),
    ("CM-02", PUBLIC, mesh_env({"issuer": {"name": "internal-ca", "type": "ca", "caSecretName": "internal-ca-key-pair"}})),
    ("XREF-01", PUBLIC, mesh_env()),
    ("XREF-01", PUBLIC, mesh_env({"issuer": {"kind": "Issuer", "name": "platform-issuer", "type": "existing"}})),
    # transformer and explainer (tests/test_workload_components.py asserts the exact findings)
    ("COMP-01", spec(transformer=TRANSFORMER), None),
    ("COMP-02", spec(transformer={**TRANSFORMER, "scaling": {"minReplicas": 0, "maxReplicas": 2}}), None),
    ("COMP-03", spec(mode="standard", transformer=TRANSFORMER), None),
    ("COMP-04", spec(transformer=TRANSFORMER, versions=[version("v1", 90), {**version("v2", 10), "transformer": {"container": {"image": "ghcr.io/acme/transformer:2"}}}]), None),
    ("COMP-GPU", spec(explainer={"art": {"type": "SquareAttack"}, "gpu": {"class": "t4", "count": 2}}), None),
    ("LLM-01", llm(), None),
    ("LLM-02", llm(model={"uri": "pvc://models/qwen"}), None),
    ("LLM-03", llm(multiNode=True, parallelism={"data": 2}), None),
    ("LLM-GPU", llm(gpu={"class": "t4", "count": 2}, parallelism={"tensor": 2}), None),
    ("LLM-04", llm(prefill={"gpu": {"class": "t4"}}), None),
    ("LLM-05", llm(scaling={"minReplicas": 1, "maxReplicas": 3, "wva": {"actuator": "keda"}}), None),
    ("GRAPH-01", graph(), None),
    ("GRAPH-02", graph("Splitter", service="iris", weight=100), None),
    ("GRAPH-03", graph(), None),
    ("GRAPH-04", graph("Switch", service="iris", condition="a.#(b==1)"), None),
    ("RAY-01", ray(), None),
    ("RAY-02", ray(head={"resources": {"limits": {"cpu": "2", "memory": "8Gi"}}, "startParams": {"num-cpus": "0"}}), None),
    ("RAY-03", ray(workers=[{"name": "gpu", "maxReplicas": 1, "gpu": {"class": "t4"}}]), None),
    ("RAY-04", ray(workers=[{"name": "cpu", "minReplicas": 1, "maxReplicas": 2}]), None),
    # a root with no steps calls no service (tests/test_workload_graph.py has the rendered ones)
    ("GRAPH-XREF", spec(mode="graph", predictor=None, graph={"nodes": {"root": {"routerType": "Sequence"}}}), None),
]


@pytest.mark.parametrize("rule_id, service_patch, env_patch", FIRING)
def test_rule_fires(rule_id, service_patch, env_patch):
    assert fires(rule_id, service_patch, env_patch)


@pytest.mark.parametrize("rule_id, service_patch, env_patch", QUIET)
def test_rule_stays_quiet(rule_id, service_patch, env_patch):
    assert not fires(rule_id, service_patch, env_patch)


def test_base_service_is_clean():
    assert rule_ids() == set()


def test_every_rule_has_a_firing_and_a_quiet_case():
    ids = {rule.id for rule in all_rules()}
    assert ids <= {case[0] for case in FIRING}
    assert ids <= {case[0] for case in QUIET}


def test_every_rule_documents_itself():
    for rule in all_rules():
        assert len(rule.doc) > 40, rule.id
        assert rule.source, rule.id
