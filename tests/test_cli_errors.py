"""The command line's error contract: one line per error, the right exit code, no traceback
unless asked (docs/security-errors.md)."""

from __future__ import annotations

import errno
import os
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import compiler.cli as cli
from compiler.cli import main
from compiler.commands.report import EXIT_INTERNAL_ERROR, ISSUE_TRACKER

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "tests" / "bad_input" / "_base"


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    shutil.copytree(BASE, root)
    monkeypatch.chdir(root)
    return root


def _raise(exc: BaseException):
    def broken(*_args, **_kwargs):
        raise exc

    return broken


# ---------------------------------------------------------------- a bug: one line, exit 70


def test_an_unexpected_exception_is_one_line_naming_the_tracker_and_exit_70(project, monkeypatch):
    monkeypatch.setattr("compiler.pipeline.compile_project", _raise(KeyError("spec")))
    result = run("compile", "--all")
    assert (result.exit_code, result.stdout) == (EXIT_INTERNAL_ERROR, "")
    assert result.stderr == (
        "inferplane: internal error: KeyError: 'spec' — please report this at https://github.com/acme/inferplane/issues"
        " with the command you ran; rerun with --debug for the traceback\n"
    )


def test_a_message_over_several_lines_still_makes_one_line(project, monkeypatch):
    monkeypatch.setattr("compiler.pipeline.compile_project", _raise(RuntimeError("first\n  second\tthird")))
    assert run("compile", "--all").stderr.startswith("inferplane: internal error: RuntimeError: first second third — please report")
    monkeypatch.setattr("compiler.pipeline.compile_project", _raise(AssertionError()))
    assert run("compile", "--all").stderr.startswith("inferplane: internal error: AssertionError — please report")


def test_debug_adds_the_traceback_before_the_same_line(project, monkeypatch):
    monkeypatch.setattr("compiler.pipeline.compile_project", _raise(KeyError("spec")))
    result = run("--debug", "compile", "--all")
    assert result.exit_code == EXIT_INTERNAL_ERROR
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-2] == "KeyError: 'spec'"
    assert lines[-1] == f"inferplane: internal error: KeyError: 'spec' — please report this at {ISSUE_TRACKER} with the command you ran"


def test_the_tracker_is_the_one_pyproject_names():
    urls = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    assert urls["Issues"] == ISSUE_TRACKER


def test_an_os_error_about_a_file_is_located_at_it_and_exit_1(project, monkeypatch):
    monkeypatch.setattr("compiler.commands.compile.write_rendered", _raise(PermissionError(errno.EACCES, "Permission denied", "rendered/prod/.tmp")))
    result = run("compile", "--all")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "rendered/prod/.tmp: error[IO]: permission denied — check that the path is a readable file (or a writable folder for rendered/)"


def test_an_os_error_about_no_file_is_a_bug(project, monkeypatch):
    monkeypatch.setattr("compiler.pipeline.compile_project", _raise(OSError(errno.ENOMEM, "Cannot allocate memory")))
    result = run("compile", "--all")
    assert result.exit_code == EXIT_INTERNAL_ERROR
    assert result.stderr.startswith("inferplane: internal error: OSError: [Errno 12] Cannot allocate memory — please report")


