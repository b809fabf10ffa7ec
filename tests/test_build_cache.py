"""The build record (commands/build_cache.py): a compile with nothing changed is skipped, and a
record never serves output that a cold, cache-less compile would not print and write."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.compile_bench import generate
from compiler import pipeline
from compiler.cli import main
from compiler.commands import build_cache
from compiler.source import fingerprint
from tests.conftest import REPO, SHARED, SHARED_CRDS, needs_shared

CRD = SHARED_CRDS / "kserve" / "serving.kserve.io_inferenceservices.yaml"
PATCH = "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: svc-0\n  labels:\n    team: {team}\n"
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: {level}\n"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.is_dir() else {}


class Compiles:
    """Runs the CLI in-process and counts how often the pipeline really ran."""

    def __init__(self, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.project, self.ran = project, 0
        real = pipeline.compile_project

        def counted(*args, **kwargs):
            self.ran += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(pipeline, "compile_project", counted)

    def __call__(self, *args: str):
        return CliRunner().invoke(main, ["-C", str(self.project), "compile", *args], catch_exceptions=False)

    def served_from_record(self, *args: str) -> bool:
        before = self.ran
        result = self(*args)
        assert result.exit_code == 0, result.stderr
        return self.ran == before


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    """A generated fleet (bench/compile_bench.py) with every kind of input: service, overlay, a
    patch, a companion resource, environments, and an environment that names a CRD folder."""
    project = tmp_path / "fleet"
    generate(project, 6)
    (project / "overlays/prod/patches").mkdir(parents=True)
    (project / "overlays/prod/patches/team.yaml").write_text(PATCH.format(team="a"))
    (project / "resources/prod").mkdir(parents=True)
    (project / "resources/prod/settings.yaml").write_text(CONFIG_MAP.format(level="info"))
    if CRD.is_file():
        (project / "crds").mkdir()
        shutil.copy(CRD, project / "crds" / CRD.name)
        prod = project / "environments/prod.yaml"
        prod.write_text(prod.read_text() + "  validation:\n    crds: [../crds]\n")
    return project


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """The repository's own example fleet, with ../../shared where its environments look for it."""
    project = tmp_path / "repo"
    for folder in ("services", "environments", "overlays", "rendered"):
        shutil.copytree(REPO / folder, project / folder)
    (tmp_path / "shared").symlink_to(SHARED)
    return project


def _same_as_cold(compiles: Compiles, *args: str) -> None:
    """Cold and cache-less, then with the record (a miss, then a hit): the same bytes on disk and
    the same output, every time."""
    shutil.rmtree(compiles.project / "rendered", ignore_errors=True)
    cold = compiles(*args, "--no-cache")
    assert cold.exit_code == 0, cold.stderr
    assert not (compiles.project / ".inferplane-cache" / "build").exists()
    tree = snapshot(compiles.project / "rendered")
    shutil.rmtree(compiles.project / "rendered")
    for expect_hit in (False, True):
        assert compiles.served_from_record(*args) is expect_hit
        assert snapshot(compiles.project / "rendered") == tree
    for expect_hit in (False, True):
        before = compiles.ran
        check = compiles(*args, "--check")
        assert (check.exit_code, compiles.ran == before) == (0, expect_hit)
        assert check.stdout == "rendered tree is up to date\n"
    hit = compiles(*args)
    assert (hit.stdout, hit.stderr, hit.exit_code) == (cold.stdout, cold.stderr, 0)
    # The records gone, the pipeline runs on the parsed files of source/parse_cache.py: the same.
    shutil.rmtree(compiles.project / ".inferplane-cache" / "build")
    shutil.rmtree(compiles.project / "rendered")
    assert (compiles.project / ".inferplane-cache" / "parsed.pickle").is_file()
    warm = compiles(*args)
    assert (warm.stdout, warm.stderr, warm.exit_code) == (cold.stdout, cold.stderr, 0)
    assert snapshot(compiles.project / "rendered") == tree


@needs_shared
def test_the_example_fleet_is_byte_identical_to_a_cold_compile(example, monkeypatch):
    _same_as_cold(Compiles(example, monkeypatch), "--all")


