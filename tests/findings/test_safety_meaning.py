"""output/safety.py, whole: each refusal of the writer (OUT-PATH) and each patched identity that
is no name (SPEC-NAME) as the exact line a user reads, and the inputs on the other side of each
check that pass without a word."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.output.safety import refused_paths, unsafe_identities

BUG_HINT = "this is a bug in Inferplane: please report it with the command you ran"
LEAVES_HINT = "an object's namespace or name is not a DNS name: check the overlay patches that set metadata.namespace or metadata.name"


@pytest.fixture
def rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rendered").mkdir()
    return tmp_path / "rendered"


def lines(found) -> list[str]:
    return [d.format() for d in found]


def test_an_entry_that_is_not_one_folder_name_is_a_bug_report_and_its_files_are_not_looked_at(rendered: Path):
    assert lines(refused_paths(rendered, {".hidden": {"../a": b""}, "a/b": {}, "prod": {"ml/a.yaml": b""}})) == [
        f"rendered/.hidden: error[OUT-PATH]: output folder '.hidden' is not one folder name — {BUG_HINT}",
        f"rendered/a/b: error[OUT-PATH]: output folder 'a/b' is not one folder name — {BUG_HINT}",
    ]


def test_a_path_that_leaves_its_folder(rendered: Path):
    assert lines(refused_paths(rendered, {"prod": {"ml/../../x.yaml": b"", "ml/ok.yaml": b""}})) == [
        f"rendered/prod/ml/../../x.yaml: error[OUT-PATH]: output path 'ml/../../x.yaml' leaves rendered/prod/ (absolute, empty or '..' parts) — {LEAVES_HINT}",
    ]


@pytest.mark.parametrize(("files", "clash"), [
    ({"a": b"", "a/b/c/d.yaml": b""}, "a"),  # a folder two levels above a file
    ({"a/b": b"", "a/b/c/d.yaml": b""}, "a/b"),  # one level above
    ({"a/b/c": b"", "a/b/c/d.yaml": b""}, "a/b/c"),  # the file's own folder
])
def test_a_file_where_a_folder_must_be(rendered: Path, files: dict, clash: str):
    assert lines(refused_paths(rendered, {"prod": files})) == [
        f"rendered/prod/{clash}: error[OUT-PATH]: output path '{clash}' is both a file and a folder — two objects' names collide: rename one of them",
    ]


def test_paths_that_only_share_a_prefix_are_no_clash(rendered: Path):
    assert refused_paths(rendered, {"prod": {"a": b"", "ab/c.yaml": b"", "x/a": b"", "x/y/z.yaml": b""}}) == []


def test_one_line_per_link_however_many_files_go_through_it(rendered: Path, tmp_path_factory: pytest.TempPathFactory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (rendered / "prod").mkdir()
    os.symlink(elsewhere, rendered / "prod" / "ml")
    os.symlink(".", rendered / "prod" / "here")  # a link that stays inside is not refused
    assert lines(refused_paths(rendered, {"prod": {"ml/a.yaml": b"", "ml/b.yaml": b"", "here/c.yaml": b""}})) == [
        f"rendered/prod/ml: error[OUT-PATH]: rendered/prod/ml is a symbolic link (to {elsewhere}): writing through it would leave rendered/prod/"
        " — delete the link (rendered/ holds only what compile writes: real folders and files)",
    ]


def test_a_rendered_path_that_is_a_file(rendered: Path):
    rendered.rmdir()
    rendered.write_bytes(b"")
    assert lines(refused_paths(rendered, {"prod": {}})) == [
        "rendered: error[OUT-PATH]: rendered is a file, not the folder of the rendered tree — move the file away; compile writes the tree into rendered/",
    ]


PATCH = Location("overlays/prod/patches/p.yaml", 4, 9)


def test_a_patched_namespace_and_name_that_are_no_names():
    manifest = Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a%b", "namespace": "Bad_NS"}}, origins={"/metadata/name": PATCH})
    found = unsafe_identities([manifest])
    assert [(d.key_path, d.location) for d in found] == [
        (("metadata", "namespace"), Location("rendered/Bad_NS/configmap-a%b.yaml")),  # no origin recorded: the rendered file
        (("metadata", "name"), PATCH),
    ]
    assert lines(found) == [
        "rendered/Bad_NS/configmap-a%b.yaml: error[SPEC-NAME]: ConfigMap 'a%b': namespace 'Bad_NS' is not a DNS label (RFC 1123)"
        " — use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'bad-ns'",
        "overlays/prod/patches/p.yaml:4:9: error[SPEC-NAME]: ConfigMap 'a%b': name 'a%b' is not a name but a path"
        " — use lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit, e.g. 'a-b'",
    ]


@pytest.mark.parametrize("name", ["..", "a/b", ""])
def test_a_name_that_is_a_path(name: str):
    [found] = unsafe_identities([Manifest({"kind": "Secret", "metadata": {"name": name, "namespace": "ml"}}, origins={"/metadata": PATCH})])
    assert (found.rule, found.message, found.location, found.key_path) == ("SPEC-NAME", f"Secret {name!r}: name {name!r} is not a name but a path", PATCH, ("metadata", "name"))


@pytest.mark.parametrize("metadata", [
    {"name": "Upper.Case_ok", "namespace": "ml"},  # any path segment is a name: schemas judge the kind's own rules
    {"name": "iris"},
    {"name": 3, "namespace": 4},  # not strings: the schema reports them
    {},
    None,
])
def test_names_and_namespaces_that_pass(metadata):
    assert unsafe_identities([Manifest({"kind": "Secret", "metadata": metadata})]) == []
