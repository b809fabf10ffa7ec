"""The bad-input corpus: every broken or hostile input gives its exact diagnostics, the right exit
code, no traceback, and leaves every file where it was (tests/bad_input/README.md)."""

from __future__ import annotations

import array
import base64
import fcntl
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from compiler.cli import main

CORPUS = Path(__file__).parent
BASE = CORPUS / "_base"
CASE_NAMES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
IGNORED = {".inferplane-cache"}  # the schema cache may be filled by any run; it is not output
_REPEAT = re.compile(r"\{\{repeat:(.*?):(\d+)\}\}", re.S)


def snapshot(folder: Path) -> dict[str, bytes | str | None]:
    """Every file (bytes), folder (None) and symbolic link (its target) below `folder`, the cache
    aside; a file this user may not read by its mode."""
    found: dict[str, bytes | str | None] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if IGNORED & set(relative.parts):
            continue
        if path.is_symlink():
            found[relative.as_posix()] = f"symlink to {os.readlink(path)}"
        elif path.is_dir():
            found[relative.as_posix()] = None
        elif os.access(path, os.R_OK):
            found[relative.as_posix()] = path.read_bytes()
        else:
            found[relative.as_posix()] = f"unreadable, mode {oct(path.stat().st_mode)}"
    return found


def _make_readonly(project: Path) -> None:
    for path in [project / "rendered", *(project / "rendered").rglob("*")]:
        if path.is_dir():
            path.chmod(0o555)


def _dangling_symlink_service(project: Path) -> None:
    (project / "services" / "extra.yaml").symlink_to("missing.yaml")


def _unreadable_service(project: Path) -> None:
    (project / "services" / "ranker.yaml").chmod(0)  # ranker: no overlay that would lose its service


_FS_IOC_GETFLAGS, _FS_IOC_SETFLAGS, _FS_IMMUTABLE_FL = 0x80086601, 0x40086602, 0x10  # linux/fs.h


def _set_immutable(path: Path, on: bool) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        flags = array.array("i", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags, True)
        flags[0] = flags[0] | _FS_IMMUTABLE_FL if on else flags[0] & ~_FS_IMMUTABLE_FL
        fcntl.ioctl(fd, _FS_IOC_SETFLAGS, flags, True)
    finally:
        os.close(fd)


def _make_immutable(project: Path) -> Callable[[], None] | None:
    """Root writes through permission bits: for root, rendered/ and its folders get the immutable
    flag, which stops root too (a read-only disk in effect). Nothing for other users, whom
    readonly-rendered stops."""
    if os.geteuid() != 0:
        return None
    folders = [project / "rendered", *(p for p in (project / "rendered").rglob("*") if p.is_dir())]
    try:
        for folder in folders:
            _set_immutable(folder, True)
    except OSError as exc:  # pragma: no cover - a file system without the flag (tmpfs before 6.0)
        pytest.skip(f"cannot set the immutable flag here: {exc}")
    return lambda: [_set_immutable(folder, False) for folder in folders]


def _link_rendered_outside(project: Path) -> None:
    """rendered/ becomes a symbolic link to a folder outside the project (holding the tree)."""
    (project / "rendered").rename(project.parent / "outside")
    (project / "rendered").symlink_to("../outside")  # relative: the message names it as written


def _link_namespace_outside(project: Path) -> None:
    """rendered/prod/inference becomes a symbolic link to an empty folder outside the project."""
    outside = project.parent / "outside"
    outside.mkdir()
    shutil.rmtree(project / "rendered" / "prod" / "inference")
    (project / "rendered" / "prod" / "inference").symlink_to("../../../outside")


# Named preparations a case may ask for; each runs after the files are written, and may return
# what undoes it (run after the case, before the permissions are restored).
SETUPS: dict[str, Callable[[Path], Callable[[], None] | None]] = {
    "readonly-rendered": _make_readonly,
    "immutable-rendered": _make_immutable,
    "rendered-links-outside": _link_rendered_outside,
    "namespace-links-outside": _link_namespace_outside,
    "dangling-symlink-service": _dangling_symlink_service,
    "unreadable-service": _unreadable_service,
}
# Setups whose effect root does not feel (root reads and writes whatever the mode): as root, such a
# case runs in a child process without the capabilities that let root ignore a file's mode.
MODE_SETUPS = {"unreadable-service"}
ROOT_POWERS = "cap_dac_override,cap_dac_read_search"


