"""`inferplane compile` and its write transaction, end to end: a failing disk is one OUT-WRITE
line and exit 1 with the old tree intact; the next run (even --check) recovers."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.output.faults import FAULT_ENV
from compiler.output.write import existing_files

BASE = Path(__file__).parent / "bad_input" / "_base"
NO_SCHEMA = "warning[VAL-NO-SCHEMA]: 1 kind not validated, no schema found: InferenceService — get the schemas with `inferplane schemas pull --env ENV` (URL sources), a folder named in the environment's spec.validation (crds, kserveCrds, schemaLocations), or --crd PATH\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bad-input base project, compiled, then changed so that the next compile rewrites it."""
    shutil.copytree(BASE, tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    monkeypatch.delenv(FAULT_ENV, raising=False)
    assert run("compile", "--all").exit_code == 0
    iris = Path("services/iris.yaml")
    iris.write_text(iris.read_text().replace("1.0/model", "2.0/model"))
    return tmp_path / "project"


def run(*args: str, fault: str | None = None):
    return CliRunner().invoke(main, list(args), env={FAULT_ENV: fault} if fault else None, catch_exceptions=False)


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir() if p.name not in {"services", "environments", "overlays", "rendered", ".inferplane-cache"})


@pytest.mark.parametrize(
    ("fault", "line"),
    [
        ("1:ENOSPC", "rendered: error[OUT-WRITE]: cannot write the rendered tree: No space left on device — free space on the disk (or raise the quota) and run compile again; the rendered tree is unchanged"),
        ("4:ENOSPC", "rendered/dev/images.yaml: error[OUT-WRITE]: cannot write the rendered tree: No space left on device — free space on the disk (or raise the quota) and run compile again; the rendered tree is unchanged"),
        ("1:EROFS", "rendered: error[OUT-WRITE]: cannot write the rendered tree: Read-only file system — the file system is read-only: compile in a writable checkout; the rendered tree is unchanged"),
        ("3:EACCES", "rendered/dev: error[OUT-WRITE]: cannot write the rendered tree: Permission denied — make rendered/ and the project folder writable for this user; the rendered tree is unchanged"),
    ],
)
def test_a_failing_disk_is_one_line_and_exit_1(project: Path, fault: str, line: str):
    before = existing_files(project / "rendered")
    result = run("compile", "--all", fault=fault)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", NO_SCHEMA + line + "\n")
    assert existing_files(project / "rendered") == before and leftovers(project) == []


def test_check_recovers_what_a_killed_compile_left(project: Path):
    before = existing_files(project / "rendered")
    txn = project / ".rendered.inferplane-txn" / "tree" / "dev"
    txn.mkdir(parents=True)
    (txn / "half.yaml").write_bytes(b"half")
    result = run("compile", "--all", "--check")
    assert result.exit_code == 1  # stale: iris changed; what the killed run left is gone either way
    assert result.stderr.startswith(
        NO_SCHEMA + "rendered: warning[OUT-RECOVER]: a compile was interrupted while writing: removed what it left in .rendered.inferplane-txn/; "
        "rendered/ holds the complete tree from before or after it\n"
    )
    assert existing_files(project / "rendered") == before and leftovers(project) == []


def test_every_environment_is_written_in_one_swap(project: Path, monkeypatch: pytest.MonkeyPatch):
    from compiler.output import staging

    swaps = []
    real = staging.exchange
    monkeypatch.setattr(staging, "exchange", lambda first, second: swaps.append((first.name, second.name)) or real(first, second))
    result = run("compile", "--all")
    assert result.exit_code == 0 and result.stdout == "dev: 3 manifests → rendered/dev/\nprod: 3 manifests → rendered/prod/\n"
    assert swaps == [("rendered", "tree")] and leftovers(project) == []