@needs_shared
def test_a_generated_fleet_is_byte_identical_to_a_cold_compile(fleet, monkeypatch):
    _same_as_cold(Compiles(fleet, monkeypatch), "--all", "--crd", str(SHARED_CRDS))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


EDITS = {
    "service": lambda p: _edit(p / "services/svc-2.yaml", "maxReplicas: 6", "maxReplicas: 7"),
    "overlay": lambda p: _edit(p / "overlays/dev/svc-0.yaml", "minReplicas: 0", "minReplicas: 1"),
    "patch": lambda p: (p / "overlays/prod/patches/team.yaml").write_text(PATCH.format(team="b")),
    "new patch": lambda p: (p / "overlays/dev/patches").mkdir() or (p / "overlays/dev/patches/team.yaml").write_text(PATCH.format(team="c")),
    "resource": lambda p: (p / "resources/prod/settings.yaml").write_text(CONFIG_MAP.format(level="debug")),
    "environment": lambda p: _edit(p / "environments/dev.yaml", "maxReplicas: 4", "maxReplicas: 5"),
    "crd named by the environment": lambda p: (p / "crds" / CRD.name).write_text((p / "crds" / CRD.name).read_text() + "# edited\n"),
    "pulled schema": lambda p: (p / ".inferplane-cache/schemas/blobs").mkdir(parents=True) or (p / ".inferplane-cache/schemas/blobs/x.json").write_text("{}"),
    "service removed": lambda p: (p / "services/svc-5.yaml").unlink(),
}


