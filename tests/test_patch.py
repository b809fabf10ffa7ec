"""Patches in overlays/<env>/patches: JSON Patch and merge patch on rendered manifests."""

from pathlib import Path

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.output.patch import apply_patches
from compiler.source.load import display_path


def isvc(name: str = "iris") -> Manifest:
    body = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": name, "namespace": "models"},
        "spec": {"predictor": {"minReplicas": 1, "model": {"env": [{"name": "A", "value": "1"}]}}},
    }
    return Manifest(body, service=name, origins={"/spec/predictor/minReplicas": Location("services/iris.yaml", 9, 5)})


def files_shown(tmp_path: Path) -> str:
    """The patch file's name as diagnostics show it."""
    return display_path(tmp_path / "p.yaml")


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
    files = patch_file(tmp_path, text)
    [patched], diagnostics = apply_patches([isvc()], files)
    assert diagnostics == []
    assert patched.body["spec"]["predictor"]["model"]["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    # The new item B (appended at index 1) is the patch's line 8; item A is still the spec's.
    assert patched.origin_of("/spec/predictor/model/env/1") == Location(files_shown(tmp_path), 8, 9)
    assert patched.origin_of("/spec/predictor/model/env/0") is None


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
    # At the operation (line 3), not at `patch:` (line 2).
    assert [(d.rule, str(d.location), d.message) for d in diagnostics] == [
        ("PATCH-APPLY", f"{files_shown(tmp_path)}:3:5", "remove /spec/predictor/nodeName does not apply to InferenceService models/iris: can't remove a non-existent object 'nodeName'")
    ]


def test_malformed_patches_are_reported(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService, colour: red}\npatch: []\n---\nspec: {}\n---\n- just a list\n")
    _, diagnostics = apply_patches([isvc()], files)
    assert [d.rule for d in diagnostics] == ["PATCH-SHAPE", "PATCH-SHAPE", "PATCH-SHAPE"]


# ---------------------------------------------------------------- origins follow the patch
# An output error is located by Manifest.origin_of(pointer): what a patch added or replaced must
# point at the patch's line, and what it removed must not leave origins behind.

SERVICE = Location("services/iris.yaml", 7, 5)


def isvc_with_origins() -> Manifest:
    body = {
        "apiVersion": "serving.kserve.io/v1beta1",
        "kind": "InferenceService",
        "metadata": {"name": "iris", "namespace": "models"},
        "spec": {"predictor": {"minReplicas": 1, "model": {"storageUri": "gs://m", "resources": {"limits": {"cpu": "1"}}}, "tolerations": [{"key": "a"}, {"key": "b"}]}},
    }
    origins = {
        "/spec/predictor": SERVICE,
        "/spec/predictor/model": Location("services/iris.yaml", 8, 7),
        "/spec/predictor/model/storageUri": Location("services/iris.yaml", 10, 7),
        "/spec/predictor/model/resources/limits/cpu": Location("environments/prod.yaml", 22, 7),
        "/spec/predictor/tolerations/0": Location("services/iris.yaml", 20, 9),
        "/spec/predictor/tolerations/1": Location("services/iris.yaml", 21, 9),
    }
    return Manifest(body, service="iris", origins=origins)


def json_patch(tmp_path: Path, *ops: str) -> list[Path]:
    """A JSON Patch file on iris: the operations start on line 3, each one YAML mapping in block style."""
    return patch_file(tmp_path, "target: {kind: InferenceService, name: iris}\npatch:\n" + "".join(ops))


def test_replaced_subtree_points_at_the_value_not_at_the_old_origins(tmp_path):
    files = json_patch(tmp_path, "  - op: replace\n    path: /spec/predictor/model\n    value:\n      storageUri: 5\n      resources: {limits: {cpu: lots}}\n")
    [patched], diagnostics = apply_patches([isvc_with_origins()], files)
    shown = files_shown(tmp_path)
    assert diagnostics == []
    assert patched.origin_of("/spec/predictor/model") == Location(shown, 4, 5)  # the operation's path
    assert patched.origin_of("/spec/predictor/model/storageUri") == Location(shown, 6, 7)
    assert patched.origin_of("/spec/predictor/model/resources/limits/cpu") == Location(shown, 7, 28)
    assert patched.origin_of("/spec/predictor/minReplicas") == SERVICE  # untouched: still the spec's


def test_appended_item_is_located_at_its_value(tmp_path):
    files = json_patch(tmp_path, "  - op: add\n    path: /spec/predictor/tolerations/-\n    value:\n      key: c\n      operatr: Equal\n")
    [patched], _ = apply_patches([isvc_with_origins()], files)
    shown = files_shown(tmp_path)
    assert patched.body["spec"]["predictor"]["tolerations"][2] == {"key": "c", "operatr": "Equal"}
    assert patched.origin_of("/spec/predictor/tolerations/2") == Location(shown, 4, 5)
    assert patched.origin_of("/spec/predictor/tolerations/2/operatr") == Location(shown, 7, 7)
    assert patched.origin_of("/spec/predictor/tolerations/1") == Location("services/iris.yaml", 21, 9)


def test_inserted_item_shifts_the_origins_of_the_items_after_it(tmp_path):
    files = json_patch(tmp_path, "  - op: add\n    path: /spec/predictor/tolerations/0\n    value:\n      key: z\n")
    [patched], _ = apply_patches([isvc_with_origins()], files)
    assert [t["key"] for t in patched.body["spec"]["predictor"]["tolerations"]] == ["z", "a", "b"]
    assert patched.origin_of("/spec/predictor/tolerations/0/key") == Location(files_shown(tmp_path), 6, 7)
    assert patched.origin_of("/spec/predictor/tolerations/1") == Location("services/iris.yaml", 20, 9)
    assert patched.origin_of("/spec/predictor/tolerations/2") == Location("services/iris.yaml", 21, 9)


def test_removed_item_takes_its_origins_along(tmp_path):
    files = json_patch(tmp_path, "  - op: remove\n    path: /spec/predictor/tolerations/0\n")
    [patched], _ = apply_patches([isvc_with_origins()], files)
    assert patched.body["spec"]["predictor"]["tolerations"] == [{"key": "b"}]
    assert patched.origin_of("/spec/predictor/tolerations/0") == Location("services/iris.yaml", 21, 9)
    assert patched.origin_of("/spec/predictor/tolerations/1") == SERVICE  # nothing stale left there


def test_removed_key_leaves_no_stale_origin_and_is_blamed_for_its_absence(tmp_path):
    shown = files_shown(tmp_path)
    files = json_patch(tmp_path, "  - op: remove\n    path: /spec/predictor/model\n", "  - op: add\n    path: /spec/predictor/model\n    value: {}\n")
    [patched], _ = apply_patches([isvc_with_origins()], files)
    # "missing required field" under the re-added model is the patch's doing, not services/iris.yaml:10.
    assert patched.origin_of("/spec/predictor/model/storageUri") == Location(shown, 6, 5)
    files = json_patch(tmp_path, "  - op: remove\n    path: /spec/predictor/minReplicas\n")
    [patched], _ = apply_patches([isvc_with_origins()], files)
    assert patched.origin_of("/spec/predictor/minReplicas") == Location(shown, 4, 5)


def test_move_and_copy_point_at_the_operation(tmp_path):
    files = json_patch(
        tmp_path,
        "  - op: copy\n    from: /spec/predictor/minReplicas\n    path: /spec/predictor/maxReplicas\n",
        "  - op: move\n    from: /spec/predictor/tolerations/0\n    path: /spec/predictor/tolerations/-\n",
    )
    [patched], diagnostics = apply_patches([isvc_with_origins()], files)
    shown = files_shown(tmp_path)
    assert diagnostics == []
    assert patched.origin_of("/spec/predictor/maxReplicas") == Location(shown, 5, 5)
    assert [t["key"] for t in patched.body["spec"]["predictor"]["tolerations"]] == ["b", "a"]
    assert patched.origin_of("/spec/predictor/tolerations/0") == Location("services/iris.yaml", 21, 9)
    assert patched.origin_of("/spec/predictor/tolerations/1") == Location(shown, 8, 5)


def test_test_operation_changes_no_origin(tmp_path):
    files = json_patch(tmp_path, "  - {op: test, path: /spec/predictor/minReplicas, value: 1}\n")
    [patched], diagnostics = apply_patches([isvc_with_origins()], files)
    assert diagnostics == []
    assert patched.origins == isvc_with_origins().origins


def test_merge_patch_locates_each_value_it_sets_and_keeps_the_rest(tmp_path):
    text = "kind: InferenceService\nmetadata: {name: iris}\nspec:\n  predictor:\n    model:\n      storageUrl: x\n      resources: {limits: {cpu: lots}}\n"
    files = patch_file(tmp_path, text)
    [patched], _ = apply_patches([isvc_with_origins()], files)
    shown = files_shown(tmp_path)
    assert patched.origin_of("/spec/predictor/model/storageUrl") == Location(shown, 6, 7)
    assert patched.origin_of("/spec/predictor/model/resources/limits/cpu") == Location(shown, 7, 28)
    # Merged into, not replaced: model's other keys and the predictor keep the spec's origins.
    assert patched.origin_of("/spec/predictor/model/storageUri") == Location("services/iris.yaml", 10, 7)
    assert patched.origin_of("/spec/predictor/model") == Location("services/iris.yaml", 8, 7)
    assert patched.origin_of("/metadata/name") is None  # naming the object changes nothing


def test_merge_patch_replacing_a_list_drops_the_old_items_origins(tmp_path):
    text = "kind: InferenceService\nmetadata: {name: iris}\nspec:\n  predictor:\n    tolerations:\n      - {key: only}\n"
    [patched], _ = apply_patches([isvc_with_origins()], patch_file(tmp_path, text))
    shown = files_shown(tmp_path)
    assert patched.origin_of("/spec/predictor/tolerations/0") == Location(shown, 6, 9)
    assert patched.origin_of("/spec/predictor/tolerations/1") == Location(shown, 5, 5)  # gone: the list is the patch's


def test_merge_patch_null_removes_origins_and_is_blamed_for_the_absence(tmp_path):
    text = "kind: InferenceService\nmetadata: {name: iris}\nspec:\n  predictor:\n    model: null\n"
    [patched], _ = apply_patches([isvc_with_origins()], patch_file(tmp_path, text))
    assert "model" not in patched.body["spec"]["predictor"]
    assert patched.origin_of("/spec/predictor/model/storageUri") == Location(files_shown(tmp_path), 5, 5)


def test_invalid_operations_are_each_located(tmp_path):
    files = json_patch(
        tmp_path,
        "  - op: ad\n    path: /spec/x\n    value: 1\n",  # line 3
        "  - op: add\n    path: spec/x\n    value: 1\n",  # line 6
        "  - op: replace\n    path: /spec/x\n",  # line 9
        "  - just-a-string\n",  # line 11
        "  - path: /spec/x\n",  # line 12
    )
    unchanged, diagnostics = apply_patches([isvc_with_origins()], files)
    shown = files_shown(tmp_path)
    assert [(d.rule, str(d.location), d.message, d.hint) for d in diagnostics] == [
        ("PATCH-SHAPE", f"{shown}:3:5", "unknown JSON Patch operation 'ad'", "did you mean 'add'?"),
        ("PATCH-SHAPE", f"{shown}:7:5", "path 'spec/x' is not a JSON pointer", "start it with / and separate keys with /, e.g. /spec/predictor/priorityClassName (RFC 6901)"),
        ("PATCH-SHAPE", f"{shown}:9:5", "`replace` operation without `value`", "a `replace` operation has op, path, value (RFC 6902)"),
        ("PATCH-SHAPE", f"{shown}:11:5", "operation 4 is not a mapping", "write {op: add, path: /json/pointer, value: …} (RFC 6902)"),
        ("PATCH-SHAPE", f"{shown}:12:5", "a JSON Patch operation without `op`", "op is one of add, remove, replace, move, copy, test"),
    ]
    assert unchanged == [isvc_with_origins()]


def test_failing_operation_is_located_at_itself_and_later_ones_are_not_applied(tmp_path):
    files = json_patch(tmp_path, "  - {op: replace, path: /spec/predictor/minReplicas, value: 3}\n", "  - {op: move, from: /spec/nothing, path: /spec/x}\n")
    [unchanged], diagnostics = apply_patches([isvc_with_origins()], files)
    assert [(d.rule, str(d.location), d.message) for d in diagnostics] == [
        ("PATCH-APPLY", f"{files_shown(tmp_path)}:4:5", "move /spec/x does not apply to InferenceService models/iris: nothing at /spec/nothing")
    ]
    assert unchanged.body["spec"]["predictor"]["minReplicas"] == 1  # all or nothing per object


def test_target_and_operation_problems_are_reported_together(tmp_path):
    files = patch_file(tmp_path, "target: {kind: InferenceService, name: irsi}\npatch:\n  - {op: frob, path: /spec}\n")
    _, diagnostics = apply_patches([isvc_with_origins()], files)
    assert [(d.rule, d.location.line) for d in diagnostics] == [("PATCH-SHAPE", 3), ("PATCH-TARGET", 1)]


def test_a_merge_patch_whose_api_version_is_not_a_string_is_located(tmp_path):
    files = patch_file(tmp_path, "apiVersion: 1\nkind: InferenceService\nmetadata: {name: iris}\nspec: {}\n")
    [unchanged], diagnostics = apply_patches([isvc()], files)
    assert [(d.rule, str(d.location), d.message) for d in diagnostics] == [("PATCH-SHAPE", f"{files_shown(tmp_path)}:1:1", "apiVersion 1 is not a string")]
    assert unchanged == isvc()
    files = patch_file(tmp_path, "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata: {name: iris}\nspec: {}\n")
    assert apply_patches([isvc()], files)[1] == []
