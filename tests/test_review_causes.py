"""The pull-request comment names causes: identical changes told once with the spec line behind
them, every change with its spec file:line, a removed object as one line, the GPU budget moving.

One fleet, one pull request: the example fleet plus two copies of sklearn-iris (iris-a, iris-b),
with bert-tfserving at 8 replicas at most. The pull request then
- raises prod's default memory limit (environments/prod.yaml:24) 1Gi → 2Gi,
- moves prod's canary of sklearn-iris to another model (overlays/prod/sklearn-iris.yaml:11),
- takes iris-b off the gateway (its VirtualService goes),
- lets bert-tfserving scale to 10 (services/bert-tfserving.yaml:21): 8 → 10 T4 GPUs on ECI.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.emit.provenance import Provenance
from compiler.errors import Location
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci", *args], cwd=root, check=True, capture_output=True)


def run(root: Path, *args: str):
    return CliRunner().invoke(main, ["-C", str(root), *args], catch_exceptions=False)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fleet")
    for folder in ("services", "environments", "overlays"):
        shutil.copytree(REPO / folder, root / folder)
    for name in ("iris-a", "iris-b"):
        source = (REPO / "services" / "sklearn-iris.yaml").read_text(encoding="utf-8")
        (root / "services" / f"{name}.yaml").write_text(source.replace("name: sklearn-iris\n", f"name: {name}\n"), encoding="utf-8")
        shutil.copy(REPO / "overlays" / "dev" / "sklearn-iris.yaml", root / "overlays" / "dev" / f"{name}.yaml")
    edit(root / "services" / "bert-tfserving.yaml", "maxReplicas: 10", "maxReplicas: 8")
    assert run(root, "compile", "--all").exit_code == 0
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    edit(root / "environments" / "prod.yaml", 'limits: {cpu: "1", memory: 1Gi}', 'limits: {cpu: "1", memory: 2Gi}')
    edit(root / "overlays" / "prod" / "sklearn-iris.yaml", "model-2\n", "model-3\n")
    edit(root / "services" / "iris-b.yaml", "public: true", "public: false")
    edit(root / "services" / "bert-tfserving.yaml", "maxReplicas: 8", "maxReplicas: 10")
    return root


@pytest.fixture(scope="module")
def markdown(pull_request: Path) -> str:
    result = run(pull_request, "diff", "--base", "HEAD", "--env", "prod", "-o", "markdown")
    assert result.exit_code == 0, result.output
    return result.stdout


GROUP_LINE = (
    "- `InferenceService` `spec.predictor.model.resources.limits.memory` 1Gi → 2Gi in 3 services: "
    "`iris-a`, `iris-b`, `iris-transformer` (cause: `environments/prod.yaml:24` defaults)"
)


def test_identical_changes_collapse_into_one_line_with_their_cause(markdown: str):
    lines = markdown.splitlines()
    assert lines.count(GROUP_LINE) == 1
    # sklearn-iris's InferenceService changed more (its canary's model): not the same change.
    assert "**`sklearn-iris`**" in markdown
    # The members are told by the group: no line and no block of their own, one block for all.
    assert "changed InferenceService ml-prod/iris-a" not in markdown and "**`iris-a`**" not in markdown
    assert markdown.count("InferenceService ml-prod/iris-a (1 field) and 2 more alike") == 1
    assert "InferenceService ml-prod/iris-transformer" not in markdown


def test_a_group_names_its_first_services_and_counts_the_rest(pull_request: Path):
    from compiler.diff.report_markdown import _group_line
    from compiler.diff.result import ChangeGroup, FieldChange

    field = FieldChange("replace", "/spec/x", "spec.x", 1, 2, "environments/prod.yaml:12", "defaults")
    names = tuple(f"svc-{index:03}" for index in range(300))
    line = _group_line(ChangeGroup("InferenceService", (field,), names, tuple(f"InferenceService ml/{n}" for n in names)))
    assert line == "- `InferenceService` `spec.x` 1 → 2 in 300 services: `svc-000`, `svc-001`, `svc-002` and 297 more (cause: `environments/prod.yaml:12` defaults)"


def test_every_change_names_the_spec_line_that_caused_it(markdown: str):
    summary = markdown.split("<details>")[0]
    # An overlay value names the overlay's line; a service value the service's line.
    assert "  - sklearn-iris: model URI of predictor.model gs://kfserving-examples/models/sklearn/1.0/model-2 → gs://kfserving-examples/models/sklearn/1.0/model-3 ← `overlays/prod/sklearn-iris.yaml:11`" in summary.replace("\\", "")
    assert "  - bert-tfserving: predictor max replicas 8 → 10 ← `services/bert-tfserving.yaml:21`" in summary


def test_a_removed_resource_is_one_line_with_a_collapsed_body(markdown: str):
    summary, _, blocks = markdown.partition("<details>")
    iris_b = summary.split("- **`iris-b`**\n")[1].split("\n- ")[0].splitlines()
    about_route = [line for line in iris_b if "iris-b-route" in line or "iris-b.prod.models.example.com" in line]
    assert about_route == ["  - removed VirtualService ml-prod/iris-b-route ← `services/iris-b.yaml:1`"]
    assert not [line for line in iris_b if "unset" in line]
    assert markdown.count("<summary>➖ prod · removed · VirtualService ml-prod/iris-b-route · from services/iris-b.yaml:1</summary>") == 1


def test_the_gpu_budget_moves_by_class_and_its_growth_is_a_risk(markdown: str):
    lines = markdown.splitlines()
    assert "- `t4-eci`: 8 → 10 of quota 10 ⬆️" in lines
    review = markdown.split("#### `prod`")[0]
    assert "- `prod`: GPU budget grows: class t4-eci 8 → 10 GPUs (quota 10)" in review.replace("\\", "")
    # Riskiest first: wider access (rank 1), then the GPU budget (4), then exposure (5).
    risky = [line.split(":")[1].strip() for line in review.splitlines() if line.startswith("- `prod`")]
    assert risky == ["wider access", "GPU budget grows", "exposure"]


def test_text_and_json_tell_the_same(pull_request: Path):
    text = run(pull_request, "diff", "--base", "HEAD", "--env", "prod").stdout
    assert "  ~ InferenceService in 3 services (iris-a, iris-b, iris-transformer), each:" in text
    assert "      ~ spec.predictor.model.resources.limits.memory: 1Gi → 2Gi  ← environments/prod.yaml:24 (defaults)" in text
    assert "  GPU budget t4-eci: 8 → 10 of quota 10 (grows)" in text
    data = json.loads(run(pull_request, "diff", "--base", "HEAD", "--env", "prod", "-o", "json").stdout)
    prod = data["environments"][0]
    assert data["schemaVersion"] == 3
    [group] = prod["groups"]
    assert group["count"] == 3 and group["services"] == ["iris-a", "iris-b", "iris-transformer"]
    assert group["fields"][0]["cause"] == {"at": "environments/prod.yaml:24", "kind": "defaults"}
    assert prod["gpuBudget"] == [{"gpuClass": "t4-eci", "old": 8, "new": 10, "quota": 10, "grows": True}]


def test_a_cause_descends_from_the_emitters_origin_into_the_resolved_spec():
    service, defaults = Location("services/a.yaml", 16, 5), Location("environments/prod.yaml", 24, 28)
    provenance = Provenance(
        origins={"/spec/predictor/model/resources": service},
        positions={("spec", "predictor", "resources"): service, ("spec", "predictor", "resources", "limits", "memory"): defaults},
    )
    assert provenance.cause("/spec/predictor/model/resources/limits/memory") == defaults
    assert provenance.describe("/spec/predictor/model/resources/limits/memory") == ("environments/prod.yaml:24", "defaults")
    # Below the origin, a key the spec does not have stays at the origin; above every origin: unknown.
    assert provenance.cause("/spec/predictor/model/resources/limits/cpu") == service
    assert provenance.cause("/metadata/name") is None


@pytest.mark.parametrize(
    ("old", "new", "grows"),
    [(8, 10, True), (10, 8, False), (8, "unbounded", True), ("unbounded", 8, False), (None, 4, True), (4, None, False), (None, 0, False)],
)
def test_a_budget_grows_only_when_more_gpus_may_be_used(old, new, grows):
    from compiler.diff.gpu_budget import budget_changes

    before = {} if old is None else {"t4": (old, 8)}
    after = {} if new is None else {"t4": (new, 8)}
    [change] = budget_changes(before, after)
    assert (change.gpu_class, change.old, change.new, change.grows) == ("t4", old, new, grows)


def test_an_unchanged_budget_or_a_side_without_budgets_says_nothing():
    from compiler.diff.gpu_budget import budget_changes

    assert budget_changes({"t4": (8, 8)}, {"t4": (8, 8)}) == ()
    assert budget_changes(None, {"t4": (8, 8)}) == ()  # a folder diff: the base knows no budget


def _changed(service: str, cause: str = "environments/prod.yaml:24", new: str = "2Gi"):
    from compiler.diff.model import Identity, Resource
    from compiler.diff.result import FieldChange, ResourceChange

    resource = Resource(Identity("serving.kserve.io", "InferenceService", "ml", service), {"metadata": {"labels": {"app.kubernetes.io/name": service}}})
    field = FieldChange("replace", "/spec/predictor/model/resources/limits/memory", "spec.predictor.model.resources.limits.memory", "1Gi", new, cause, "defaults")
    return ResourceChange("changed", resource, resource, (field,))


def test_three_services_changed_alike_are_a_group_and_two_are_not():
    from compiler.diff.collapse import group_identical

    assert group_identical([_changed("a"), _changed("b")]) == ()
    [group] = group_identical([_changed("a"), _changed("b"), _changed("c")])
    assert group.services == ("a", "b", "c") and group.causes == ("environments/prod.yaml:24",)


def test_the_same_value_from_different_lines_or_a_different_value_is_not_the_same_change():
    from compiler.diff.collapse import group_identical

    assert group_identical([_changed("a"), _changed("b"), _changed("c", cause="overlays/prod/c.yaml:5")]) == ()
    assert group_identical([_changed("a"), _changed("b"), _changed("c", new="4Gi")]) == ()
