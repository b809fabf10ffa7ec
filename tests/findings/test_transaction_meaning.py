"""The write transaction (output/transaction.py, output/staging.py) step by step: the exact
journal of filesystem steps a write takes (what the kill test counts on), what is made durable
before and after the swap, the modes and the lock, no descriptor left open, and the exact line
of each failure and notice."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import stat
from pathlib import Path

import pytest

from compiler.errors import InputError
from compiler.output import faults, staging
from compiler.output.faults import FAULT_ENV
from compiler.output.transaction import transaction_folder, write_rendered
from compiler.output.write import existing_files

TXN = ".rendered.inferplane-txn"
OLD = {"prod": {"k.yaml": b"1", "ml/a.yaml": b"a"}}
NEW = {"prod": {"k.yaml": b"1", "ml/a.yaml": b"b", "x/y/z.yaml": b"z"}}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """rendered/ holds OLD and a folder compile does not own (keep/sub/f)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(FAULT_ENV, raising=False)
    assert write_rendered(tmp_path / "rendered", OLD) == []
    (tmp_path / "rendered" / "keep" / "sub").mkdir(parents=True)
    (tmp_path / "rendered" / "keep" / "sub" / "f").write_bytes(b"f")
    return tmp_path


class Journal(list):
    """The steps of a run, as (what, path); `at_step` runs a check at each one."""

    at_step = None


@pytest.fixture
def journal(monkeypatch: pytest.MonkeyPatch) -> Journal:
    steps = Journal()
    take = faults.Steps.__call__

    def recorded(self, what, path):
        steps.append((what, str(path)))
        if steps.at_step:
            steps.at_step(what, str(path))
        return take(self, what, path)

    monkeypatch.setattr(faults.Steps, "__call__", recorded)
    return steps


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def path_of(fd: int, project: Path) -> str:
    return os.path.relpath(os.readlink(f"/proc/self/fd/{fd}"), project)


STAGE = [
    ("mkdir", "rendered"),  # the transaction folder beside rendered/
    ("mkdir", "rendered"),  # the staged tree in it
    ("mkdir", "rendered/keep"),  # a folder compile does not own is carried over ...
    ("mkdir", "rendered/keep/sub"),
    ("link", "rendered/keep/sub/f"),  # ... its files hard-linked
    ("mkdir", "rendered/prod"),
    ("link", "rendered/prod/k.yaml"),  # unchanged: linked from the old tree
    ("mkdir", "rendered/prod/ml"),
    ("write", "rendered/prod/ml/a.yaml"),  # changed: written
    ("mkdir", "rendered/prod/x"),
    ("mkdir", "rendered/prod/x/y"),
    ("write", "rendered/prod/x/y/z.yaml"),
    ("sync", "rendered"),
]
REMOVE_OLD = [("remove", TXN)] * 9  # old/{keep/sub/f, keep/sub, keep, prod/k.yaml, prod/ml/a.yaml, prod/ml, prod}, old, the transaction folder


def test_the_journal_of_a_write(project: Path, journal: Journal):
    before = open_descriptors()
    assert write_rendered(project / "rendered", NEW) == []
    assert journal == [*STAGE, ("rename", "rendered"), *REMOVE_OLD]
    assert existing_files(project / "rendered") == {"keep/sub/f": b"f", "prod/k.yaml": b"1", "prod/ml/a.yaml": b"b", "prod/x/y/z.yaml": b"z"}
    assert open_descriptors() == before


def test_a_tree_that_is_already_right_takes_no_step(project: Path, journal: Journal):
    assert write_rendered(project / "rendered", OLD) == [] and journal == []


