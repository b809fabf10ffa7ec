"""Patches in overlays/<env>/patches: JSON Patch and merge patch on rendered manifests."""

from pathlib import Path

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.output.patch import apply_patches


def isvc(name: str = "iris") -> Manifest:
    body = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": name, "namespace": "models"},
        "spec": {"predictor": {"minReplicas": 1, "model": {"env": [{"name": "A", "value": "1"}]}}},
    }
    return Manifest(body, service=name, origins={"/spec/predictor/minReplicas": Location("services/iris.yaml", 9, 5)})


def patch_file(tmp_path: Path, text: str) -> list[Path]:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    return [path]


def test_json_patch_changes_only_the_target(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService, name: iris}\npatch:\n  - {op: replace, path: /spec/predictor/minReplicas, value: 2}\n")
    [patched, other], diagnostics = apply_patches([isvc(), isvc("other")], files)
    assert diagnostics == []
    assert patched.body["spec"]["predictor"]["minReplicas"] == 2
    assert other.body["spec"]["predictor"]["minReplicas"] == 1


def test_patched_pointer_is_located_at_the_operation(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService}\npatch:\n  - {op: replace, path: /spec/predictor/minReplicas, value: 2}\n")
    [patched], _ = apply_patches([isvc()], files)
    assert patched.origin_of("/spec/predictor/minReplicas").line == 3


def test_merge_patch_merges_named_lists_by_name(tmp_path):
    text = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: iris}\nspec:\n  predictor:\n    model:\n      env:\n      - {name: B, value: '2'}\n"
    [patched], diagnostics = apply_patches([isvc()], patch_file(tmp_path, text))
    assert diagnostics == []
    assert patched.body["spec"]["predictor"]["model"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert patched.origin_of("/spec/predictor/model/env").path.endswith("p.yaml")


def test_merge_patch_null_deletes(tmp_path):
    text = "kind: InferenceService\nmetadata: {name: iris}\nspec: {predictor: {minReplicas: null}}\n"
    [patched], _ = apply_patches([isvc()], patch_file(tmp_path, text))
    assert "minReplicas" not in patched.body["spec"]["predictor"]


def test_target_matching_nothing_is_an_error_and_changes_nothing(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService, name: irsi}\npatch: [{op: remove, path: /spec}]\n")
    [unchanged], diagnostics = apply_patches([isvc()], files)
    assert [d.rule for d in diagnostics] == ["PATCH-TARGET"]
    assert "spec" in unchanged.body


def test_operation_that_does_not_apply_is_located(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService}\npatch:\n  - {op: remove, path: /spec/predictor/nodeName}\n")
    _, diagnostics = apply_patches([isvc()], files)
    assert [(d.rule, d.location.line) for d in diagnostics] == [("PATCH-APPLY", 2)]


def test_malformed_patches_are_reported(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService, colour: red}\npatch: []\n---\nspec: {}\n---\n- just a list\n")
    _, diagnostics = apply_patches([isvc()], files)
    assert [d.rule for d in diagnostics] == ["PATCH-SHAPE", "PATCH-SHAPE", "PATCH-SHAPE"]
