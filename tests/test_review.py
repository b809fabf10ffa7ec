"""The review workflow end to end: promote a canary, then read the diff a pull request would show."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def fleet_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("services", "environments", "overlays", "rendered"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_canary_promotion_reads_as_one_weight_change_in_the_pr_comment(fleet_repo: Path):
    assert run("promote", "sklearn-iris", "--weight", "25", "--env", "prod").exit_code == 0
    # The spec change is one line: v1 leaves its weight out and takes the rest.
    numstat = subprocess.run(["git", "diff", "--numstat"], cwd=fleet_repo, capture_output=True, text=True, check=True).stdout
    assert numstat == "1\t1\toverlays/prod/sklearn-iris.yaml\n"
    result = run("diff", "--base", "HEAD", "-o", "markdown", "--exit-code")
    assert result.exit_code == 1  # something changed
    summary, _, body = result.stdout.partition("<details>")
    assert "#### `prod`" in summary and "sklearn-iris" in summary and "10% → 25%" in summary
    assert "staging" not in result.stdout and "dev" not in summary  # other environments unchanged
    assert result.stdout.count("<details>") == 1  # only the changed resource
    assert "InferenceService ml-prod/sklearn-iris" in body
    assert "-    canaryTrafficPercent: 10" in body and "+    canaryTrafficPercent: 25" in body


def test_no_change_no_diff(fleet_repo: Path):
    result = run("diff", "--base", "HEAD", "--exit-code")
    assert result.exit_code == 0, result.stdout
