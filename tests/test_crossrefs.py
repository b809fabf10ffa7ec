"""Every rendered tree resolves its own references: the example fleet compiled afresh, every case
under tests/cases that compiles, and the committed trees (rendered/ and the cases' golden output).

A VirtualService's gateways exist, its subsets are defined by a DestinationRule of the host, the
Gateway's credentialName is a Certificate's secret in the gateway's namespace covering its hosts,
the Certificate's issuer is rendered (or declared `existing`), and selectors select pods of the tree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.emit.manifest import Manifest
from compiler.emit.references import unresolved_references
from compiler.pipeline import CompileOptions, compile_project
from tests.conftest import REPO

CASES = Path(__file__).parent / "cases"
YAML_SAFE = YAML(typ="safe")


def _compiles(case: Path) -> bool:
    spec = YAML_SAFE.load((case / "case.yaml").read_text())
    return spec["args"][0] == "compile" and spec["exit"] == 0


PROJECTS = [REPO] + sorted(case for case in CASES.iterdir() if (case / "case.yaml").is_file() and _compiles(case))
TREES = sorted(REPO.glob("rendered/*/kustomization.yaml")) + sorted(CASES.glob("*/expected/rendered/*/kustomization.yaml"))


def load_tree(folder: Path) -> list[Manifest]:
    """The objects of one rendered environment (not its GitOps objects, which sit outside it)."""
    manifests = []
    for path in sorted(folder.rglob("*.yaml")):
        if path.name in ("kustomization.yaml", "images.yaml") or "_gitops" in path.relative_to(folder).parts:
            continue
        manifests.extend(Manifest(body) for body in YAML_SAFE.load_all(path.read_text()) if body)
    return manifests


def _problems(manifests: list[Manifest]) -> list[str]:
    return [ref.format() for ref in unresolved_references(manifests)]


@pytest.mark.parametrize("project", PROJECTS, ids=lambda p: "fleet" if p == REPO else p.name)
def test_every_compiled_environment_resolves_its_references(project: Path, tmp_path: Path):
    result = compile_project(project, None, CompileOptions(cache_dir=tmp_path))
    assert result.ok, [d.format() for d in result.diagnostics if d.is_error]
    for environment in result.environments:
        assert environment.manifests, environment.name
        assert _problems(environment.manifests) == [], environment.name


@pytest.mark.parametrize("tree", TREES, ids=lambda p: str(p.parent.relative_to(REPO)))
def test_every_committed_tree_resolves_its_references(tree: Path):
    assert _problems(load_tree(tree.parent)) == []


def test_the_fleet_exercises_every_kind_of_reference(tmp_path: Path):
    """The check above means something only if the trees have references to resolve."""
    result = compile_project(REPO, ["prod", "staging"], CompileOptions(cache_dir=tmp_path))
    for environment in result.environments:
        kinds = {m.kind for m in environment.manifests}
        assert {"Gateway", "Certificate", "AuthorizationPolicy", "PeerAuthentication"} <= kinds, environment.name
        assert kinds & {"ClusterIssuer", "Issuer"}, environment.name