def test_without_an_atomic_exchange_the_old_tree_is_moved_aside_first(project: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(staging, "_RENAMEAT2", None)
    assert write_rendered(project / "rendered", NEW) == []
    assert journal == [*STAGE, ("rename", "rendered"), ("rename", "rendered"), *REMOVE_OLD]


def fake_renameat2(code: int):
    def renameat2(*_args):
        ctypes.set_errno(code)
        return -1

    return renameat2


@pytest.mark.parametrize("code", [errno.ENOSYS, errno.EINVAL, errno.ENOTSUP])
def test_a_file_system_without_exchange_falls_back_to_two_renames(project: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch, code: int):
    monkeypatch.setattr(staging, "_RENAMEAT2", fake_renameat2(code))
    assert write_rendered(project / "rendered", NEW) == []
    assert journal[len(STAGE):len(STAGE) + 2] == [("rename", "rendered"), ("rename", "rendered")]
    assert existing_files(project / "rendered")["prod/ml/a.yaml"] == b"b"


def test_any_other_failure_of_the_exchange_is_a_write_error(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(staging, "_RENAMEAT2", fake_renameat2(errno.EIO))
    old = existing_files(project / "rendered")
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.format() for d in caught.value.diagnostics] == [
        "rendered: error[OUT-WRITE]: cannot write the rendered tree: Input/output error — fix the cause and run compile again; the rendered tree is unchanged"
    ]
    assert existing_files(project / "rendered") == old and sorted(os.listdir(project)) == ["rendered"]


def test_a_fault_between_the_two_renames_puts_the_old_tree_back(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(staging, "_RENAMEAT2", None)
    old = existing_files(project / "rendered")
    monkeypatch.setenv(FAULT_ENV, f"{len(STAGE) + 2}:ENOSPC")  # the second rename
    with pytest.raises(InputError):
        write_rendered(project / "rendered", NEW)
    assert existing_files(project / "rendered") == old and sorted(os.listdir(project)) == ["rendered"]


def test_the_staged_tree_is_synced_once_before_the_swap_and_renames_after(project: Path, monkeypatch: pytest.MonkeyPatch):
    syncfs, fsync = [], []
    monkeypatch.setattr(staging, "_SYNCFS", lambda fd: syncfs.append(path_of(fd, project)) or 0)
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: fsync.append(path_of(fd, project)) or real_fsync(fd))
    write_rendered(project / "rendered", NEW)
    assert syncfs == [f"{TXN}/tree"]
    assert fsync == [".", "."]  # the project folder: after the swap, and after the old tree is removed


def test_a_failing_syncfs_stops_the_write(project: Path, monkeypatch: pytest.MonkeyPatch):
    def failing(fd):
        ctypes.set_errno(errno.EIO)
        return -1

    monkeypatch.setattr(staging, "_SYNCFS", failing)
    old = existing_files(project / "rendered")
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.message for d in caught.value.diagnostics] == ["cannot write the rendered tree: Input/output error"]
    assert existing_files(project / "rendered") == old


def test_without_syncfs_every_written_file_and_made_folder_is_synced(project: Path, monkeypatch: pytest.MonkeyPatch):
    fsync = []
    real_fsync = os.fsync
    monkeypatch.setattr(staging, "_SYNCFS", None)
    monkeypatch.setattr(os, "fsync", lambda fd: fsync.append(path_of(fd, project)) or real_fsync(fd))
    before = open_descriptors()
    write_rendered(project / "rendered", NEW)
    assert sorted(fsync) == sorted([
        f"{TXN}/tree/prod/ml/a.yaml", f"{TXN}/tree/prod/x/y/z.yaml",  # written files (linked ones are on disk already)
        f"{TXN}/tree/keep/sub", f"{TXN}/tree/keep", f"{TXN}/tree/prod/ml", f"{TXN}/tree/prod/x/y", f"{TXN}/tree/prod/x", f"{TXN}/tree/prod", f"{TXN}/tree",
        ".", ".",
    ])
    assert open_descriptors() == before


def test_modes_the_staging_folders_private_until_sealed_then_the_old_ones(project: Path, journal: Journal):
    (project / "rendered").chmod(0o750)
    (project / "rendered" / "keep" / "sub").chmod(0o700)
    (project / "rendered" / "keep" / "sub" / "f").chmod(0o600)
    seen = {}

    def check(what, path):
        if what == "write" and path == "rendered/prod/ml/a.yaml":
            seen["txn"] = stat.S_IMODE(os.stat(project / TXN).st_mode)
            seen["prod"] = stat.S_IMODE(os.stat(project / TXN / "tree" / "prod").st_mode)

    journal.at_step = check
    write_rendered(project / "rendered", NEW)
    assert seen == {"txn": 0o700, "prod": 0o700}
    modes = {name: stat.S_IMODE(os.stat(project / "rendered" / name).st_mode) for name in ("", "keep", "keep/sub", "keep/sub/f", "prod", "prod/x/y", "prod/x/y/z.yaml")}
    assert modes == {"": 0o750, "keep": 0o755, "keep/sub": 0o700, "keep/sub/f": 0o600, "prod": 0o755, "prod/x/y": 0o755, "prod/x/y/z.yaml": 0o644}


def test_the_project_folder_is_locked_while_writing(project: Path, journal: Journal):
    held = []

    def check(what, path):
        fd = os.open(project, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held.append(False)
        except BlockingIOError:
            held.append(True)
        finally:
            os.close(fd)

    journal.at_step = check
    write_rendered(project / "rendered", NEW)
    assert held and all(held)


def test_where_links_cannot_be_made_files_are_copied_and_links_recreated(project: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch):
    os.symlink("sub/f", project / "rendered" / "keep" / "to-f")
    (project / "rendered" / "keep" / "big").write_bytes(b"x" * (3 << 20))  # more than one read
    (project / "rendered" / "keep" / "big").chmod(0o640)

    def cannot_link(*_args, **_kwargs):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "link", cannot_link)
    before = open_descriptors()
    write_rendered(project / "rendered", NEW)
    assert ("write", "rendered/prod/k.yaml") in journal  # unchanged, but copied
    assert existing_files(project / "rendered") == {"keep/big": b"x" * (3 << 20), "keep/sub/f": b"f", "keep/to-f": None, "prod/k.yaml": b"1", "prod/ml/a.yaml": b"b", "prod/x/y/z.yaml": b"z"}
    assert os.readlink(project / "rendered" / "keep" / "to-f") == "sub/f"
    assert stat.S_IMODE(os.stat(project / "rendered" / "keep" / "big").st_mode) == 0o640
    assert open_descriptors() == before