@dataclass
class Outcome:
    exit_code: int
    stderr: str
    output: str


def _run(args: list[str], project: Path, as_plain_user: bool) -> Outcome:
    if not as_plain_user:
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        return Outcome(result.exit_code, result.stderr, result.output)
    capsh = shutil.which("capsh")
    if capsh is None:
        pytest.skip("runs as root, which ignores file modes, and capsh (to drop that power) is not installed")
    command = shlex.join([sys.executable, "-m", "compiler", *args])
    done = subprocess.run([capsh, f"--drop={ROOT_POWERS}", "--", "-c", command], cwd=project, capture_output=True, text=True, check=False)
    return Outcome(done.returncode, done.stderr, done.stdout + done.stderr)


@pytest.fixture(scope="session")
def compiled_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base project with its rendered tree, compiled once per session."""
    project = tmp_path_factory.mktemp("base") / "project"
    shutil.copytree(BASE, project)
    result = CliRunner().invoke(main, ["-C", str(project), "compile", "--all"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return project


def _expand(text: str) -> str:
    return _REPEAT.sub(lambda m: m.group(1) * int(m.group(2)), text)


def _prepare(case: dict, project: Path) -> list[Callable[[], None]]:
    for name, text in (case.get("write") or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(_expand(text or ""), encoding="utf-8")
    for name, data in (case.get("write_base64") or {}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(base64.b64decode(data))
    for name in case.get("delete") or []:
        (project / name).unlink()
    undo = [SETUPS[setup](project) for setup in case.get("setup") or []]
    return [step for step in undo if step]


def _restore_permissions(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir() and not path.is_symlink():
            path.chmod(0o755)


@pytest.mark.parametrize("case_name", CASE_NAMES)
def test_bad_input(case_name: str, compiled_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_golden: bool) -> None:
    folder = CORPUS / case_name
    case = YAML(typ="safe").load((folder / "case.yaml").read_text(encoding="utf-8"))
    if "root" in case.get("setup", []) and os.geteuid() != 0:  # pragma: no cover - CI runs as root
        pytest.skip("needs root")
    project = tmp_path / "project"
    shutil.copytree(compiled_base, project)
    undo = _prepare(case, project)
    before = snapshot(tmp_path)
    monkeypatch.chdir(project)
    as_plain_user = os.geteuid() == 0 and bool(MODE_SETUPS & set(case.get("setup") or []))
    try:
        result = _run([str(arg) for arg in case["args"]], project, as_plain_user)
    finally:
        for step in undo:
            step()
        _restore_permissions(tmp_path)
    expected = folder / "stderr.txt"
    if update_golden:
        expected.write_text(result.stderr, encoding="utf-8")
    assert "Traceback" not in result.output
    assert result.exit_code == case["exit"], result.stderr
    assert result.stderr == expected.read_text(encoding="utf-8")
    assert snapshot(tmp_path) == before, "a rejected input must leave every file as it was"


def test_every_case_states_its_expectation() -> None:
    for name in CASE_NAMES:
        case = YAML(typ="safe").load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
        assert set(case) <= {"description", "args", "exit", "write", "write_base64", "delete", "setup"}, name
        assert case.get("description") and case.get("args"), name
        assert case["exit"] in (1, 2), f"{name}: a bad input exits 1 (input) or 2 (usage)"
        stderr = (CORPUS / name / "stderr.txt").read_text(encoding="utf-8")
        # Click's own usage errors say "Usage: …" and "Error: …".
        assert re.search(r"(error|usage)", stderr, re.IGNORECASE), f"{name}: stderr.txt names no error"
        assert set(case.get("setup") or []) <= set(SETUPS), name


def test_the_corpus_covers_every_kind_of_bad_input() -> None:
    """The trust issue's areas, each with cases: a new area is a new prefix here."""
    areas = {name.split("-")[0] for name in CASE_NAMES}
    assert {"yaml", "file", "spec", "names", "write", "disk", "patch", "format", "secret", "errors", "usage", "promote", "version"} <= areas
    assert len(CASE_NAMES) >= 60
