"""Formats inside `compile` (fail closed): a rendered number past its Go type is an error at the
spec field that produced it, or at the patch that set it; nothing is written."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import CompileOptions, compile_project
from compiler.validate.stage import SchemaRegistryCache, validate_manifests
from tests.conftest import SHARED_CRDS, needs_shared
from tests.project import compile_env, environment, service, write_project

PREDICTOR = {"model": {"format": "sklearn", "storageUri": "gs://bucket/model"}}
WITH_CRDS = CompileOptions(crd_paths=(SHARED_CRDS,))


def _project(root: Path, max_replicas: int, patch: str | None = None) -> Path:
    write_project(root, [service("iris", PREDICTOR, scaling={"minReplicas": 1, "maxReplicas": max_replicas})], [environment("prod")])
    if patch is not None:
        (root / "overlays" / "prod" / "patches").mkdir(parents=True)
        (root / "overlays" / "prod" / "patches" / "replicas.yaml").write_text(patch, encoding="utf-8")
    return root


def _text_at(location) -> str:
    return Path(location.path).read_text(encoding="utf-8").splitlines()[location.line - 1][location.column - 1 :]


@needs_shared
def test_a_rendered_max_replicas_past_int32_is_located_at_the_spec_field(tmp_path, monkeypatch):
    """The spec check refuses such a number first; were one to reach the output anyway (a new
    emitter, a default), validation names the same line through the manifest's origins."""
    root = _project(tmp_path, 5)
    monkeypatch.chdir(root)  # locations are shown relative to the working directory
    compiled = compile_env(root, "prod")
    [isvc] = [m for m in compiled.synced if m.body["kind"] == "InferenceService"]
    isvc.body["spec"]["predictor"]["maxReplicas"] = 2**31
    [diagnostic] = validate_manifests([isvc], compiled.environment, root / "environments", WITH_CRDS, SchemaRegistryCache())
    assert diagnostic.rule == "VAL-SCHEMA"
    assert diagnostic.message == "InferenceService ml-prod/iris: /spec/predictor/maxReplicas: must be of type int32: 2147483648 is not between -2147483648 and 2147483647"
    assert diagnostic.location.path == "services/iris.yaml" and _text_at(diagnostic.location).startswith("maxReplicas: 5")


PATCH = "target: {kind: InferenceService, name: iris}\npatch:\n  - {op: replace, path: /spec/predictor/maxReplicas, value: %d}\n"


@needs_shared
def test_a_patch_past_int32_fails_at_the_patch_and_the_edge_compiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fits = compile_project(_project(tmp_path / "fits", 5, PATCH % (2**31 - 1)), ["prod"], WITH_CRDS).environments[0]
    assert [d.format() for d in fits.diagnostics if d.severity == "error"] == []
    assert b"maxReplicas: 2147483647" in fits.files["ml-prod/inferenceservice-iris.yaml"]

    past = compile_project(_project(tmp_path / "past", 5, PATCH % 2**31), ["prod"], WITH_CRDS).environments[0]
    assert [d.format() for d in past.diagnostics if d.severity == "error"] == [
        "past/overlays/prod/patches/replicas.yaml:3:19: error[VAL-SCHEMA]: InferenceService ml-prod/iris: /spec/predictor/maxReplicas: "
        "must be of type int32: 2147483648 is not between -2147483648 and 2147483647 — the API server would reject this object; "
        "fix the spec field that produced it (or the overlay patch)"
    ]
