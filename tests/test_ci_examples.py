"""The CI examples and pre-commit hooks run the commands the docs promise."""

from __future__ import annotations

from ruamel.yaml import YAML

from tests.conftest import REPO

YAML_SAFE = YAML(typ="safe")


def test_pre_commit_hooks_run_the_compile_check_and_validation_on_the_whole_project():
    hooks = {hook["id"]: hook for hook in YAML_SAFE.load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"inferplane-compile-check", "inferplane-validate"}
    assert hooks["inferplane-compile-check"]["entry"] == "inferplane compile --all --check"
    assert hooks["inferplane-validate"]["entry"] == "inferplane validate rendered/"
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["name"]


def test_github_workflow_checks_validates_and_comments_the_diff():
    workflow = YAML_SAFE.load((REPO / "docs" / "examples" / "github-actions.yml").read_text())
    steps = workflow["jobs"]["rendered-tree"]["steps"]
    commands = "\n".join(step.get("run", "") for step in steps)
    assert "inferplane compile --all --check" in commands and "inferplane validate rendered/" in commands
    assert "inferplane diff --base" in commands and "--format markdown" in commands
    assert "gh pr comment" in commands
    assert steps[0]["with"]["fetch-depth"] == 0
    assert workflow["permissions"]["pull-requests"] == "write"


def test_gitlab_job_checks_validates_and_keeps_the_diff():
    job = YAML_SAFE.load((REPO / "docs" / "examples" / "gitlab-ci.yml").read_text())["inferplane"]
    script = "\n".join(job["script"])
    assert "inferplane compile --all --check" in script and "inferplane validate rendered/" in script
    assert "inferplane diff --base" in script
    assert job["variables"]["GIT_DEPTH"] == "0" and job["artifacts"]["paths"] == ["diff.md"]
