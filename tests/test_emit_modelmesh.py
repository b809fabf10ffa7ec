"""ModelMesh emitters: the model's InferenceService, the environment's ServingRuntimes, and the
route to modelmesh-serving (ASM dynamic subsets in the seed's exact shape, or a plain route)."""

from __future__ import annotations

import pytest

from compiler.emit import emit_all, kserve, modelmesh, modelmesh_routing
from compiler.spec.models import Environment
from tests.helpers import patched, plan_of
from tests.conftest import SHARED_CRDS, needs_shared

# The ModelMesh seed (../shared/seeds/001_*.txt), transcribed: tf-mnist's InferenceService spec,
# and the spec of the DestinationRule and VirtualService of step 3.
SEED_TF_MNIST_SPEC = {"predictor": {"model": {"modelFormat": {"name": "tensorflow"}, "storage": {"parameters": {"type": "pvc", "name": "my-models-pvc"}, "path": "mnist"}}}}
SEED_DESTINATION_RULE_SPEC = {
    "host": "modelmesh-serving",
    "trafficPolicy": {"loadBalancer": {"dynamicSubset": {"subsetSelectors": [{"fallbackPolicy": "ANY_ENDPOINT", "keys": ["modelmesh.asm.alibabacloud.com"]}]}}},
}
SEED_VIRTUAL_SERVICE_SPEC = {
    "gateways": ["grpc-gateway"],
    "hosts": ["*"],
    "http": [
        {
            "headerToDynamicSubsetKey": [{"header": "model", "key": "modelmesh.asm.alibabacloud.com"}],
            "match": [{"port": 8008}],
            "name": "default",
            "route": [{"destination": {"host": "modelmesh-serving", "port": {"number": 8033}}}],
        }
    ],
}

TRITON = {
    "name": "triton-2.x",
    "image": "nvcr.io/nvidia/tritonserver:23.03-py3",
    "supportedModelFormats": [{"name": "tensorflow", "version": "2", "autoSelect": True}],
    "builtInAdapter": {"serverType": "triton", "runtimeManagementPort": 8001, "memBufferBytes": 134217728, "modelLoadingTimeoutMillis": 90000},
}
MLSERVER = {"name": "mlserver-1.x", "image": "docker.io/seldonio/mlserver:1.5.0", "supportedModelFormats": [{"name": "sklearn", "version": "0", "autoSelect": True}], "replicas": 2}
ROUTING = {"gateways": ["grpc-gateway"], "hosts": ["*"], "port": 8008, "dynamicSubset": {"header": "model", "fallbackPolicy": "ANY_ENDPOINT"}}
ASM = {"spec": {"namespace": "modelmesh-serving", "versions": {"istio": "1.21.6.47"}, "mesh": {"provider": "asm"}, "modelmesh": {"runtimes": [TRITON, MLSERVER], "pvcs": ["my-models-pvc"], "routing": ROUTING}}}
ISTIO = patched(ASM, {"spec": {"mesh": {"provider": "istio"}, "modelmesh": {"routing": {"dynamicSubset": None}}}})
TF_MNIST = {
    "metadata": {"name": "tf-mnist"},
    "spec": {"mode": "modelmesh", "scaling": None, "predictor": {"model": {"format": "tensorflow", "storageUri": None, "storage": {"parameters": {"type": "pvc", "name": "my-models-pvc"}, "path": "mnist"}}}},
}


def environment(patch: dict) -> Environment:
    from tests.helpers import BASE_ENV

    return Environment.model_validate(patched(BASE_ENV, patch))


def by_kind(manifests) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for manifest in manifests:
        found.setdefault(manifest.kind, []).append(manifest.body)
    return found


# ---------------------------------------------------------------- the model


def test_inference_service_is_the_seeds_tf_mnist():
    isvc = modelmesh.inference_service(plan_of(TF_MNIST, ASM)).body
    assert isvc["spec"] == SEED_TF_MNIST_SPEC
    assert isvc["metadata"]["annotations"] == {"serving.kserve.io/deploymentMode": "ModelMesh"}
    assert isvc["metadata"]["namespace"] == "modelmesh-serving"


def test_inference_service_keeps_a_named_runtime_and_a_storage_uri():
    service = patched(TF_MNIST, {"spec": {"predictor": {"model": {"runtime": "triton-2.x", "formatVersion": "2", "storage": None, "storageUri": "pvc://my-models-pvc/mnist"}}}})
    model = modelmesh.inference_service(plan_of(service, ASM)).body["spec"]["predictor"]["model"]
    assert model == {"modelFormat": {"name": "tensorflow", "version": "2"}, "runtime": "triton-2.x", "storageUri": "pvc://my-models-pvc/mnist"}


def test_a_modelmesh_plan_has_no_pods_of_its_own():
    plan = plan_of(TF_MNIST, ASM)
    assert plan.deployment_mode == "ModelMesh"
    assert (plan.gpu, plan.metrics, plan.security_context, plan.resources, plan.spread) == (None, None, None, {}, False)
    assert plan.autoscaler.owner == "modelmesh-runtime" and plan.autoscaler.autoscaler_class is None
    assert kserve.emit(plan, environment(ASM)) == []


def test_a_modelmesh_model_yields_its_inference_service_only():
    manifests = emit_all([plan_of(TF_MNIST, ASM)], environment(ASM))
    # No HPA, PDB, monitor, smoke test or access policy: those need pods of the model's own.
    assert [(m.kind, m.name) for m in manifests if m.service == "tf-mnist"] == [("InferenceService", "tf-mnist")]
    assert {"DestinationRule", "ServingRuntime", "VirtualService"} <= set(by_kind(manifests))