@needs_shared
@pytest.mark.parametrize("kind", list(EDITS))
def test_an_edit_of_any_input_compiles_again(kind, fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    assert not compiles.served_from_record("--all")
    assert compiles.served_from_record("--all")
    EDITS[kind](fleet)
    assert not compiles.served_from_record("--all")
    assert compiles.served_from_record("--all")
    # What the record now holds is what a cold compile writes.
    cold = compiles("--all", "--check", "--no-cache")
    assert (cold.exit_code, cold.stdout) == (0, "rendered tree is up to date\n")


@needs_shared
def test_a_crd_given_on_the_command_line_is_an_input(fleet, monkeypatch, tmp_path):
    crds = tmp_path / "more-crds"
    crds.mkdir()
    shutil.copy(CRD, crds / CRD.name)
    compiles = Compiles(fleet, monkeypatch)
    assert not compiles.served_from_record("--all", "--crd", str(crds))
    assert compiles.served_from_record("--all", "--crd", str(crds))
    (crds / CRD.name).write_text(CRD.read_text() + "# edited\n")
    assert not compiles.served_from_record("--all", "--crd", str(crds))


@pytest.mark.parametrize("options", [pytest.param(("--env", "prod", "--strict"), marks=needs_shared), ("--all", "-q"), ("--env", "dev"), ("--all", "-o", "json")])
def test_each_set_of_options_has_its_own_record(options, fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    assert not compiles.served_from_record("--all")
    assert not compiles.served_from_record(*options)
    assert compiles.served_from_record(*options)
    assert compiles.served_from_record("--all")


def test_an_input_limit_is_an_input(fleet, monkeypatch):
    """INFERPLANE_MAX_SPEC_BYTES lowered under a service's size: the recorded success is not replayed."""
    compiles = Compiles(fleet, monkeypatch)
    assert not compiles.served_from_record("--all")
    monkeypatch.setenv("INFERPLANE_MAX_SPEC_BYTES", "100")
    result = compiles("--all")
    assert result.exit_code == 1 and "error[" in result.stderr


def test_the_compiler_s_own_source_is_an_input(tmp_path, monkeypatch, fleet):
    copy = tmp_path / "compiler"
    shutil.copytree(Path(build_cache.__file__).parents[1], copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "_COMPILER", copy)
    compiles = Compiles(fleet, monkeypatch)
    assert not compiles.served_from_record("--all")
    assert compiles.served_from_record("--all")
    before = fingerprint.compiler_digest()
    rules = copy / "rules" / "scaling.py"
    rules.write_text(rules.read_text() + "\n# a changed rule\n")
    assert fingerprint.compiler_digest() != before
    assert not compiles.served_from_record("--all")


def test_an_invalid_edit_after_a_recorded_compile_fails_with_its_located_error(fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    assert not compiles.served_from_record("--all")
    assert not compiles.served_from_record("--all", "--check")
    assert compiles.served_from_record("--all", "--check")
    records = snapshot(fleet / ".inferplane-cache")
    rendered = snapshot(fleet / "rendered")
    _edit(fleet / "services/svc-2.yaml", "minReplicas: 2", "minReplicas: -2")
    for args in (("--all",), ("--all", "--check")):
        result = compiles(*args)
        assert result.exit_code == 1
        errors = [line for line in result.stderr.splitlines() if "error[" in line]
        assert errors == [f"{fleet / 'services/svc-2.yaml'}:11:13: error[KS-06]: minReplicas is -2 — use 0 or more"]
        assert result.stderr == compiles(*args, "--no-cache").stderr
    assert result.stderr.endswith("compile failed: 1 error, 1 warning; nothing written\n")
    assert snapshot(fleet / "rendered") == rendered
    assert snapshot(fleet / ".inferplane-cache") == records


def test_a_rendered_file_edited_by_hand_is_stale_even_with_its_old_size_and_time(fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    compiles("--all")
    assert compiles.served_from_record("--all", "--check") is False
    assert compiles.served_from_record("--all", "--check")
    target = fleet / "rendered/prod/ml-prod/inferenceservice-svc-1.yaml"
    info = target.stat()
    data = target.read_bytes()
    target.write_bytes(data.replace(b"svc-1", b"svc-X", 1))
    os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))
    result = compiles("--all", "--check")
    assert result.exit_code == 1
    assert "inferenceservice-svc-1.yaml: stale: differs from what compile would write" in result.stderr


def _record(project: Path) -> Path:
    (entry,) = (project / ".inferplane-cache" / "build").iterdir()
    return entry


CORRUPTIONS = {
    "truncated": lambda data: data[: len(data) // 2],
    "empty": lambda data: b"",
    "a byte of the body flipped": lambda data: data[:-10] + bytes([data[-10] ^ 1]) + data[-9:],
    "signature flipped": lambda data: (b"0" if data[:1] != b"0" else b"1") + data[1:],
    "not JSON": lambda data: data.partition(b"\n")[0] + b"\n{not json",
    "binary garbage": lambda data: os.urandom(4096),
}


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_a_corrupted_record_is_ignored_and_rebuilt(how, fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    first = compiles("--all")
    entry = _record(fleet)
    entry.write_bytes(CORRUPTIONS[how](entry.read_bytes()))
    assert not compiles.served_from_record("--all")
    assert compiles.served_from_record("--all")
    assert compiles("--all").stdout == first.stdout


def test_a_record_signed_with_another_key_is_never_trusted(fleet, monkeypatch, tmp_path):
    """A pull request can commit .inferplane-cache/: a record forged with any key but this
    machine's — here one that claims a tampered tree is up to date — is ignored."""
    compiles = Compiles(fleet, monkeypatch)
    target = fleet / "rendered/prod/ml-prod/inferenceservice-svc-1.yaml"
    assert compiles("--all", "--check").exit_code == 1  # nothing rendered yet: stale
    compiles("--all")
    compiles("--all", "--check")
    entry = _record_for_check(fleet)
    record = json.loads(entry.read_bytes().partition(b"\n")[2])
    target.write_bytes(target.read_bytes() + b"# planted\n")
    record["tree"] = build_cache.tree_state(fleet / "rendered")
    monkeypatch.setenv(fingerprint.KEY_FILE_ENV, str(tmp_path / "attacker-key"))
    forger = build_cache.BuildRecord(fleet, {}, ())
    forger.entry = entry
    forger._write(record)
    monkeypatch.setenv(fingerprint.KEY_FILE_ENV, str(tmp_path / "ci-key"))
    result = compiles("--all", "--check")
    assert result.exit_code == 1 and "inferenceservice-svc-1.yaml: stale" in result.stderr


def _record_for_check(project: Path) -> Path:
    entries = sorted((project / ".inferplane-cache" / "build").iterdir(), key=lambda p: p.stat().st_mtime_ns)
    return entries[-1]


def test_the_cache_folder_is_git_ignored():
    assert ".inferplane-cache/" in (REPO / ".gitignore").read_text().splitlines()


def test_killed_while_writing_the_record_leaves_a_usable_state(fleet, monkeypatch):
    """The record is written to a temp file and renamed: killed before the rename, there is no
    record (only a temp file, never read) and the next run compiles and records."""
    code = (
        "import os, sys, tempfile\n"
        "from compiler.commands import build_cache\n"
        "def killed(path, data):\n"
        "    path.parent.mkdir(parents=True, exist_ok=True)\n"
        "    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.')\n"
        "    os.write(handle, data[: len(data) // 2])\n"
        "    os._exit(137)\n"
        "build_cache.write_atomic = killed\n"
        "from compiler.cli import main\n"
        f"main(['-C', {str(fleet)!r}, 'compile', '--all', '-q'])\n"
    )
    killed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True)
    assert killed.returncode == 137
    folder = fleet / ".inferplane-cache" / "build"
    assert [p.name.startswith(".") for p in folder.iterdir()] == [True]
    compiles = Compiles(fleet, monkeypatch)
    result = compiles("--all", "--check", "-q")
    assert result.exit_code == 0
    assert not compiles.served_from_record("--all", "-q")
    assert compiles.served_from_record("--all", "-q")


def test_environment_inputs_are_the_local_folders_templates_expand_in(tmp_path):
    env_dir = tmp_path / "environments"
    found = build_cache.environment_inputs(
        env_dir,
        ["../crds", "https://example.com/crd.yaml"],
        ["../catalog/{{.Group}}/{{.ResourceKind}}.json", "../by-version/{{.KServeVersion}}", "default", "http://x/{{.Group}}.json", "../one/file-{{.Kind}}.json"],
    )
    assert found == [str(tmp_path / "crds"), str(tmp_path / "catalog"), str(tmp_path / "by-version"), str(tmp_path / "one")]


class _Planted:
    """Unpickled, it would create the file it names: the proof that a planted pickle ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_planted_parse_cache_is_never_unpickled(fleet, monkeypatch, tmp_path):
    marker = tmp_path / "planted-code-ran"
    compiles = Compiles(fleet, monkeypatch)
    cold = compiles("--all", "--no-cache")
    planted = fleet / ".inferplane-cache" / "parsed.pickle"
    planted.parent.mkdir(parents=True, exist_ok=True)
    body = pickle.dumps({"any": pickle.dumps(_Planted(str(marker)))})
    planted.write_bytes(fingerprint.signed(b"k" * 32, body))  # an attacker's key, not this machine's
    result = compiles("--all")
    assert not marker.exists()
    assert (result.exit_code, result.stdout) == (0, cold.stdout)
    assert fingerprint.verified(fingerprint.signing_key(), planted.read_bytes()) is not None  # replaced by ours


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_a_corrupted_parse_cache_is_ignored_and_rebuilt(how, fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    cold = compiles("--all", "--no-cache")
    tree = snapshot(fleet / "rendered")
    compiles("--all")
    shutil.rmtree(fleet / ".inferplane-cache" / "build")
    cached = fleet / ".inferplane-cache" / "parsed.pickle"
    cached.write_bytes(CORRUPTIONS[how](cached.read_bytes()))
    result = compiles("--all")
    assert (result.exit_code, result.stdout, result.stderr) == (0, cold.stdout, cold.stderr)
    assert snapshot(fleet / "rendered") == tree


def test_a_parsed_document_changed_by_a_stage_does_not_change_the_cache(tmp_path):
    from compiler.source.parse_cache import ParseCache, reading_through
    from compiler.source.yaml_io import load_file

    spec = tmp_path / "svc.yaml"
    spec.write_text("metadata:\n  name: a\n")
    first = ParseCache(tmp_path / "cache")
    with reading_through(first):
        (doc,), _ = load_file(spec, "svc.yaml")
        doc.data["metadata"]["name"] = "changed"
    first.save()
    with reading_through(ParseCache(tmp_path / "cache")):
        (again,), _ = load_file(spec, "svc.yaml")
    assert again.data == {"metadata": {"name": "a"}}
    assert again.locate(("metadata", "name")).line == 2
