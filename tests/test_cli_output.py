"""The command line's machine formats and habits: -o github / -o sarif for compile and validate,
`-` for standard input, --quiet, NO_COLOR, and shell completion — each with its exact output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from compiler.cli import main
from compiler.commands.completion import diagnostic_id_names
from compiler.commands.report import use_color
from compiler.commands.validate_tree import group_paths
from tests.conftest import REPO

BASE = REPO / "tests" / "bad_input" / "_base"
# The bad-input corpus's misspelled service (storageUrl for storageUri at line 10, column 7).
MISSPELLED = YAML(typ="safe").load((REPO / "tests" / "bad_input" / "spec-misspelled-key" / "case.yaml").read_text())["write"]["services/iris.yaml"]
NOTICE = (
    "1 kind not validated, no schema found: InferenceService — get the schemas with `inferplane schemas pull --env ENV` (URL sources), "
    "a folder named in the environment's spec.validation (crds, kserveCrds, schemaLocations), or --crd PATH"
)
TYPO = "unknown key 'storageUrl' in spec.predictor.model — did you mean 'storageUri'?"
# A Service with a misspelled field: one schema error at line 6, column 3.
BAD_SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  portz: 1\n"
SERVICE_ISSUE = 'Service web: /spec/portz: unknown field "portz"; did you mean "ports"?'


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    (project / "services" / "iris.yaml").write_text(MISSPELLED)
    monkeypatch.chdir(project)
    return project


def run(*args: str, input: str | None = None, env: dict | None = None):
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_compile_github_prints_one_workflow_command_per_diagnostic_on_stdout(broken: Path):
    result = run("compile", "--all", "-o", "github")
    assert result.exit_code == 1
    assert result.stdout == (
        f"::warning title=VAL-NO-SCHEMA::{NOTICE}\n"
        f"::error file=services/iris.yaml,line=10,col=7,title=SPEC-UNKNOWN-KEY::{TYPO}\n"
    )
    assert result.stderr == "compile failed: 1 error, 1 warning; nothing written\n"


def test_compile_sarif_is_one_run_with_one_result_per_diagnostic(broken: Path):
    result = run("compile", "--all", "-o", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run_,) = log["runs"]
    assert run_["tool"]["driver"]["name"] == "inferplane"
    assert run_["tool"]["driver"]["rules"] == [
        {"id": "SPEC-UNKNOWN-KEY", "shortDescription": {"text": "a key the spec does not have"}},
        {"id": "VAL-NO-SCHEMA", "shortDescription": {"text": "a kind has no schema, so it is not validated"}},
    ]
    assert run_["results"] == [
        {"ruleId": "VAL-NO-SCHEMA", "ruleIndex": 1, "level": "warning", "message": {"text": NOTICE}},
        {
            "ruleId": "SPEC-UNKNOWN-KEY",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": TYPO},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "services/iris.yaml"}, "region": {"startLine": 10, "startColumn": 7}}}],
        },
    ]


def test_sarif_has_every_property_the_2_1_0_schema_requires(broken: Path):
    # Required by sarif-schema-2.1.0.json: log {version, runs}; run {tool}; tool {driver};
    # driver {name}; result {message}; message {text}; reportingDescriptor {id}.
    log = json.loads(run("compile", "--all", "-o", "sarif").stdout)
    assert {"version", "runs"} <= set(log)
    for run_ in log["runs"]:
        assert "name" in run_["tool"]["driver"]
        assert all("id" in rule for rule in run_["tool"]["driver"]["rules"])
        for result in run_["results"]:
            assert result["message"]["text"] and result["level"] in ("error", "warning", "note", "none")
            assert run_["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_quiet_compile_that_succeeds_prints_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    monkeypatch.chdir(project)
    loud = run("compile", "--all")
    assert loud.exit_code == 0 and loud.stderr.startswith("warning[VAL-NO-SCHEMA]") and loud.stdout
    quiet = run("compile", "--all", "--check", "-q")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")


def test_validate_reads_standard_input_for_dash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    result = run("validate", "-", input=BAD_SERVICE)
    assert (result.exit_code, result.stdout, result.stderr) == (1, f"<stdin>:6: {SERVICE_ISSUE}\n", "")
    good = run("validate", "-", input=BAD_SERVICE.replace("portz: 1", "ports: [{port: 80}]"))
    assert (good.exit_code, good.stdout) == (0, "")


def test_validate_github_and_sarif_locate_the_issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "web.yaml").write_text(BAD_SERVICE)
    github = run("validate", "web.yaml", "-o", "github")
    assert (github.exit_code, github.stdout) == (1, f"::error file=web.yaml,line=6,col=3,title=VAL-SCHEMA::{SERVICE_ISSUE}\n")
    sarif = json.loads(run("validate", "-", "-o", "sarif", input=BAD_SERVICE).stdout)
    assert sarif["runs"][0]["results"] == [
        {
            "ruleId": "VAL-SCHEMA",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": SERVICE_ISSUE},
            # A URI reference: `<stdin>` percent-encoded.
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": "%3Cstdin%3E"}, "region": {"startLine": 6, "startColumn": 3}}}],
        }
    ]


def test_github_escapes_what_would_end_a_property_or_the_line():
    from compiler.commands.annotations import to_github
    from compiler.errors import Diagnostic, Location

    diag = Diagnostic("X-1", "50% of a\nb", "", Location("dir,with:colon.yaml", 2, 3))
    assert to_github([diag]) == "::error file=dir%2Cwith%3Acolon.yaml,line=2,col=3,title=X-1::50%25 of a%0Ab"


def test_quiet_validate_leaves_out_notes_and_the_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    custom = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\n" + BAD_SERVICE
    loud = run("validate", "-", "--ignore-missing-schemas", "--summary", input=custom)
    assert loud.stdout.splitlines() == [
        f"<stdin>:11: {SERVICE_ISSUE}",
        "note: Widget (example.com/v1) has no schema: not validated",
        "Summary: 2 resources found in 1 file - Valid: 0, Invalid: 1, Errors: 0, Skipped: 1, Missing schemas: 1, Issues: 1",
    ]
    quiet = run("validate", "-", "--ignore-missing-schemas", "--summary", "-q", input=custom)
    assert (quiet.exit_code, quiet.stdout) == (1, f"<stdin>:11: {SERVICE_ISSUE}\n")


def test_rendered_paths_are_grouped_by_their_environment(tmp_path: Path):
    project = tmp_path / "project"
    for name in ("dev", "prod"):
        (project / "rendered" / name / "ns").mkdir(parents=True)
    (project / "rendered" / "prod" / "ns" / "a.yaml").write_text("")
    (project / "environments").mkdir()
    for name in ("dev", "prod"):
        (project / "environments" / f"{name}.yaml").write_text("")
    (project / "rendered" / "_gitops").mkdir()
    elsewhere = tmp_path / "manifests"
    elsewhere.mkdir()
    root = project.resolve()

    def groups(*paths: Path, env: str | None = None):
        return [(g.environment[1] if g.environment else None, g.paths) for g in group_paths(paths, project, env)]

    rendered = project / "rendered"
    (rendered / "notes").mkdir()
    # The fleet's _gitops/ with the first environment's settings; a folder of no environment with none.
    assert groups(rendered) == [("dev", [rendered / "_gitops", rendered / "dev"]), (None, [rendered / "notes"]), ("prod", [rendered / "prod"])]
    assert groups(rendered / "prod" / "ns" / "a.yaml", elsewhere) == [("prod", [rendered / "prod" / "ns" / "a.yaml"]), (None, [elsewhere])]
    assert groups(elsewhere, Path("-"), env="dev") == [("dev", [elsewhere, Path("-")])]
    assert group_paths((rendered / "dev",), project, None)[0].environment == (root, "dev")


@pytest.mark.parametrize(
    ("flag", "terminal", "no_color", "expected"),
    [
        (None, True, None, True),
        (None, True, "", True),  # set but empty: colour stays (no-color.org: "present and not an empty string")
        (None, True, "1", False),
        (None, True, "0", False),  # any non-empty value
        (None, False, None, False),
        (True, True, "1", True),  # the command line decides over NO_COLOR
        (True, False, None, True),
        (False, True, None, False),
    ],
)
def test_colour_follows_the_flag_then_no_color_then_the_terminal(flag, terminal, no_color, expected):
    environ = {} if no_color is None else {"NO_COLOR": no_color}
    assert use_color(flag, terminal, environ) is expected


def test_diff_uses_no_colour_under_no_color_unless_asked(tmp_path: Path):
    old, new = tmp_path / "old" / "prod", tmp_path / "new" / "prod"  # one environment, prod, on both sides
    for folder, replicas in ((old, 1), (new, 2)):
        folder.mkdir(parents=True)
        (folder / "cm.yaml").write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: ns\ndata:\n  replicas: '{replicas}'\n")
    args = ("diff", "--from", str(old), "--to", str(new))
    plain = run(*args, env={"NO_COLOR": "1"})
    forced = run(*args, "--color", env={"NO_COLOR": "1"})
    assert plain.exit_code == forced.exit_code == 0
    assert plain.stdout.splitlines()[1:] == ["", "== prod: 1 changed ==", "  ~ ConfigMap ns/c  cm.yaml", "      ~ data.replicas: 1 → 2"]
    assert "\x1b[" in forced.stdout
    assert re.sub("\x1b\\[[0-9;]*m", "", forced.stdout) == plain.stdout


def _complete(words: str, project: Path) -> str:
    env = {"_INFERPLANE_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = CliRunner().invoke(main, [], env=env, prog_name="inferplane")
    return result.stdout


def test_completion_offers_environments_services_and_ids(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(REPO)
    assert _complete("inferplane compile --env ", REPO) == "plain,asm\nplain,dev\nplain,prod\nplain,staging\n"
    assert _complete("inferplane validate --env st", REPO) == "plain,staging\n"
    assert _complete("inferplane diff --env prod --against d", REPO) == "plain,dev\n"
    assert _complete("inferplane promote sk", REPO) == "plain,sklearn-iris\nplain,sklearn-mnist\n"
    assert _complete("inferplane explain val-s", REPO) == "plain,VAL-SCHEMA\nplain,VAL-SOURCE\n"
    assert _complete("inferplane -C tests/bad_input/_base compile --env ", REPO) == "plain,dev\nplain,prod\n"


def test_completion_of_a_folder_that_is_not_a_project_is_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert _complete("inferplane compile --env ", tmp_path).strip() == ""
    assert diagnostic_id_names("zz") == []


def test_a_stale_tree_under_github_output_still_names_the_files_and_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    project = tmp_path / "project"
    shutil.copytree(BASE, project)
    monkeypatch.chdir(project)
    assert run("compile", "--all").exit_code == 0
    (project / "rendered" / "prod" / "kustomization.yaml").write_text("stale: true\n")
    result = run("compile", "--all", "--check", "-o", "github", "-q")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "rendered/prod/kustomization.yaml: stale: differs from what compile would write\n"
        "rendered tree is stale: run `inferplane compile` and commit the result\n"
    )
