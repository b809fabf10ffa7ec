"""Compile's validation: output errors are traced back to the spec field that produced them."""

from pathlib import Path

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.pipeline import CompileOptions
from compiler.spec.models import Environment
from compiler.validate.stage import SchemaRegistryCache, validate_manifests
from tests.conftest import SHARED_CRDS, needs_shared
from tests.helpers import BASE_ENV

SPEC_FIELD = Location("services/iris.yaml", 12, 7)


def isvc(predictor: dict) -> Manifest:
    body = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "iris", "namespace": "ml-prod"},
        "spec": {"predictor": predictor},
    }
    return Manifest(body, service="iris", origins={"/spec/predictor/model": SPEC_FIELD})


def run(manifests, options=CompileOptions()):
    env = Environment.model_validate(BASE_ENV)
    return validate_manifests(manifests, env, Path("environments"), options, SchemaRegistryCache())


@needs_shared
def test_schema_error_is_located_at_the_spec_field_that_produced_it():
    bad = isvc({"model": {"modelFormat": {"name": "sklearn"}, "storageUrl": "gs://x"}})
    [diagnostic] = run([bad], CompileOptions(crd_paths=(SHARED_CRDS,)))
    assert diagnostic.rule == "VAL-SCHEMA"
    assert diagnostic.location == SPEC_FIELD
    assert "/spec/predictor/model/storageUrl" in diagnostic.message and "storageUri" in diagnostic.message


@needs_shared
def test_valid_manifest_gives_nothing():
    assert run([isvc({"model": {"modelFormat": {"name": "sklearn"}, "storageUri": "gs://x"}})], CompileOptions(crd_paths=(SHARED_CRDS,))) == []


def test_without_a_schema_source_the_kind_is_noticed_once_or_refused_with_strict():
    manifests = [isvc({"model": {"modelFormat": {"name": "sklearn"}}}), isvc({})]
    [notice] = run(manifests)
    assert (notice.rule, notice.severity) == ("VAL-NO-SCHEMA", "warning")
    [refusal] = run(manifests, CompileOptions(strict=True))
    assert refusal.severity == "error"
