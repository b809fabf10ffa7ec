"""GitOps in a repository: paths from the repository root, Flux's namespace, one owner per object
in a cluster, and kustomize keeping the apply order."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from compiler.pipeline import CompileOptions, compile_project
from compiler.source.repository import repository_prefix
from tests.project import compile_env, environment, load_yaml, service, write_project

REPO_URL = "https://github.com/acme/model-serving-gitops.git"
IRIS = service("iris", {"model": {"format": "sklearn", "storageUri": "gs://bucket/iris"}})


def test_paths_are_relative_to_the_repository_root_found_by_walking_up_to_git(tmp_path):
    (tmp_path / ".git").mkdir()
    project = write_project(tmp_path / "ml" / "serving", [IRIS], [environment("prod", gitops={"tool": "argocd", "repoURL": REPO_URL})])
    assert repository_prefix(project) == "ml/serving"
    app = load_yaml(compile_env(project, "prod").files["_gitops/argocd/application-model-serving-prod.yaml"])
    assert app["spec"]["source"]["path"] == "ml/serving/rendered/prod"


def test_a_worktree_git_file_is_a_root_too_and_an_explicit_path_is_kept(tmp_path):
    (tmp_path / ".git").write_text("gitdir: /elsewhere\n")
    gitops = {"tool": "flux", "repoURL": REPO_URL, "path": "deploy/prod"}
    project = write_project(tmp_path / "sub", [IRIS], [environment("prod", gitops=gitops)])
    files = compile_env(project, "prod").files
    kustomization = load_yaml(files["_gitops/flux-system/kustomization-model-serving-prod.yaml"])
    assert kustomization["spec"]["path"] == "./deploy/prod"


def test_outside_any_repository_paths_start_at_the_project(tmp_path):
    project = write_project(tmp_path / "p", [IRIS], [environment("prod", gitops={"tool": "argocd", "repoURL": REPO_URL})])
    if repository_prefix(project):  # pragma: no cover - the temporary folder sits inside a checkout
        pytest.skip("the temporary folder is inside a Git repository")
    app = load_yaml(compile_env(project, "prod").files["_gitops/argocd/application-model-serving-prod.yaml"])
    assert app["spec"]["source"]["path"] == "rendered/prod"


def test_flux_renders_the_namespace_and_never_prunes_it(tmp_path):
    project = write_project(tmp_path, [IRIS], [environment("dev", gitops={"tool": "flux", "repoURL": REPO_URL})])
    files = compile_env(project, "dev").files
    namespace = load_yaml(files["_cluster/namespace-ml-dev.yaml"])
    assert namespace["metadata"]["annotations"] == {"kustomize.toolkit.fluxcd.io/prune": "disabled"}
    kustomization = load_yaml(files["kustomization.yaml"])
    assert kustomization["resources"][0] == "_cluster/namespace-ml-dev.yaml"
    # Argo CD creates it (CreateNamespace=true): no Namespace object there
    argo = write_project(tmp_path / "argo", [IRIS], [environment("dev", gitops={"tool": "argocd", "repoURL": REPO_URL})])
    assert not any(name.startswith("_cluster/namespace-") for name in compile_env(argo, "dev").files)


def _two_environments(tmp_path, first: dict, second: dict):
    envs = [
        environment("prod", gitops={"tool": "argocd", "repoURL": REPO_URL, "destination": first}),
        environment("staging", namespace="ml-prod", gitops={"tool": "argocd", "repoURL": REPO_URL, "destination": second}),
    ]
    return compile_project(write_project(tmp_path, [IRIS], envs), None, CompileOptions())


def test_two_environments_rendering_one_object_into_one_cluster_are_refused(tmp_path):
    result = _two_environments(tmp_path, {"name": "east"}, {"name": "east"})
    found = [d for d in result.diagnostics if d.rule == "GITOPS-SHARED-OBJECT"]
    assert [(d.location.path.endswith("environments/staging.yaml"), d.environment) for d in found] == [(True, "staging")]
    line = (tmp_path / "environments" / "staging.yaml").read_text().splitlines()[found[0].location.line - 1]
    assert line.strip().startswith("destination:")  # the line names the cluster
    assert found[0].message.startswith("environments 'prod' and 'staging' both render InferenceService ml-prod/iris")
    assert "into cluster 'east': their GitOps objects would fight over them" in found[0].message


@pytest.mark.parametrize(("first", "second"), [({"name": "east"}, {"name": "west"}), ({}, {})])
def test_other_clusters_or_unknown_clusters_are_not_compared(tmp_path, first, second):
    result = _two_environments(tmp_path, first, second)
    assert not [d for d in result.diagnostics if d.rule == "GITOPS-SHARED-OBJECT"]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kustomize_keeps_the_apply_order(tmp_path):
    project = write_project(tmp_path, [IRIS], [environment("dev", gitops={"tool": "flux", "repoURL": REPO_URL})])
    files = compile_env(project, "dev").files
    for name, content in files.items():
        (tmp_path / "out" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / name).write_bytes(content)
    built = subprocess.run(["kubectl", "kustomize", str(tmp_path / "out")], capture_output=True, text=True, check=True).stdout
    kinds = [line.split(": ", 1)[1] for line in built.splitlines() if line.startswith("kind: ")]
    listed = [load_yaml(files[name])["kind"] for name in load_yaml(files["kustomization.yaml"])["resources"]]
    assert kinds == listed and load_yaml(files["kustomization.yaml"])["sortOptions"] == {"order": "fifo"}


def _fleet_copy(tmp_path, staging_cluster: str):
    from tests.conftest import REPO

    for folder in ("services", "environments", "overlays"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    staging = tmp_path / "environments" / "staging.yaml"
    text = staging.read_text(encoding="utf-8")
    assert text.count("      name: staging-eu-west-1\n") == 1
    staging.write_text(text.replace("      name: staging-eu-west-1\n", f"      name: {staging_cluster}\n"), encoding="utf-8")
    return compile_project(tmp_path, ["prod", "staging"], CompileOptions())


def test_the_fleet_is_quiet_because_prod_and_staging_name_their_own_clusters(tmp_path):
    from tests.conftest import REPO

    result = compile_project(REPO, ["prod", "staging"], CompileOptions())
    assert not [d for d in result.diagnostics if d.rule == "GITOPS-SHARED-OBJECT"]
    destinations = {env.name: env.environment.spec.gitops.destination.name for env in result.environments}
    assert destinations == {"prod": "prod-eu-west-1", "staging": "staging-eu-west-1"}
    # Not quiet for want of a shared object: both render the ingress Gateway, istio-system/inference-gateway.
    prod, staging = ({m.identity for m in env.manifests} for env in result.environments)
    assert ("networking.istio.io", "Gateway", "istio-system", "inference-gateway") in prod & staging


def test_the_fleet_with_staging_in_prods_cluster_is_refused(tmp_path):
    result = _fleet_copy(tmp_path, "prod-eu-west-1")
    found = [d for d in result.diagnostics if d.rule == "GITOPS-SHARED-OBJECT"]
    assert len(found) == 1 and found[0].environment == "staging"
    assert found[0].message == (
        "environments 'prod' and 'staging' both render Gateway istio-system/inference-gateway into cluster 'prod-eu-west-1': "
        "their GitOps objects would fight over them"
    )
    assert str(found[0].location).endswith("environments/staging.yaml:68:5")
