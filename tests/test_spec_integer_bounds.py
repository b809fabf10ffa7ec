"""Spec fields that fill a Go int32/int64 refuse a number past it, at the user's line, in the
validator's words; the largest number that fits passes."""

from __future__ import annotations

import pytest

from compiler.source.resolve import Layer
from compiler.spec.check import check_model
from compiler.spec.models import Environment, ModelService
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

INT32_MAX, INT64_MAX = 2**31 - 1, 2**63 - 1
RUNTIME = {"name": "mlserver-1.x", "image": "seldonio/mlserver:1.5.0", "supportedModelFormats": [{"name": "sklearn"}]}


def _nested(path: tuple, value) -> dict:
    for key in reversed(path):
        value = {key: value}
    return value


def _service(path: tuple, value) -> dict:
    return patched(BASE_SERVICE, _nested(path, value))


def _environment(path: tuple, value) -> dict:
    return patched(BASE_ENV, _nested(path, value))


# (model, document builder, path of the number in the document, Go type, largest value that fits)
FIELDS = [
    (ModelService, _service, ("spec", "scaling", "minReplicas"), "int32", INT32_MAX),
    (ModelService, _service, ("spec", "scaling", "maxReplicas"), "int32", INT32_MAX),
    (ModelService, _service, ("spec", "scaling", "initialScale"), "int32", INT32_MAX),
    (ModelService, _service, ("spec", "scaling", "containerConcurrency"), "int64", INT64_MAX),
    (ModelService, _service, ("spec", "predictor", "timeoutSeconds"), "int64", INT64_MAX),
    (ModelService, _service, ("spec", "predictor", "security", "runAsUser"), "int64", INT64_MAX),
    (ModelService, _service, ("spec", "smokeTest", "timeoutSeconds"), "int64", INT64_MAX),
]


def _check(model, data: dict, file: str):
    return check_model(Layer(data, {}, file), model, model.__name__)


@pytest.mark.parametrize(("model", "build", "path", "go_type", "largest"), FIELDS, ids=["/".join(f[2][1:]) for f in FIELDS])
def test_the_largest_number_of_the_go_type_passes_and_one_more_fails(model, build, path, go_type, largest):
    assert _check(model, build(path, largest), "services/iris.yaml")[1] == []
    _, diagnostics = _check(model, build(path, largest + 1), "services/iris.yaml")
    low = -(2**31) if go_type == "int32" else -(2**63)
    dotted = ".".join(path)
    assert [(d.rule, d.message) for d in diagnostics] == [("SPEC-TYPE", f"{dotted}: must be of type {go_type}: {largest + 1} is not between {low} and {largest}")]


def test_retries_are_an_istio_int32():
    exposure = {"retries": {"attempts": INT32_MAX + 1}}
    _, diagnostics = _check(ModelService, _service(("spec", "exposure"), exposure), "services/iris.yaml")
    assert [d.message for d in diagnostics] == [f"spec.exposure.retries.attempts: must be of type int32: {INT32_MAX + 1} is not between -2147483648 and {INT32_MAX}"]
    assert _check(ModelService, _service(("spec", "exposure"), {"retries": {"attempts": INT32_MAX}}), "services/iris.yaml")[1] == []


@pytest.mark.parametrize(
    ("runtime", "dotted", "go_type", "largest"),
    [
        ({"supportedModelFormats": [{"name": "sklearn", "priority": INT32_MAX + 1}]}, "spec.modelmesh.runtimes[0].supportedModelFormats[0].priority", "int32", INT32_MAX),
        ({"builtInAdapter": {"serverType": "mlserver", "memBufferBytes": INT64_MAX + 1}}, "spec.modelmesh.runtimes[0].builtInAdapter.memBufferBytes", "int64", INT64_MAX),
        ({"builtInAdapter": {"serverType": "mlserver", "modelLoadingTimeoutMillis": INT64_MAX + 1}}, "spec.modelmesh.runtimes[0].builtInAdapter.modelLoadingTimeoutMillis", "int64", INT64_MAX),
    ],
)
def test_serving_runtime_numbers_fit_kserves_types(runtime, dotted, go_type, largest):
    _, diagnostics = _check(Environment, _environment(("spec", "modelmesh"), {"runtimes": [{**RUNTIME, **runtime}]}), "environments/prod.yaml")
    low = -(2**31) if go_type == "int32" else -(2**63)
    assert [d.message for d in diagnostics] == [f"{dotted}: must be of type {go_type}: {largest + 1} is not between {low} and {largest}"]


def test_serving_runtime_replicas_are_a_uint16():
    def errors(replicas: int) -> list[str]:
        return [d.message for d in _check(Environment, _environment(("spec", "modelmesh"), {"runtimes": [{**RUNTIME, "replicas": replicas}]}), "environments/prod.yaml")[1]]

    assert errors(65535) == []
    assert errors(65536) == ["spec.modelmesh.runtimes[0].replicas: input should be less than or equal to 65535"]


def test_toleration_seconds_are_an_int64():
    gpu = {"t4": {"resource": "nvidia.com/gpu", "tolerations": [{"key": "gpu", "operator": "Exists", "tolerationSeconds": INT64_MAX + 1}]}}
    _, diagnostics = _check(Environment, _environment(("spec", "gpuClasses"), gpu), "environments/prod.yaml")
    assert [d.message for d in diagnostics] == [f"spec.gpuClasses.t4.tolerations[0].tolerationSeconds: must be of type int64: {INT64_MAX + 1} is not between -9223372036854775808 and {INT64_MAX}"]


def test_a_bound_of_the_spec_itself_keeps_its_own_words():
    """containerPort's 65535 is a port's limit, not a Go type's: pydantic's message stays."""
    container = {"container": {"image": "ghcr.io/acme/ranker:2.3.1", "ports": [{"containerPort": 65536}]}}
    _, diagnostics = _check(ModelService, _service(("spec", "predictor"), container), "services/ranker.yaml")
    assert [d.message for d in diagnostics] == ["spec.predictor.container.ports[0].containerPort: input should be less than or equal to 65535"]
