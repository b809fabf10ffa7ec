"""Loading the rendered tree committed at a git ref, in a throwaway repository with real commits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from compiler.diff import (
    default_base_ref,
    diff_trees,
    load_tree_at_ref,
    load_tree_from_folder,
)
from compiler.diff.model import Identity
from compiler.errors import UsageError

ISVC = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: sklearn-iris
  namespace: ml
  labels:
    app.kubernetes.io/name: sklearn-iris
spec:
  predictor:
    canaryTrafficPercent: {weight}
    model:
      modelFormat:
        name: sklearn
      storageUri: gs://models/iris/v2
"""
IRIS = Identity("serving.kserve.io", "InferenceService", "ml", "sklearn-iris")


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True, text=True, env=env).stdout


def write(repo: Path, rel: str, text: str) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: weight 10 committed; branch `feature` checked out with weight 25 committed."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "rendered/prod/ml/inferenceservice-sklearn-iris.yaml", ISVC.format(weight=10))
    write(repo, "rendered/prod/kustomization.yaml", "resources:\n- ml/inferenceservice-sklearn-iris.yaml\n")
    write(repo, "services/sklearn-iris.yaml", "kind: ModelService\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "rendered/prod/ml/inferenceservice-sklearn-iris.yaml", ISVC.format(weight=25))
    git(repo, "commit", "-q", "-am", "raise canary")
    return repo


def test_tree_at_a_ref_is_the_committed_tree(repo):
    base = load_tree_at_ref(repo, "HEAD~1")
    assert list(base) == ["prod"]
    assert base["prod"][IRIS].body["spec"]["predictor"]["canaryTrafficPercent"] == 10
    assert base["prod"][IRIS].path == "ml/inferenceservice-sklearn-iris.yaml"
    assert base.label.startswith("HEAD~1 (")


def test_default_base_is_the_merge_base_with_main(repo):
    main_sha = git(repo, "rev-parse", "main").strip()
    assert default_base_ref(repo) == main_sha
    base = load_tree_at_ref(repo, None)
    assert base.label == f"merge base ({main_sha[:12]})"
    head = load_tree_from_folder(repo / "rendered")
    [environment] = diff_trees(base, head).environments
    [item] = [i for i in environment.summary if i.topic == "traffic"]
    assert (item.environment, item.service, item.old, item.new) == ("prod", "sklearn-iris", 10, 25)


def test_a_project_in_a_subfolder_of_the_repository(repo):
    (repo / "platform").mkdir()
    git(repo, "mv", "rendered", "platform/rendered")
    git(repo, "commit", "-q", "-m", "move the project into platform/")
    tree = load_tree_at_ref(repo / "platform", "HEAD")
    assert tree["prod"][IRIS].body["spec"]["predictor"]["canaryTrafficPercent"] == 25


def test_render_base_replaces_the_committed_tree(repo):
    seen = []

    def render(sha: str) -> dict:
        seen.append(sha)
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "from-specs", "namespace": "ml"}}
        return {"prod": [body]}

    tree = load_tree_at_ref(repo, "main", render_base=render)
    assert seen == [git(repo, "rev-parse", "main").strip()]
    assert list(tree["prod"]) == [Identity("", "ConfigMap", "ml", "from-specs")]


def test_a_ref_without_rendered_is_an_empty_tree(repo):
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-rq", "--cached", ".")
    write(repo, "README.md", "nothing rendered yet\n")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "empty")
    assert len(load_tree_at_ref(repo, "empty")) == 0


def test_an_unknown_ref_is_a_usage_error(repo):
    with pytest.raises(UsageError, match="no-such-branch"):
        load_tree_at_ref(repo, "no-such-branch")


def test_no_default_branch_asks_for_a_base(tmp_path):
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    git(lonely, "init", "-q", "-b", "trunk")
    write(lonely, "a.txt", "a\n")
    git(lonely, "add", ".")
    git(lonely, "commit", "-q", "-m", "a")
    with pytest.raises(UsageError, match="--base"):
        default_base_ref(lonely)