def test_serving_runtime_is_multi_model_with_its_formats_and_adapter():
    env = environment(ASM)
    runtime = modelmesh.serving_runtime(env.spec.modelmesh.runtimes[0], env).body
    assert runtime["apiVersion"] == "serving.kserve.io/v1alpha1" and runtime["kind"] == "ServingRuntime"
    assert runtime["metadata"]["namespace"] == "modelmesh-serving"
    spec = runtime["spec"]
    assert spec["multiModel"] is True
    assert spec["supportedModelFormats"] == [{"name": "tensorflow", "version": "2", "autoSelect": True}]
    assert (spec["grpcEndpoint"], spec["grpcDataEndpoint"], spec["protocolVersions"]) == ("port:8085", "port:8001", ["grpc-v2"])
    assert spec["builtInAdapter"] == {"serverType": "triton", "runtimeManagementPort": 8001, "memBufferBytes": 134217728, "modelLoadingTimeoutMillis": 90000}
    # The server container is named after the adapter's server type, as in ModelMesh's runtimes.
    assert spec["containers"] == [{"name": "triton", "image": "nvcr.io/nvidia/tritonserver:23.03-py3"}]
    assert "replicas" not in spec  # podsPerRuntime of model-serving-config decides


def test_runtime_replicas_override_pods_per_runtime():
    env = environment(ASM)
    spec = modelmesh.serving_runtime(env.spec.modelmesh.runtimes[1], env).body["spec"]
    assert spec["replicas"] == 2
    assert spec["containers"][0]["name"] == "kserve-container"  # no built-in adapter


def test_runtimes_are_rendered_without_models_and_routes_are_not():
    kinds = by_kind(emit_all([], environment(ASM)))
    assert [runtime["metadata"]["name"] for runtime in kinds["ServingRuntime"]] == ["triton-2.x", "mlserver-1.x"]
    assert "DestinationRule" not in kinds and "VirtualService" not in kinds


@needs_shared
def test_runtimes_and_model_validate_against_kserve_crds():
    from compiler.validate import SchemaRegistry, ValidationInput, validate_objects

    manifests = emit_all([plan_of(TF_MNIST, ASM)], environment(ASM))
    bodies = [m.body for m in manifests if m.kind in ("ServingRuntime", "InferenceService")]
    registry = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "kserve"])
    report = validate_objects([ValidationInput(body, f"{index}.yaml") for index, body in enumerate(bodies)], registry)
    assert report.issues == [] and len(bodies) == 3


# ---------------------------------------------------------------- the route


def test_asm_route_is_the_seeds_destination_rule_and_virtual_service():
    kinds = by_kind(modelmesh_routing.emit([plan_of(TF_MNIST, ASM)], environment(ASM)))
    (rule,), (service,) = kinds["DestinationRule"], kinds["VirtualService"]
    assert rule["spec"] == SEED_DESTINATION_RULE_SPEC
    assert service["spec"] == SEED_VIRTUAL_SERVICE_SPEC
    assert rule["apiVersion"] == service["apiVersion"] == "networking.istio.io/v1beta1"
    # Not the names of per-service routes (named after services and versions).
    assert (rule["metadata"]["name"], service["metadata"]["name"]) == ("modelmesh-serving-dynamic-subset", "modelmesh-serving-gateway")
    # grpc-gateway comes with ASM's ModelMesh setup, not from the rendered tree.
    assert service["metadata"]["annotations"] == {"inferplane.dev/external-references": "Gateway modelmesh-serving/grpc-gateway"}


def test_upstream_istio_gets_a_plain_route_without_asm_fields():
    kinds = by_kind(modelmesh_routing.emit([plan_of(TF_MNIST, ISTIO)], environment(ISTIO)))
    assert sorted(kinds) == ["VirtualService"]
    (route,) = kinds["VirtualService"][0]["spec"]["http"]
    assert "headerToDynamicSubsetKey" not in route
    assert route["route"] == SEED_VIRTUAL_SERVICE_SPEC["http"][0]["route"]


@pytest.mark.parametrize("patch", [{"spec": {"modelmesh": {"routing": None}}}, {"spec": {"mesh": None}}])
def test_no_route_without_routing_or_mesh(patch):
    env_patch = patched(ASM, patch)
    assert modelmesh_routing.emit([plan_of(TF_MNIST, env_patch)], environment(env_patch)) == []


def test_no_route_without_modelmesh_models():
    assert modelmesh_routing.emit([plan_of(None, ASM)], environment(ASM)) == []


def test_route_to_the_rest_port():
    env_patch = patched(ASM, {"spec": {"modelmesh": {"routing": {"servicePort": 8008}}}})
    service = by_kind(modelmesh_routing.emit([plan_of(TF_MNIST, env_patch)], environment(env_patch)))["VirtualService"][0]
    assert service["spec"]["http"][0]["route"][0]["destination"]["port"] == {"number": 8008}


@needs_shared
def test_plain_route_validates_against_upstream_istio():
    from compiler.validate import SchemaRegistry, ValidationInput, validate_objects

    manifests = modelmesh_routing.emit([plan_of(TF_MNIST, ISTIO)], environment(ISTIO))
    registry = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "istio"])
    assert validate_objects([ValidationInput(m.body, "vs.yaml") for m in manifests], registry).issues == []
