"""Which runtime image KServe runs for a model, per KServe's selection (compiler/plan/kserve_runtimes.py)."""

import pytest

from compiler.plan.kserve_runtimes import default_runtimes, runtime_from_body, runtime_image, select_runtime

V15, V16 = (0, 15, 2), (0, 16, 0)
GPU = {"limits": {"nvidia.com/gpu": 1}}


def image_for(model: dict, version=V16, extra=(), overrides=None) -> str | None:
    runtimes = list(extra) + list(default_runtimes(version, overrides))
    runtime = select_runtime(model, "ml", runtimes)
    return runtime_image(runtime, model) if runtime else None


@pytest.mark.parametrize(
    "model, version, image",
    [
        ({"modelFormat": {"name": "sklearn"}}, V15, "kserve/sklearnserver:v0.15.2"),
        ({"modelFormat": {"name": "sklearn"}, "protocolVersion": "v2"}, V16, "docker.io/seldonio/mlserver:1.5.0"),  # mlserver's priority 2 wins
        ({"modelFormat": {"name": "xgboost"}}, V16, "kserve/xgbserver:v0.16.0"),
        ({"modelFormat": {"name": "lightgbm"}}, V16, "kserve/lgbserver:v0.16.0"),
        ({"modelFormat": {"name": "tensorflow"}}, V15, "tensorflow/serving:2.6.2"),
        ({"modelFormat": {"name": "tensorflow"}, "resources": GPU}, V15, "docker.io/tensorflow/serving:2.6.2-gpu"),
        ({"modelFormat": {"name": "tensorflow"}, "runtimeVersion": "1.15.0-gpu", "resources": GPU}, V15, "docker.io/tensorflow/serving:1.15.0-gpu"),
        ({"modelFormat": {"name": "pytorch"}}, V16, "pytorch/torchserve-kfs:0.9.0"),
        ({"modelFormat": {"name": "onnx"}, "protocolVersion": "v2"}, V16, "nvcr.io/nvidia/tritonserver:23.05-py3"),
        ({"modelFormat": {"name": "triton"}}, V16, "nvcr.io/nvidia/tritonserver:23.05-py3"),  # the webhook defaults triton to v2
        ({"modelFormat": {"name": "huggingface"}}, V16, "kserve/huggingfaceserver:v0.16.0"),
        ({"modelFormat": {"name": "pytorch"}, "runtime": "kserve-tritonserver"}, V16, "nvcr.io/nvidia/tritonserver:23.05-py3"),
        ({"modelFormat": {"name": "sklearn"}}, (0, 13, 1), "kserve/sklearnserver:v0.13.1"),
    ],
)
def test_default_runtime_images(model, version, image):
    assert image_for(model, version) == image


@pytest.mark.parametrize(
    "model",
    [
        {"modelFormat": {"name": "onnx"}},  # Triton speaks v2 only: no runtime for v1
        {"modelFormat": {"name": "sklearn", "version": "2"}},
        {"modelFormat": {"name": "sklearn"}, "runtime": "not-installed"},
    ],
)
def test_no_runtime_qualifies(model):
    assert image_for(model) is None


def test_environment_overrides_a_default_runtime_image():
    pinned = "kserve/sklearnserver@sha256:" + "c" * 64
    assert image_for({"modelFormat": {"name": "sklearn"}}, overrides={"kserve-sklearnserver": pinned}) == pinned


def test_a_rendered_namespace_runtime_comes_before_cluster_runtimes():
    body = {
        "apiVersion": "serving.kserve.io/v1alpha1",
        "kind": "ServingRuntime",
        "metadata": {"name": "acme-sklearn", "namespace": "ml"},
        "spec": {
            "supportedModelFormats": [{"name": "sklearn", "version": "1", "autoSelect": True}],
            "protocolVersions": ["v1"],
            "containers": [{"name": "kserve-container", "image": "ghcr.io/acme/sklearn:3"}],
        },
    }
    runtime = runtime_from_body(body)
    assert image_for({"modelFormat": {"name": "sklearn"}}, extra=[runtime]) == "ghcr.io/acme/sklearn:3"
    disabled = runtime_from_body({**body, "spec": {**body["spec"], "disabled": True}})
    assert image_for({"modelFormat": {"name": "sklearn"}}, extra=[disabled]) == "kserve/sklearnserver:v0.16.0"


def test_the_runtimes_follow_the_kserve_release():
    """No ClusterServingRuntimes before v0.8 (the images came from inferenceservice-config), and
    the Hugging Face server from v0.12."""
    from compiler.plan.kserve_runtimes import default_runtimes

    old = {runtime.name: runtime for runtime in default_runtimes((0, 7, 0))}
    assert "kserve-huggingfaceserver" not in old
    assert old["kserve-sklearnserver"].source == "KServe v0.7.0 inferenceservice-config predictor image (no ServingRuntimes before v0.8)"
    assert "kserve-huggingfaceserver" not in {runtime.name for runtime in default_runtimes((0, 11, 2))}
    current = {runtime.name: runtime for runtime in default_runtimes((0, 12, 1))}
    assert current["kserve-huggingfaceserver"].source == "KServe v0.12.1 default ClusterServingRuntime"