def test_a_closed_pipe_is_not_reported_as_a_bug(project, monkeypatch):
    monkeypatch.setattr("compiler.pipeline.compile_project", _raise(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    result = run("compile", "--all")
    assert result.exit_code == 1  # click's own handling of a reader that went away (`| head`)
    assert "internal error" not in result.stderr


def test_user_mistakes_are_not_bugs(project):
    (project / "services" / "iris.yaml").write_text("kind: ModelService\nspec: [\n")
    result = run("compile", "--all")
    assert result.exit_code == 1
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------- the command line is wrong: exit 2
# Names (environments, services, versions, rules) and paths given on the command line that do not
# exist, values out of range and flags that do not go together. The last line of stderr says why.

USAGE = [
    (("compile",), "Error: give --env ENV (repeatable) or --all"),
    (("compile", "--env", "dev", "--all"), "Error: give --env ENV (repeatable) or --all, not both"),
    (("compile", "--env", "qa"), "inferplane: error: unknown environment 'qa' (known: dev, prod)"),
    (("compile", "--env", "qa", "--env", "prd"), "inferplane: error: unknown environments 'qa', 'prd' (known: dev, prod)"),
    (("compile", "--all", "--crd", "crds/"), "Error: Invalid value for '--crd': Path 'crds/' does not exist."),
    (("validate",), "Error: Missing argument 'PATHS...'."),
    (("validate", "rendered/qa"), "Error: Invalid value for 'PATHS...': Path 'rendered/qa' does not exist."),
    (("validate", "services", "--kubernetes-version", "one"), "Error: Invalid value for '--kubernetes-version': invalid Kubernetes version 'one': expected e.g. 1.33"),
    (("validate", "services", "--kubernetes-version", "1.2"), "Error: Invalid value for '--kubernetes-version': Kubernetes 1.2 is older than every bundled schema set (oldest: 1.25.0)"),
    (("diff", "--from", "rendered"), "Error: --from and --to go together"),
    (("diff", "--to", "rendered"), "Error: --from and --to go together"),
    (("diff", "--from", "rendered", "--to", "rendered", "--env", "prd"), "inferplane: error: unknown environment 'prd' — did you mean 'prod'? (known: dev, prod)"),
    (("diff", "--from", "rendered", "--to", "rendered", "--base", "main"), "Error: --base compares with a git ref; it does not go with --from/--to"),
    (("diff", "--env", "dev", "--against", "prod", "--compile-base"), "Error: --compile-base compares with a git ref; it does not go with --against"),
    (("diff", "--against", "prod"), "Error: --against compares one environment: give exactly one --env"),
    (("diff", "--env", "dev", "--against", "qa", "--from", "rendered", "--to", "rendered"), "inferplane: error: unknown environment 'qa' (known: dev, prod)"),
    (("images",), "Error: Missing option '--env'."),
    (("images", "--env", "qa"), "inferplane: error: unknown environment 'qa' (known: dev, prod)"),
    (("schemas", "pull", "--env", "qa"), "inferplane: error: unknown environment 'qa' (known: dev, prod)"),
    (("-C", "elsewhere", "schema"), "Error: Invalid value for '-C' / '--project': Directory 'elsewhere' does not exist."),
    (("promote", "iris", "--weight", "101"), "Error: Invalid value for '--weight': 101 is not in the range 0<=x<=100."),
    (("promote", "irsi", "--weight", "10"), "inferplane: error: unknown service 'irsi' — did you mean 'iris'? (known: iris, ranker)"),
    (("promote", "iris", "--weight", "10", "--env", "qa"), "inferplane: error: unknown environment 'qa' (known: dev, prod)"),
    (("explain", "KS-99"), "inferplane: error: unknown ID 'KS-99' — did you mean 'KS-19'? — `inferplane explain --list` lists every ID"),
]


@pytest.mark.parametrize("args, last_line", USAGE, ids=[" ".join(args) for args, _ in USAGE])
def test_a_wrong_command_line_exits_2(project, args, last_line):
    compiled = run("compile", "--all")
    assert compiled.exit_code == 0, compiled.stderr  # diff --from/--to read the rendered tree
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.splitlines()[-1].startswith(last_line)
    assert "Traceback" not in result.stderr


def test_the_same_commands_with_known_names_do_not_exit_2(project):
    """The other side of each boundary above: the names that exist are accepted."""
    assert run("compile", "--env", "dev", "--env", "prod").exit_code == 0
    assert run("validate", "rendered", "--kubernetes-version", "1.25", "--ignore-missing-schemas").exit_code == 0
    assert run("diff", "--from", "rendered", "--to", "rendered", "--env", "prod").exit_code == 0
    assert run("diff", "--env", "dev", "--against", "prod", "--from", "rendered", "--to", "rendered").exit_code == 0
    assert run("images", "--env", "prod").exit_code == 0
    assert run("explain", "ks-19").exit_code == 0
    assert run("promote", "iris", "--weight", "10").exit_code == 1  # a known service without versions: the file, exit 1


# ---------------------------------------------------------------- files that cannot be read: exit 1


def test_a_folder_named_like_a_spec_is_an_error_at_its_path(project):
    (project / "overlays" / "prod" / "patches" / "p.yaml").mkdir(parents=True)
    result = run("compile", "--all")
    assert result.exit_code == 1
    assert "overlays/prod/patches/p.yaml: error[IO-READ]: a folder, not a file — files ending .yaml in patches/ are read as inputs: rename the folder or move it out\n" in result.stderr


def test_a_fifo_named_like_a_spec_is_an_error_not_a_hang(project):
    os.mkfifo(project / "environments" / "qa.yaml")
    result = run("compile", "--all")
    assert result.exit_code == 1
    assert "environments/qa.yaml: error[IO-READ]: not a regular file — replace it with the YAML file\n" in result.stderr


def test_a_symbolic_link_to_a_spec_is_read(project):
    (project / "services" / "iris.yaml").rename(project / "iris.yaml")
    (project / "services" / "iris.yaml").symlink_to("../iris.yaml")
    result = run("compile", "--all")
    assert result.exit_code == 0, result.stderr
    assert (project / "rendered" / "prod" / "inference" / "inferenceservice-iris.yaml").is_file()
