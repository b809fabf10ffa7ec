"""Loading a project: a file that holds no document is an error (deleting the file is how a thing is
removed), and a file or document that is refused is reported alone: nothing derived from its
absence, and the compile stops after loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import CompileOptions, compile_project
from compiler.source.load import load_project

SERVICE = "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata:\n  name: {name}\nspec:\n  mode: knative\n  predictor:\n    model: {{format: sklearn, storageUri: gs://b/m}}\n"
ENVIRONMENT = "apiVersion: inferplane.dev/v1alpha1\nkind: Environment\nmetadata:\n  name: {name}\nspec:\n  versions: {{kubernetes: '1.33', kserve: '0.16.0'}}\n  namespace: ml-{name}\n"
OVERLAY = "spec:\n  scaling: {maxReplicas: 5}\n"
PATCH = "target: {kind: InferenceService, name: iris}\npatch:\n  - {op: add, path: /metadata/labels/team, value: search}\n"


def project(root: Path, **files: str) -> Path:
    """A project with services iris and ranker, environments dev and prod, an overlay of iris in
    each, a patch in prod; `files` (path with '/' written as '__') replace or add files."""
    contents = {
        "services/iris.yaml": SERVICE.format(name="iris"),
        "services/ranker.yaml": SERVICE.format(name="ranker"),
        "environments/dev.yaml": ENVIRONMENT.format(name="dev"),
        "environments/prod.yaml": ENVIRONMENT.format(name="prod"),
        "overlays/dev/iris.yaml": OVERLAY,
        "overlays/prod/iris.yaml": OVERLAY,
        "overlays/prod/patches/team.yaml": PATCH,
    }
    contents.update({name.replace("__", "/"): text for name, text in files.items()})
    for name, text in contents.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def formatted(root: Path) -> list[str]:
    sources = load_project(root)
    return sorted(d.format().replace(str(root) + "/", "") for d in sources.diagnostics)


def test_the_project_loads_cleanly(tmp_path: Path):
    assert formatted(project(tmp_path)) == []
    assert compile_project(tmp_path, None, CompileOptions(cache_dir=tmp_path / "cache")).ok


EMPTY = {"empty": "", "comment-only": "# moved to ranker.yaml\n\n# (kept for history)\n", "separator-only": "---\n", "null": "null\n", "tilde-and-end": "--- ~\n...\n"}
HINTS = {
    "services__ranker.yaml": "write the ModelService, or delete the file to remove the service",
    "environments__prod.yaml": "write the Environment, or delete the file to remove the environment",
    "overlays__prod__iris.yaml": "write the overlay's changes, or delete the file to use the service unchanged in this environment",
    "overlays__prod__patches__team.yaml": "write a patch (target: and patch:, or a partial object), or delete the file",
}


@pytest.mark.parametrize("content", EMPTY.values(), ids=EMPTY.keys())
@pytest.mark.parametrize("name", HINTS)
def test_a_file_without_a_document_is_one_error_and_stops_the_compile(tmp_path: Path, name: str, content: str):
    root = project(tmp_path, **{name: content})
    shown = name.replace("__", "/")
    expected = f"{tmp_path}/{shown}:1:1: error[FILE-EMPTY]: the file holds no YAML document (it is empty, only comments, or null) — {HINTS[name]}"
    assert [d.format() for d in load_project(root).diagnostics] == [expected]
    result = compile_project(root, None, CompileOptions(cache_dir=tmp_path / "cache"))
    assert (result.environments, [d.format() for d in result.diagnostics]) == ([], [expected])


def test_one_real_document_beside_empty_ones_is_enough(tmp_path: Path):
    root = project(tmp_path, **{"services__ranker.yaml": "---\n# nothing yet\n---\n" + SERVICE.format(name="ranker") + "---\nnull\n"})
    assert formatted(root) == []


def test_a_service_that_does_not_parse_is_its_one_error_and_its_overlays_are_not_unknown(tmp_path: Path):
    root = project(tmp_path, **{"services__iris.yaml": "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata: {name: iris\n"})
    assert formatted(root) == ["services/iris.yaml:4:1: error[YAML-SYNTAX]: invalid YAML: expected ',' or '}', but got '<stream end>' — fix the YAML syntax at this position"]


def test_with_every_service_loaded_an_overlay_for_an_unknown_service_is_still_reported(tmp_path: Path):
    root = project(tmp_path, **{"overlays__prod__irsi.yaml": OVERLAY})
    assert [d.rule for d in load_project(root).diagnostics] == ["OVERLAY-SERVICE"]


def test_a_refused_service_document_hides_only_its_own_name(tmp_path: Path):
    # iris's kind is misspelled: its overlays are not "for an unknown service", but irsi's is.
    root = project(tmp_path, **{"services__iris.yaml": SERVICE.format(name="iris").replace("kind: ModelService", "kind: ModelServce"), "overlays__prod__irsi.yaml": OVERLAY})
    sources = load_project(root)
    assert [(d.rule, Path(d.location.path).name, d.location.line) for d in sources.diagnostics] == [("SPEC-KIND", "iris.yaml", 2), ("OVERLAY-SERVICE", "irsi.yaml", 1)]
    assert [Path(path).name for path in sources.refused] == ["iris.yaml"]


def test_an_environment_that_does_not_load_hides_its_overlays_and_the_services_naming_it(tmp_path: Path):
    listed = SERVICE.format(name="ranker") + "  environments: [dev, prod]\n"
    root = project(tmp_path, **{"environments__prod.yaml": "kind: Environment\nmetadata: [prod\n", "services__ranker.yaml": listed})
    assert [d.rule for d in load_project(root).diagnostics] == ["YAML-SYNTAX"]
    # With prod loaded, a name that no environment has is still reported.
    root = project(tmp_path, **{"environments__prod.yaml": ENVIRONMENT.format(name="prod"), "services__ranker.yaml": listed.replace("prod]", "prd]")})
    assert [d.rule for d in load_project(root).diagnostics] == ["SERVICE-ENV"]


def test_compiling_an_environment_whose_file_does_not_parse_reports_the_file_not_an_unknown_environment(tmp_path: Path):
    root = project(tmp_path, **{"environments__prod.yaml": "kind: Environment\nmetadata: [prod\n"})
    result = compile_project(root, ["prod"], CompileOptions(cache_dir=tmp_path / "cache"))
    assert not result.ok and result.environments == []
    assert [(d.rule, Path(d.location.path).name) for d in result.diagnostics] == [("YAML-SYNTAX", "prod.yaml")]


@pytest.mark.parametrize(
    "metadata, expected",
    [
        ("metadata: {labels: {team: search}}\n", ("SPEC-MISSING", 3, "metadata needs key 'name'", "add `name:` to metadata of this ModelService")),
        ("metadata: {name: 42}\n", ("SPEC-TYPE", 3, "metadata.name: input should be a valid string", "name the ModelService with a string")),
        ("spec: {}\n", ("SPEC-MISSING", 1, "metadata needs key 'name'", "add `name:` to metadata of this ModelService")),
    ],
)
def test_a_service_without_a_name_is_an_error_not_a_service_left_out(tmp_path: Path, metadata: str, expected: tuple):
    text = "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\n" + metadata
    root = project(tmp_path, **{"services__ranker.yaml": text})
    [diagnostic] = load_project(root).diagnostics
    assert (diagnostic.rule, diagnostic.location.line, diagnostic.message, diagnostic.hint) == expected
    assert not compile_project(root, None, CompileOptions(cache_dir=tmp_path / "cache")).ok
