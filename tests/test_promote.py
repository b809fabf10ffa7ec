"""promote edits only the weight line(s): comments, order, quoting and indentation stay."""

import difflib
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.commands.promote import PromoteRefused, new_weights, set_weights

SERVICE = """\
# yaml-language-server: $schema=../schemas/modelservice.schema.json
# The iris classifier.
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: knative
  predictor:
    model:
      format: sklearn
      storageUri: "gs://bucket/v1"   # the first model
  versions:
    - name: v1
      weight: 90  # stable
    # the candidate
    - name: v2
      weight: 10
      predictor:
        model: {storageUri: 'gs://bucket/v2'}
"""

ENVIRONMENT = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: {name}
spec:
  versions: {{kubernetes: "1.33", kserve: "0.16.0"}}
  namespace: models
"""


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) of the diff."""
    diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0) if not line.startswith(("+++", "---", "@@"))]
    return [line[1:] for line in diff if line.startswith("-")], [line[1:] for line in diff if line.startswith("+")]


# ---------------------------------------------------------------- deciding

WEIGHTS = [
    ([("v1", 90), ("v2", 10)], 20, None, {"v2": 20, "v1": 80}),
    ([("v1", 90), ("v2", 10)], 100, None, {"v2": 100, "v1": 0}),
    ([("v1", 90), ("v2", 10)], 75, "v1", {"v1": 75, "v2": 25}),
    ([("v2", 100)], 100, None, {"v2": 100}),
    ([("v1", 80), ("v2", 10), ("v3", 10)], 15, "v2", {"v1": 75, "v2": 15, "v3": 10}),
]


@pytest.mark.parametrize("listed, weight, version, expected", WEIGHTS)
def test_new_weights(listed, weight, version, expected):
    assert new_weights(listed, weight, version) == expected


REFUSED = [
    ([], 10, None, "lists no versions"),
    ([("v1", 90), ("v2", 10)], 10, "v3", "unknown version"),
    ([("v1", 90), ("v2", 10)], 120, None, "outside 0-100"),
    ([("v1", 90), ("v2", 10)], -1, None, "outside 0-100"),
    ([("v2", 100)], 50, None, "only version"),
    ([("v1", 80), ("v2", 10), ("v3", 10)], 50, "v1", "takes up the difference"),
    ([("v1", 10), ("v2", 50), ("v3", 40)], 70, "v2", "exceed 100"),
]


@pytest.mark.parametrize("listed, weight, version, message", REFUSED)
def test_refused(listed, weight, version, message):
    with pytest.raises(PromoteRefused, match=message):
        new_weights(listed, weight, version)


# ---------------------------------------------------------------- editing text


def test_only_the_weight_lines_change():
    after = set_weights(SERVICE, {"v2": 20, "v1": 80})
    assert changed_lines(SERVICE, after) == (["      weight: 90  # stable", "      weight: 10"], ["      weight: 80  # stable", "      weight: 20"])


def test_flow_style_and_quoted_weights_keep_their_style():
    text = "spec:\n  versions:\n  - {name: v1, weight: '90'}   # stable\n  - {name: v2, weight: 10}\n"
    assert set_weights(text, {"v1": 80, "v2": 20}) == "spec:\n  versions:\n  - {name: v1, weight: '80'}   # stable\n  - {name: v2, weight: 20}\n"


def test_an_overlay_without_weights_gets_them_and_keeps_its_comments():
    overlay = "# staging checks every sync.\nspec:\n  smokeTest:\n    enabled: true   # on\n"
    after = set_weights(overlay, {"v1": 80, "v2": 20})
    assert after.startswith(overlay)
    assert after[len(overlay):] == "  versions:\n    - name: v1\n      weight: 80\n    - name: v2\n      weight: 20\n"


def test_an_overlay_with_one_weight_gets_the_other_appended_in_its_style():
    overlay = "spec:\n  versions:\n  - name: v1\n    weight: 90\n"
    assert set_weights(overlay, {"v1": 80, "v2": 20}) == "spec:\n  versions:\n  - name: v1\n    weight: 80\n  - name: v2\n    weight: 20\n"


