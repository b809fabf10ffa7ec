"""The CI examples, the release workflow and the pre-commit hooks run the commands the docs
promise — and those commands pass on the example fleet: each `inferplane …` line is taken from the
files as written and run with bash in a copy of the project, with this venv's inferplane."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import REPO, SHARED, needs_shared

YAML_SAFE = YAML(typ="safe")
EXAMPLES = REPO / "docs" / "examples"
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
# What the examples install: the repository of [project.urls], at the tag of this version.
INSTALL = f'python -m pip install "git+{PROJECT["urls"]["Repository"]}@v{PROJECT["version"]}"'
PROJECT_FILES = ("services", "environments", "overlays", "rendered", "schemas")


def _hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in YAML_SAFE.load((REPO / ".pre-commit-hooks.yaml").read_text())}


def _github_steps() -> list[dict]:
    return YAML_SAFE.load((EXAMPLES / "github-actions.yml").read_text())["jobs"]["rendered-tree"]["steps"]


def _gitlab_job() -> dict:
    return YAML_SAFE.load((EXAMPLES / "gitlab-ci.yml").read_text())["inferplane"]


def _inferplane_lines(scripts: list[str]) -> list[str]:
    """The lines that run inferplane on the checkout alone (the diff needs the base branch and the
    CI's variables; it has its own tests)."""
    lines = [line.strip() for script in scripts for line in script.splitlines()]
    return [line for line in lines if line.startswith("inferplane ") and "$" not in line]


def _project_copy(tmp_path: Path, with_shared: bool = True) -> Path:
    """The example fleet in <tmp>/main, with <tmp>/shared beside it as the environments expect
    (or without, as on a machine that lacks the upstream CRDs)."""
    project = tmp_path / "main"
    project.mkdir()
    for name in PROJECT_FILES:
        shutil.copytree(REPO / name, project / name)
    if with_shared:
        (tmp_path / "shared").symlink_to(SHARED)
    return project


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("NO_COLOR", None)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_pre_commit_hooks_run_the_compile_check_and_validation_on_the_whole_project():
    hooks = _hooks()
    assert set(hooks) == {"inferplane-compile-check", "inferplane-validate"}
    assert hooks["inferplane-compile-check"]["entry"] == "inferplane compile --all --check"
    assert hooks["inferplane-validate"]["entry"] == "inferplane validate rendered/"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["name"]


def test_github_workflow_checks_validates_and_comments_the_diff():
    workflow = YAML_SAFE.load((EXAMPLES / "github-actions.yml").read_text())
    steps = workflow["jobs"]["rendered-tree"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert _inferplane_lines([commands]) == ["inferplane compile --all --check -o github", "inferplane validate rendered/ -o github"]
    assert "inferplane diff --base" in commands and "--format markdown" in commands
    assert "gh pr comment" in commands
    assert steps[0]["with"]["fetch-depth"] == 0
    assert workflow["permissions"]["pull-requests"] == "write"


def test_gitlab_job_checks_validates_and_keeps_the_diff():
    job = _gitlab_job()
    script = "\n".join(job["script"])
    assert _inferplane_lines(job["script"]) == ["inferplane compile --all --check", "inferplane validate rendered/"]
    assert "inferplane diff --base" in script
    assert job["variables"]["GIT_DEPTH"] == "0" and job["artifacts"]["paths"] == ["diff.md"]


def test_both_ci_examples_install_from_the_repository_at_this_versions_tag():
    github_installs = [step["run"] for step in _github_steps() if "pip install" in step.get("run", "")]
    gitlab_installs = [line for line in _gitlab_job()["before_script"] if "pip install" in line]
    assert github_installs == gitlab_installs == [INSTALL]


def test_the_release_workflow_builds_checks_and_smoke_tests_the_sdist_and_wheel():
    workflow = YAML_SAFE.load((EXAMPLES / "release.yml").read_text())
    assert workflow["on"] == {"push": {"tags": ["v*"]}}
    runs = [step["run"] for step in workflow["jobs"]["dist"]["steps"] if "run" in step]
    assert runs[0].startswith('test "v$(python -c') and runs[0].endswith('= "$GITHUB_REF_NAME"')
    assert runs[1].splitlines() == ["python -m pip install build twine", "python -m build"]
    assert runs[2] == "python -m twine check --strict dist/*"
    assert runs[3].splitlines()[-2:] == ["/tmp/clean/bin/pip install dist/*.whl", "/tmp/clean/bin/inferplane --version"]
    assert runs[4].startswith('gh release create "$GITHUB_REF_NAME" dist/*')


def _documented_commands() -> list[str]:
    hooks = [hook["entry"] for hook in _hooks().values()]
    github = _inferplane_lines([step.get("run", "") for step in _github_steps()])
    gitlab = _inferplane_lines(_gitlab_job()["script"])
    return list(dict.fromkeys(hooks + github + gitlab))


@needs_shared
@pytest.mark.parametrize("command", _documented_commands())
def test_each_documented_command_passes_on_the_example_fleet(command: str, tmp_path: Path):
    project = _project_copy(tmp_path)
    result = _run(command, project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout  # -o github: an error would be an annotation (warnings may be)


def test_validate_without_the_environments_schema_sources_fails_and_says_why(tmp_path: Path):
    project = _project_copy(tmp_path, with_shared=False)
    result = _run("inferplane validate rendered/prod", project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "environments/prod.yaml: warning[VAL-SOURCE]: CRD source '../../shared/crds' does not exist — "
        "custom resources of kinds it would define are not validated; fix the path or pass --crd"
    )
    assert re.search(r"^rendered/prod/ml-prod/inferenceservice-sklearn-iris\.yaml:2: InferenceService ml-prod/sklearn-iris: no schema for InferenceService", result.stdout, re.M)


FLEET_NOTICE = (
    "warning[VAL-NO-SCHEMA]: 16 kinds not validated, no schema found: Application, AuthorizationPolicy, Certificate, ClusterIssuer, "
    "DestinationRule, Gateway, GitRepository, InferenceGraph, InferenceService, Kustomization, LLMInferenceService, PeerAuthentication, "
    "PodMonitor, RayService, ServingRuntime, VirtualService; "
    "schema sources that do not exist: '../../shared/crds' (asm, dev, prod, staging), '../../shared/crds-by-version/kserve/v0.15.2' (asm, prod), "
    "'../../shared/crds-by-version/kserve/v0.16.0' (dev, staging), '../../shared/crds/kserve/serving.kserve.io_llminferenceservices.yaml' (dev, staging) "
    "— get the schemas with `inferplane schemas pull --env ENV` (URL sources), "
    "a folder named in the environment's spec.validation (crds, kserveCrds, schemaLocations), or --crd PATH"
)


def test_compile_without_the_schema_sources_says_so_once_for_the_whole_fleet(tmp_path: Path):
    project = _project_copy(tmp_path, with_shared=False)
    result = _run("inferplane compile --all --check", project)
    assert result.returncode == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if "VAL-NO-SCHEMA" in line or "VAL-SOURCE" in line]
    assert notices == [FLEET_NOTICE]


# Every kind of input file, and the output: a change to any of them must run the checks.
INPUT_PATHS = ("services/iris.yaml", "environments/prod.yaml", "overlays/prod/iris.yaml", "overlays/prod/patches/10-priority.yaml", "resources/prod/pvc.yaml", "resources/_services/iris/cm.yaml", "rendered/prod/kustomization.yaml")


def test_the_compile_hook_and_the_github_trigger_cover_every_kind_of_input():
    files = re.compile(_hooks()["inferplane-compile-check"]["files"])
    assert [path for path in INPUT_PATHS if not files.search(path)] == []
    assert not files.search("docs/ci.md") and not files.search("README.md")
    paths = YAML_SAFE.load((EXAMPLES / "github-actions.yml").read_text())["on"]["pull_request"]["paths"]
    folders = {pattern.removesuffix("/**") for pattern in paths}
    assert [path for path in INPUT_PATHS if path.split("/")[0] not in folders] == []


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", "-c", "init.defaultBranch=main", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _pull_request(tmp_path: Path) -> Path:
    """A new repository of the example fleet, pushed to `origin` (a bare repository) on main, and a
    checkout with one change on top: the canary of sklearn-iris in prod at 25%, recompiled."""
    origin = tmp_path / "origin.git"
    _git(tmp_path, "init", "-q", "--bare", str(origin))
    project = _project_copy(tmp_path)
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "fleet")
    _git(project, "remote", "add", "origin", str(origin))
    _git(project, "push", "-q", "origin", "HEAD:main")
    _git(project, "fetch", "-q", "origin")
    assert _run("inferplane promote sklearn-iris --weight 25 --env prod && inferplane compile --all", project).returncode == 0
    return project


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@needs_shared
def test_the_diff_steps_run_as_written_on_a_new_repositorys_first_pull_request(tmp_path: Path):
    project = _pull_request(tmp_path)
    github = next(step["run"] for step in _github_steps() if "inferplane diff" in step.get("run", ""))
    gitlab = next(line for line in _gitlab_job()["script"] if "inferplane diff" in line)
    for script, variables in (
        (github.replace("${{ github.base_ref }}", "main"), {}),
        (gitlab, {"CI_MERGE_REQUEST_IID": "1", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"}),
    ):
        (project / "diff.md").unlink(missing_ok=True)
        result = _run(_exported(variables) + script, project)
        assert result.returncode == 0, result.stdout + result.stderr
        comment = (project / "diff.md").read_text(encoding="utf-8")
        assert comment.startswith("<!-- inferplane-diff -->\n### Inferplane rendered diff: `origin/main (")
        assert "- `prod`: production traffic moves: sklearn-iris: canary weight 10% → 25%" in comment


def _exported(variables: dict[str, str]) -> str:
    return "".join(f"export {name}={value}\n" for name, value in variables.items())


def test_the_gitlab_job_finds_its_own_earlier_note_by_the_marker():
    script = next(line for line in _gitlab_job()["script"] if "inferplane diff" in line)
    finder = re.search(r"\| (python -c '[^']*')\)", script).group(1)
    notes = '[{"id": 7, "body": "LGTM"}, {"id": 5, "body": "<!-- inferplane-diff -->\\n### Inferplane"}, {"id": 3, "body": "<!-- inferplane-diff -->"}]'
    assert _run(f"echo '{notes}' | {finder}", REPO).stdout == "5\n"  # the newest of its own (notes sorted newest first)
    assert _run(f"echo '[{{\"id\": 7, \"body\": \"LGTM\"}}]' | {finder}", REPO).stdout == "\n"
