"""validation.kserveCrds: KServe's kinds validated against the CRDs of the environment's own release
only (a folder per tag, or URLs `schemas pull` caches), never against a newer snapshot."""

from __future__ import annotations

from compiler.spec.models import Environment
from compiler.validate import SchemaRegistry, ValidationInput, validate_objects
from compiler.validate.locations import pull_crd_files
from compiler.validate.stage import kserve_crd_sources, kserve_crd_targets
from tests.conftest import SHARED_CRDS
from tests.helpers import BASE_ENV, patched
from tests.test_kserve_matrix import BY_VERSION, needs_versioned_crds

ISVC_WITH_POD_ANNOTATIONS = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceService",
    "metadata": {"name": "iris", "namespace": "ml"},
    "spec": {"predictor": {"annotations": {"a": "b"}, "model": {"modelFormat": {"name": "sklearn"}, "storageUri": "gs://b/m"}}},
}
SERVING_RUNTIME = {"apiVersion": "serving.kserve.io/v1alpha1", "kind": "ServingRuntime", "metadata": {"name": "rt", "namespace": "ml"}, "spec": {"containers": [{"name": "c", "image": "x"}], "supportedModelFormats": [{"name": "sklearn"}]}}


def env_with(**validation) -> Environment:
    return Environment.model_validate(patched(BASE_ENV, {"spec": {"versions": {"kserve": "0.10.2"}, "validation": validation}}))


def issues(registry: SchemaRegistry, body: dict):
    return validate_objects([ValidationInput(body=body, file="x.yaml", document=0)], registry, ignore_missing_schemas=True)


def test_the_template_names_the_releases_tag():
    assert kserve_crd_targets(env_with(kserveCrds=["crds/{{.KServeVersion}}", "https://host/{{.KServeVersion}}/isvc.yaml"])) == ["crds/v0.10.2", "https://host/v0.10.2/isvc.yaml"]


def test_a_missing_source_is_a_notice_and_pins_nothing(tmp_path):
    pinned, notices = kserve_crd_sources(env_with(kserveCrds=["nowhere/{{.KServeVersion}}"]), tmp_path, tmp_path / "cache")
    assert pinned == ()
    assert [(n.rule, n.severity, n.message) for n in notices] == [("VAL-SOURCE", "warning", "KServe CRD source 'nowhere/v0.10.2' does not exist: KServe's kinds are validated against the other CRD sources")]


def test_urls_come_from_the_cache_schemas_pull_fills(tmp_path):
    url = "https://example.invalid/v0.10.2/isvc.yaml"
    env = env_with(kserveCrds=["https://example.invalid/{{.KServeVersion}}/isvc.yaml"])
    assert kserve_crd_sources(env, tmp_path, tmp_path / "cache")[0] == ()
    report = pull_crd_files([url], tmp_path / "cache", fetch=lambda _: b"kind: CustomResourceDefinition\n")
    assert [fetched for fetched, _ in report.fetched] == [url] and report.ok
    [(group, paths)] = kserve_crd_sources(env, tmp_path, tmp_path / "cache")[0]
    assert group == "serving.kserve.io" and paths[0].read_bytes() == b"kind: CustomResourceDefinition\n"


def test_pull_refuses_what_is_not_a_crd(tmp_path):
    report = pull_crd_files(["https://example.invalid/page"], tmp_path, fetch=lambda _: b"<html>")
    assert report.failed == [("https://example.invalid/page", "not a CustomResourceDefinition")]


@needs_versioned_crds
def test_a_pinned_release_rejects_what_only_a_newer_snapshot_has():
    """0.10's InferenceService has no predictor.annotations; KServe main (in ../shared/crds) has."""
    pinned = SchemaRegistry(crd_paths=[SHARED_CRDS], pinned_crds=[("serving.kserve.io", (BY_VERSION / "v0.10.2",))])
    [issue] = issues(pinned, ISVC_WITH_POD_ANNOTATIONS).issues
    assert issue.pointer == "/spec/predictor/annotations" and "unknown field" in issue.message
    assert issues(SchemaRegistry(crd_paths=[SHARED_CRDS]), ISVC_WITH_POD_ANNOTATIONS).issues == []


@needs_versioned_crds
def test_a_kind_the_pinned_release_lacks_has_no_schema_even_if_another_source_has_it():
    pinned = SchemaRegistry(crd_paths=[SHARED_CRDS], pinned_crds=[("serving.kserve.io", (BY_VERSION / "v0.7.0",))])
    report = issues(pinned, SERVING_RUNTIME)
    assert report.missing_schemas == [("serving.kserve.io/v1alpha1", "ServingRuntime")]
    assert pinned.is_pinned("serving.kserve.io/v1alpha1") and not pinned.is_pinned("networking.istio.io/v1")
    assert "do not define it" in pinned.missing_reason("serving.kserve.io/v1alpha1", "ServingRuntime")