# ---------------------------------------------------------------- the command


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "iris.yaml").write_text(SERVICE)
    (tmp_path / "environments").mkdir()
    for name in ("staging", "prod"):
        (tmp_path / "environments" / f"{name}.yaml").write_text(ENVIRONMENT.format(name=name))
    (tmp_path / "overlays" / "prod").mkdir(parents=True)
    (tmp_path / "overlays" / "prod" / "iris.yaml").write_text("# prod: more replicas.\nspec:\n  scaling:\n    minReplicas: 2\n  versions:\n    - name: v2\n      weight: 5   # prod is careful\n    - name: v1\n      weight: 95\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_promote_changes_the_weight_lines_of_the_service_file(project: Path):
    result = run("promote", "iris", "--weight", "20")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(SERVICE, (project / "services" / "iris.yaml").read_text()) == (["      weight: 90  # stable", "      weight: 10"], ["      weight: 80  # stable", "      weight: 20"])
    assert result.stdout == "services/iris.yaml: v2 10 → 20, v1 90 → 80\n"


def test_with_the_stable_weight_left_out_promote_changes_exactly_one_line(project: Path):
    implicit = SERVICE.replace("      weight: 90  # stable\n", "").replace("    - name: v1\n", "    - name: v1  # stable: takes the rest\n")
    (project / "services" / "iris.yaml").write_text(implicit)
    result = run("promote", "iris", "--weight", "35")
    assert result.exit_code == 0, result.stderr
    assert changed_lines(implicit, (project / "services" / "iris.yaml").read_text()) == (["      weight: 10"], ["      weight: 35"])
    assert result.stdout == "services/iris.yaml: v2 10 → 35, v1 90 → 65\n"
    compiled = run("compile", "--env", "staging")  # staging has no overlay of its own
    assert compiled.exit_code == 0, compiled.stderr
    isvc = (project / "rendered" / "staging" / "models" / "inferenceservice-iris.yaml").read_text()
    assert "canaryTrafficPercent: 35" in isvc


def test_promote_in_an_environment_edits_its_overlay(project: Path):
    overlay = project / "overlays" / "prod" / "iris.yaml"
    before = overlay.read_text()
    assert run("promote", "iris", "--weight", "10", "--env", "prod").exit_code == 0
    assert changed_lines(before, overlay.read_text()) == (["      weight: 5   # prod is careful", "      weight: 95"], ["      weight: 10   # prod is careful", "      weight: 90"])
    assert (project / "services" / "iris.yaml").read_text() == SERVICE


def test_promote_creates_the_overlay_with_the_weights_only(project: Path):
    assert run("promote", "iris", "--weight", "30", "--env", "staging").exit_code == 0
    written = (project / "overlays" / "staging" / "iris.yaml").read_text()
    assert written.splitlines()[1:] == ["spec:", "  versions:", "    - name: v2", "      weight: 30", "    - name: v1", "      weight: 70"]
    assert written.startswith("# iris in staging")


def test_the_promoted_spec_still_compiles_with_the_new_weights(project: Path):
    from compiler.spec.check import check_model
    from compiler.source.load import load_project
    from compiler.source.resolve import resolve_service
    from compiler.spec.models import ModelService

    run("promote", "iris", "--weight", "40", "--env", "staging")
    sources = load_project(project)
    layer = resolve_service(sources.services["iris"], None, sources.overlays[("staging", "iris")])
    service, errors = check_model(layer, ModelService, "ModelService")
    assert errors == []
    assert [(v.name, v.weight) for v in service.spec.versions] == [("v1", 60), ("v2", 40)]


def test_dry_run_prints_the_diff_and_writes_nothing(project: Path):
    result = run("promote", "iris", "--weight", "20", "--dry-run")
    assert result.exit_code == 0
    assert "-      weight: 10\n+      weight: 20\n" in result.stdout
    assert (project / "services" / "iris.yaml").read_text() == SERVICE


USAGE_ERRORS = [
    # Names and values on the command line that the project does not have: the command is wrong.
    (("promote", "irsi", "--weight", "20"), "inferplane: error: unknown service 'irsi' — did you mean 'iris'? (known: iris)\n"),
    (("promote", "iris", "--weight", "20", "--version", "v3"), "inferplane: error: unknown version 'v3' of iris (known: v1, v2)\n"),
    (("promote", "iris", "--weight", "20", "--version", "v3", "--env", "prod"), "inferplane: error: unknown version 'v3' of iris in prod (known: v1, v2)\n"),
    (("promote", "iris", "--weight", "20", "--env", "qa"), "inferplane: error: unknown environment 'qa' (known: prod, staging)\n"),
    (("promote", "iris", "--weight", "20", "--env", "prd"), "inferplane: error: unknown environment 'prd' — did you mean 'prod'? (known: prod, staging)\n"),
]


@pytest.mark.parametrize("args, stderr", USAGE_ERRORS)
def test_unknown_names_on_the_command_line_are_usage_errors(project: Path, args, stderr):
    result = run(*args)
    assert (result.exit_code, result.stderr) == (2, stderr)
    assert (project / "services" / "iris.yaml").read_text() == SERVICE


ONE_VERSION = SERVICE.split("    # the candidate\n")[0]
NO_VERSIONS = SERVICE.split("  versions:\n")[0]
INPUT_ERRORS = [
    # The files make the promotion impossible: one located line (at spec.versions, or at spec when
    # there are none), exit 1.
    (ONE_VERSION, "services/iris.yaml:13:3: error[PROMOTE]: v1 is the only version, so it takes all traffic — add the next version to `spec.versions` first"),
    (NO_VERSIONS, "services/iris.yaml:7:1: error[PROMOTE]: the service lists no versions — add `spec.versions` (see docs/traffic.md) before promoting"),
]


@pytest.mark.parametrize("text, message", INPUT_ERRORS)
def test_a_promotion_the_files_do_not_allow_is_one_located_line_and_exit_1(project: Path, text, message):
    (project / "services" / "iris.yaml").write_text(text)
    result = run("promote", "iris", "--weight", "20")
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert (project / "services" / "iris.yaml").read_text() == text


def test_usage_errors_exit_2(project: Path):
    assert run("promote", "iris", "--weight", "ten").exit_code == 2
    assert run("promote", "iris").exit_code == 2
    for weight in ("101", "-1"):
        result = run("promote", "iris", "--weight", weight)
        assert result.exit_code == 2
        assert result.stderr.endswith(f"Error: Invalid value for '--weight': {weight} is not in the range 0<=x<=100.\n")
    assert run("promote", "iris", "--weight", "100", "--dry-run").exit_code == 0  # both ends of the range
    assert run("promote", "iris", "--weight", "0", "--dry-run").exit_code == 0