def test_a_special_file_that_cannot_be_linked_is_a_write_error(project: Path, monkeypatch: pytest.MonkeyPatch):
    os.mkfifo(project / "rendered" / "keep" / "pipe")

    def cannot_link(*_args, **_kwargs):
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", cannot_link)
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.format() for d in caught.value.diagnostics] == [
        "rendered/keep/pipe: error[OUT-WRITE]: cannot write the rendered tree: neither a file, a folder nor a link, and it cannot be linked"
        " — fix the cause and run compile again; the rendered tree is unchanged"
    ]


def test_any_other_failure_to_link_is_a_write_error(project: Path, monkeypatch: pytest.MonkeyPatch):
    def failing(*_args, **_kwargs):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "link", failing)
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.format() for d in caught.value.diagnostics] == [
        "rendered/keep/sub/f: error[OUT-WRITE]: cannot write the rendered tree: Input/output error — fix the cause and run compile again; the rendered tree is unchanged"
    ]


def test_a_read_only_project_folder_is_refused_before_anything_is_written(project: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch):
    access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: not (mode & os.W_OK and Path(path) == project) and access(path, mode))
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.format() for d in caught.value.diagnostics] == [
        "rendered: error[OUT-WRITE]: cannot write the rendered tree: the project folder, where the new tree is staged beside rendered/, is read-only for this user"
        " — make it writable (its permissions, a read-only mount or the immutable flag); the rendered tree is unchanged"
    ]
    assert journal == []


def test_an_unsearchable_folder_of_rendered_is_refused_first_in_name_order(project: Path, monkeypatch: pytest.MonkeyPatch):
    access = os.access
    denied = {project / "rendered" / "prod" / "ml", project / "rendered" / "keep" / "sub"}
    monkeypatch.setattr(os, "access", lambda path, mode: not (mode & os.X_OK and Path(path) in denied) and access(path, mode))
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.message for d in caught.value.diagnostics] == ["cannot write the rendered tree: rendered/keep/sub is read-only for this user"]


def test_recovery_that_fails_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch):
    (project / TXN / "tree").mkdir(parents=True)
    monkeypatch.setenv(FAULT_ENV, "1:EACCES")
    with pytest.raises(InputError) as caught:
        write_rendered(project / "rendered", NEW)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{TXN}: error[OUT-WRITE]: cannot clean up after an interrupted compile: Permission denied"
        " — make rendered/ and the project folder writable for this user; the rendered tree is unchanged"
    ]


def test_recovery_journal_and_notice(project: Path, journal: Journal, monkeypatch: pytest.MonkeyPatch):
    os.rename(project / "rendered", project / "aside")
    (project / TXN).mkdir()
    os.rename(project / "aside", project / TXN / "old")
    fsync = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: fsync.append(path_of(fd, project)) or real_fsync(fd))
    notices = write_rendered(project / "rendered", OLD)
    assert journal == [("rename", "rendered"), ("remove", TXN)]
    assert fsync == ["."]
    assert [d.format() for d in notices] == [
        f"rendered: warning[OUT-RECOVER]: a compile was interrupted while writing: removed what it left in {TXN}/; restored rendered/ from before it"
    ]


def test_legacy_leftovers_are_notices_located_at_rendered(project: Path):
    (project / "rendered" / ".prod.old").mkdir()
    [notice] = write_rendered(project / "rendered", OLD)
    assert (notice.format(), notice.severity) == ("rendered: warning[OUT-RECOVER]: removed rendered/.prod.old, left by an interrupted compile of an earlier version", "warning")


def test_an_old_tree_that_cannot_be_removed_is_a_notice(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(FAULT_ENV, f"{len(STAGE) + 2}:EBUSY")  # the first removal after the swap
    notices = write_rendered(project / "rendered", NEW)
    assert [(d.format(), d.severity) for d in notices] == [
        (f"{TXN}: warning[OUT-RECOVER]: the new tree is in place, but the old one could not be removed from {TXN}/: Device or resource busy — the next compile removes it", "warning")
    ]
    assert existing_files(project / "rendered")["prod/ml/a.yaml"] == b"b"


def test_files_and_folders_get_their_modes_whatever_the_umask(project: Path):
    previous = os.umask(0o077)
    try:
        write_rendered(project / "rendered", NEW)
    finally:
        os.umask(previous)
    modes = {name: stat.S_IMODE(os.stat(project / "rendered" / name).st_mode) for name in ("prod/ml", "prod/ml/a.yaml", "prod/x/y/z.yaml")}
    assert modes == {"prod/ml": 0o755, "prod/ml/a.yaml": 0o644, "prod/x/y/z.yaml": 0o644}
