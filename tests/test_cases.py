"""End-to-end cases through the CLI, found automatically under tests/cases/<case>/.

A case folder is a small project (services/, environments/, overlays/) plus:
  case.yaml          args (after `inferplane`), expected exit code, `needs_shared` when the
                     case's outcome depends on the upstream CRDs
  expected/stderr.txt        exact diagnostics (golden) when the case is about errors
  expected/stderr.no-shared.txt   the same without ../shared, where the upstream CRDs change the
                             output (a VAL-NO-SCHEMA notice instead of validation); optional
  expected/rendered/...      the exact rendered tree (golden) when the case compiles
  rendered/ (optional)       a tree present before the run: a failing compile must leave it untouched
Run `pytest --update-golden` to rewrite expected/ from the current output; review the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from compiler.cli import main
from compiler.output.write import existing_files
from tests.conftest import SHARED_CRDS

CASES = Path(__file__).parent / "cases"
CASE_NAMES = sorted(p.name for p in CASES.iterdir() if (p / "case.yaml").is_file())


def _copy_project(case: Path, target: Path) -> None:
    for item in case.iterdir():
        if item.name in ("expected", "case.yaml"):
            continue
        copy = shutil.copytree if item.is_dir() else shutil.copy2
        copy(item, target / item.name)


def _sync_golden(expected: Path, actual: dict[str, bytes]) -> None:
    if expected.exists():
        shutil.rmtree(expected)
    for name, content in actual.items():
        (expected / name).parent.mkdir(parents=True, exist_ok=True)
        (expected / name).write_bytes(content)


def _stderr_golden(expected_dir: Path) -> Path:
    """Cases are validated against the upstream CRDs when ../shared is there; without it, a case
    whose output differs keeps that output in its own golden, so a fresh clone passes too."""
    without = expected_dir / "stderr.no-shared.txt"
    if not SHARED_CRDS.is_dir() and without.is_file():
        return without
    return expected_dir / "stderr.txt"


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_case(case_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    case = CASES / case_name
    spec = YAML(typ="safe").load((case / "case.yaml").read_text())
    if spec.get("needs_shared") and not SHARED_CRDS.is_dir():
        pytest.skip(f"needs the upstream CRDs at {SHARED_CRDS}")
    _copy_project(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    args = list(spec["args"])
    if args[0] == "compile" and SHARED_CRDS.is_dir():
        # Every rendered manifest of every case is validated against the upstream CRDs.
        args += ["--crd", str(SHARED_CRDS), "--strict"]
    before = existing_files(tmp_path / "rendered")

    result = CliRunner().invoke(main, args, catch_exceptions=False)

    assert "Traceback" not in result.stderr
    expected_dir = case / "expected"
    stderr_golden = _stderr_golden(expected_dir)
    if update_golden:
        if spec["exit"] != 0:
            expected_dir.mkdir(exist_ok=True)
            stderr_golden.write_text(result.stderr)
        if spec["exit"] == 0 and (tmp_path / "rendered").is_dir():
            _sync_golden(expected_dir / "rendered", existing_files(tmp_path / "rendered"))
    assert result.exit_code == spec["exit"], result.stderr
    if stderr_golden.is_file():
        assert result.stderr == stderr_golden.read_text()
    if result.exit_code != 0:
        assert existing_files(tmp_path / "rendered") == before, "a failed compile must not touch rendered/"
    if (expected_dir / "rendered").is_dir():
        assert existing_files(tmp_path / "rendered") == existing_files(expected_dir / "rendered")


def test_every_case_asserts_something() -> None:
    for name in CASE_NAMES:
        expected = CASES / name / "expected"
        assert (expected / "stderr.txt").is_file() or (expected / "rendered").is_dir(), f"case {name} has no expected output"
