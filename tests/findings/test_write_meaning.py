"""output/write.py, whole: the exact bytes of the kustomization and of each rendered file (its
header names the file that produced it), and what `--check` reads from a folder on disk."""

from __future__ import annotations

import os

from compiler.emit.manifest import Manifest
from compiler.output.write import compare, existing_files, kustomization, render_tree

ACCOUNT = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "iris", "namespace": "ml"}}
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}


def test_kustomization_keeps_apply_order_with_fifo_sort():
    files = [Manifest(NAMESPACE), Manifest(ACCOUNT)]
    assert kustomization(files).decode() == (
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "sortOptions:\n"
        "  order: fifo\n"
        "resources:\n"
        f"- {files[0].file_name}\n"
        f"- {files[1].file_name}\n"
    )


def test_each_file_names_its_service_spec_or_else_the_environment():
    account, namespace = Manifest(ACCOUNT, service="iris"), Manifest(NAMESPACE)
    tree = render_tree("prod", [account, namespace], {"iris": "services/iris.yaml"}, {"images.yaml": b"images\n"})
    assert list(tree) == sorted(tree)
    assert tree[account.file_name].decode() == (
        "# Rendered by inferplane from services/iris.yaml for environment prod. Do not edit: change the spec and run `inferplane compile`.\n"
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: iris\n  namespace: ml\n"
    )
    assert tree[namespace.file_name].decode().startswith("# Rendered by inferplane from environments/prod.yaml for environment prod.")
    assert tree["images.yaml"] == b"images\n"
    assert tree["kustomization.yaml"] == kustomization([namespace, account])  # apply order: the namespace first
    assert set(tree) == {account.file_name, namespace.file_name, "images.yaml", "kustomization.yaml"}


def test_a_linked_folder_is_not_read_through(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.yaml").write_bytes(b"a")
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    assert existing_files(real) == {"a.yaml": b"a"}
    assert existing_files(tmp_path / "link") == {}
    assert existing_files(real / "a.yaml") == {}  # a file is no folder
    assert existing_files(tmp_path / "absent") == {}


def test_links_and_special_files_below_the_folder_always_differ(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yaml").write_bytes(b"b")
    (tmp_path / "to-sub").symlink_to(tmp_path / "sub", target_is_directory=True)
    (tmp_path / "to-file").symlink_to(tmp_path / "sub" / "b.yaml")
    os.mkfifo(tmp_path / "pipe")
    assert existing_files(tmp_path) == {"pipe": None, "sub/b.yaml": b"b", "to-file": None, "to-sub": None}
    staleness = compare(tmp_path, {"sub/b.yaml": b"b", "to-file": b"b"})
    assert (staleness.changed, staleness.missing, staleness.extra) == (("to-file",), (), ("pipe", "to-sub"))
