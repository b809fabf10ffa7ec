"""kubeconform-style schema locations: template expansion, folders, the URL cache and pull_schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.validate import SchemaRegistry, ValidationInput, pull_schemas, validate_objects
from compiler.validate.cache import DiskCache
from compiler.validate.locations import DEFAULT_LOCATION, SchemaLocation, expand, normalize_location
from tests.conftest import SHARED, needs_shared

CATALOG = SHARED / "schemas-catalog"
CATALOG_TEMPLATE = str(CATALOG) + "/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
KJS = "https://kubernetesjsonschema.dev/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"

ISVC = {
    "apiVersion": "serving.kserve.io/v1beta1",
    "kind": "InferenceService",
    "metadata": {"name": "iris", "namespace": "ml"},
    "spec": {"predictor": {"sklearn": {"storageUri": "gs://b/m"}}},
}


# kubeconform's own registry_test cases, plus {{.Group}} and two-part versions.
@pytest.mark.parametrize(
    ("template", "kind", "api_version", "version", "expected"),
    [
        (KJS, "Deployment", "apps/v1", "1.16.0", "https://kubernetesjsonschema.dev/v1.16.0-standalone-strict/deployment-apps-v1.json"),
        (KJS, "Service", "v1", "1.18.0", "https://kubernetesjsonschema.dev/v1.18.0-standalone-strict/service-v1.json"),
        (KJS, "Service", "v1", "master", "https://kubernetesjsonschema.dev/master-standalone-strict/service-v1.json"),
        (KJS, "Ingress", "networking.k8s.io/v1", "1.33", "https://kubernetesjsonschema.dev/v1.33.0-standalone-strict/ingress-networking-v1.json"),
        ("/s/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json", "InferenceService", "serving.kserve.io/v1beta1", "1.33", "/s/serving.kserve.io/inferenceservice_v1beta1.json"),
        ("/s/{{.Group}}/{{.ResourceKind}}.json", "ConfigMap", "v1", "1.33", "/s/v1/configmap.json"),
    ],
)
def test_expand_matches_kubeconform(template, kind, api_version, version, expected):
    assert expand(template, api_version, kind, version) == expected


def test_default_and_folder_shorthands():
    assert normalize_location("default") == DEFAULT_LOCATION
    assert normalize_location("/schemas/") == "/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
    assert normalize_location("/x/{{.Group}}.json") == "/x/{{.Group}}.json"


@pytest.mark.parametrize("template", ["/x/{{.Nope}}.json", "/x/{{ .Group | lower }}.json", "/x/{{if .Group}}a{{end}}.json"])
def test_bad_templates_fail_when_the_registry_is_built(template):
    with pytest.raises(ValueError, match="schema location"):
        SchemaLocation.parse(template)


@needs_shared
def test_catalog_folder_template_validates_custom_resources():
    registry = SchemaRegistry("1.33", schema_locations=[CATALOG_TEMPLATE])
    assert registry.lookup("serving.kserve.io/v1beta1", "InferenceService").source.endswith("inferenceservice_v1beta1.json")
    assert validate_objects([ValidationInput(ISVC, "x.yaml")], registry).issues == []
    bad = json.loads(json.dumps(ISVC))
    bad["spec"]["predictor"]["sklearn"]["storageUrl"] = "gs://b/m"
    bad["surprise"] = True  # the catalog leaves the root open; we close it
    report = validate_objects([ValidationInput(bad, "x.yaml")], registry)
    assert [issue.pointer for issue in report.issues] == ["/spec/predictor/sklearn/storageUrl", "/surprise"]


@needs_shared
def test_crd_files_win_over_locations_and_locations_over_core(tmp_path: Path):
    (tmp_path / "v1").mkdir()
    (tmp_path / "v1" / "configmap.json").write_text(json.dumps({"type": "object", "properties": {"data": {"type": "string"}}}))
    registry = SchemaRegistry("1.33", crd_paths=[SHARED / "crds" / "kserve"], schema_locations=[CATALOG_TEMPLATE, str(tmp_path) + "/{{.Group}}/{{.ResourceKind}}.json"])
    assert registry.lookup("serving.kserve.io/v1beta1", "InferenceService").source.startswith("CRD ")
    assert registry.lookup("networking.istio.io/v1", "VirtualService").source.endswith("virtualservice_v1.json")
    assert registry.lookup("v1", "ConfigMap").source.endswith("configmap.json")
    assert registry.lookup("apps/v1", "Deployment").source.startswith("kubernetes-validate")


def test_url_locations_read_only_the_cache(tmp_path: Path):
    template = "https://schemas.example.com/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    registry = SchemaRegistry("1.33", schema_locations=[template], cache_dir=tmp_path)
    assert registry.lookup("example.com/v1", "Gadget") is None  # never fetched (the test forbids network)
    assert "schemas pull" in registry.missing_reason("example.com/v1", "Gadget")


def test_pull_then_validate_offline(tmp_path: Path):
    template = "https://schemas.example.com/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    gadget = {"type": "object", "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"}, "spec": {"type": "object", "properties": {"size": {"type": "integer"}}, "additionalProperties": False}}}
    served = {"https://schemas.example.com/example.com/gadget_v1.json": json.dumps(gadget).encode()}
    fetched: list[str] = []

    def fake_fetch(url: str) -> bytes | None:
        fetched.append(url)
        return served.get(url)

    report = pull_schemas([template], [("example.com/v1", "Gadget"), ("example.com/v1", "Nothing")], tmp_path, "1.33", fetch=fake_fetch)
    assert [url for url, _ in report.fetched] == ["https://schemas.example.com/example.com/gadget_v1.json"]
    assert report.not_found == [("example.com/v1", "Nothing")] and report.ok
    # Blobs are keyed by content hash.
    digest = report.fetched[0][1]
    assert (tmp_path / "schemas" / "blobs" / f"{digest}.json").is_file()

    again = pull_schemas([template], [("example.com/v1", "Gadget")], tmp_path, "1.33", fetch=fake_fetch)
    assert again.cached and not again.fetched and len(fetched) == 2  # the second pull downloads nothing

    registry = SchemaRegistry("1.33", schema_locations=[template], cache_dir=tmp_path)
    good = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g"}, "spec": {"size": 1}}
    bad = {**good, "spec": {"size": "big"}}
    report = validate_objects([ValidationInput(good, "g.yaml"), ValidationInput(bad, "g.yaml", 1)], registry)
    assert [(i.document, i.pointer) for i in report.issues] == [(1, "/spec/size")]


def test_corrupted_cache_blob_is_ignored(tmp_path: Path):
    cache = DiskCache(tmp_path)
    digest = cache.store_schema("https://x/a.json", b'{"type": "object"}')
    (tmp_path / "schemas" / "blobs" / f"{digest}.json").write_bytes(b'{"type": "string"}')
    assert cache.read_schema("https://x/a.json") is None


def test_pull_reports_transport_failures(tmp_path: Path):
    def broken(url: str) -> bytes | None:
        raise OSError("connection refused")

    report = pull_schemas(["https://x/{{.ResourceKind}}.json"], [("v1", "Pod")], tmp_path, fetch=broken)
    assert not report.ok and report.failed[0][0] == "https://x/pod.json" and report.not_found == []


def test_a_planted_url_reference_is_not_a_pulled_schema(tmp_path: Path):
    """A pull request can commit .inferplane-cache/: a reference this machine did not sign, to a
    blob whose hash matches itself, must not become the schema the PR's manifests are judged by."""
    import hashlib

    permissive = b'{"type": "object"}'
    digest = hashlib.sha256(permissive).hexdigest()
    url = "https://x/gadget.json"
    (tmp_path / "schemas" / "blobs").mkdir(parents=True)
    (tmp_path / "schemas" / "blobs" / f"{digest}.json").write_bytes(permissive)
    ref = tmp_path / "schemas" / "by-url" / hashlib.sha256(url.encode()).hexdigest()
    ref.parent.mkdir(parents=True)
    ref.write_text(f"{digest} {url}\n")  # the unsigned format a cache without signatures trusted
    cache = DiskCache(tmp_path)
    assert (cache.has_schema(url), cache.read_schema(url), cache.schema_file(url)) == (False, None, None)

    cache.store_schema(url, permissive)  # pulled on this machine: signed, trusted
    assert cache.has_schema(url) and cache.read_schema(url) == permissive
    ref.write_bytes(b"0" * 64 + b"\n" + f"{digest} {url}\n".encode())  # a forged signature
    assert (cache.has_schema(url), cache.read_schema(url)) == (False, None)


def test_a_reference_signed_for_another_url_is_not_used(tmp_path: Path):
    import hashlib
    import shutil

    cache = DiskCache(tmp_path)
    cache.store_schema("https://x/a.json", b'{"type": "object"}')
    refs = tmp_path / "schemas" / "by-url"
    other = "https://x/b.json"
    shutil.copy(refs / hashlib.sha256(b"https://x/a.json").hexdigest(), refs / hashlib.sha256(other.encode()).hexdigest())
    assert cache.read_schema(other) is None and cache.read_schema("https://x/a.json") == b'{"type": "object"}'
