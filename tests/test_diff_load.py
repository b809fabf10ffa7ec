"""Loading trees from folders and from a renderer's output."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.emit.manifest import Manifest
from compiler.diff import load_tree_from_folder, tree_from_rendered
from compiler.diff.load import load_documents
from compiler.diff.model import Identity
from compiler.errors import InputError

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: ml\ndata:\n  a: '1'\n"
SETTINGS = Identity("", "ConfigMap", "ml", "settings")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_rendered_root_has_one_environment_per_folder(tmp_path):
    for env in ("prod", "staging"):
        write(tmp_path, f"rendered/{env}/ml/configmap-settings.yaml", CM.format(name="settings"))
    tree = load_tree_from_folder(tmp_path / "rendered")
    assert list(tree) == ["prod", "staging"]
    assert tree["prod"][SETTINGS].path == "ml/configmap-settings.yaml"


def test_one_environment_folder_is_one_environment(tmp_path):
    write(tmp_path, "prod/ml/configmap-settings.yaml", CM.format(name="settings"))
    write(tmp_path, "prod/kustomization.yaml", "resources:\n- ml/configmap-settings.yaml\n")
    write(tmp_path, "prod/images.yaml", "images:\n- image: registry.example.com/router:1.4.2\n")
    tree = load_tree_from_folder(tmp_path / "prod")
    assert list(tree) == ["prod"]
    assert list(tree["prod"]) == [SETTINGS]  # kustomization.yaml is not a resource
    assert tree.images["prod"] == {"images": [{"image": "registry.example.com/router:1.4.2"}]}


def test_invalid_yaml_names_the_file_and_line(tmp_path):
    write(tmp_path, "prod/ml/configmap-broken.yaml", "apiVersion: v1\nkind: [\n")
    with pytest.raises(InputError) as caught:
        load_tree_from_folder(tmp_path / "prod")
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.location.path.endswith("prod/ml/configmap-broken.yaml") and diagnostic.location.line > 0


def test_one_identity_twice_is_an_error(tmp_path):
    write(tmp_path, "prod/ml/a.yaml", CM.format(name="settings"))
    write(tmp_path, "prod/ml/b.yaml", CM.format(name="settings"))
    with pytest.raises(InputError, match="defined twice"):
        load_tree_from_folder(tmp_path / "prod")


def test_a_document_that_is_not_a_resource_is_skipped_with_a_warning(tmp_path):
    write(tmp_path, "prod/ml/configmap-settings.yaml", CM.format(name="settings"))
    write(tmp_path, "prod/notes.yaml", "just: notes\n")
    tree = load_tree_from_folder(tmp_path / "prod")
    assert list(tree["prod"]) == [SETTINGS]
    assert [d.rule for d in tree.diagnostics] == ["DIFF-NOT-A-RESOURCE"]


def test_a_missing_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="not a folder"):
        load_tree_from_folder(tmp_path / "nowhere")


def test_renderer_output_may_be_manifests_or_bodies_by_path():
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "ml"}}
    from_manifests = tree_from_rendered({"prod": [Manifest(body, service="iris")]})
    from_paths = tree_from_rendered({"prod": {"ml/configmap-settings.yaml": body}})
    assert from_manifests["prod"][SETTINGS].path == from_paths["prod"][SETTINGS].path == "ml/configmap-settings.yaml"


@pytest.mark.parametrize(
    "text, value",
    [
        ("v: on", True),  # as kubectl (go-yaml v2, YAML 1.1) reads it; the compiler quotes such strings
        ("v: yes", True),
        ("v: 'on'", "on"),
        ("v: '8080'", "8080"),
        ("v: 1.5", 1.5),
        ("v: true", True),
        ("v: ~", None),
        ("v: 2024-01-01", "2024-01-01"),
    ],
)
def test_loading_reads_scalars_as_the_cluster_does(text, value):
    [document], diagnostics = load_documents(text + "\n", "f.yaml")
    assert diagnostics == [] and document == {"v": value} and type(document["v"]) is type(value)


def test_fast_loading_gives_keys_as_text_like_the_compiler_loader():
    [document], _ = load_documents("portLevelMtls:\n  8080:\n    mode: STRICT\n", "f.yaml")
    assert document == {"portLevelMtls": {"8080": {"mode": "STRICT"}}}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi")), None),
        ("kind: ConfigMap\nkind: Secret\n", 2),
        ("spec: !!python/object:os.system [1]\n", 1),
    ],
)
def test_a_refused_rendered_file_keeps_the_loaders_own_id(text, line):
    """An input limit, a duplicate key or a tag is reported under its own ID, not as YAML-SYNTAX."""
    documents, [problem] = load_documents(text, "prod/x.yaml")
    expected = {None: "YAML-ALIAS", 2: "YAML-DUPLICATE-KEY", 1: "YAML-TAG"}[line]
    assert (problem.rule, documents) == (expected, [])
    assert not problem.message.startswith(expected) and " — " not in problem.message
