"""The write transaction: all of rendered/ changes at once or not at all; a full, read-only or
vanished disk is one OUT-WRITE line with the old tree intact; paths that leave rendered/<entry>/
are refused before anything is written; an interrupted run is recovered by the next one."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from compiler.errors import InputError
from compiler.output import staging, transaction
from compiler.output.faults import FAULT_ENV
from compiler.output.transaction import compare_rendered, transaction_folder, write_rendered
from compiler.output.write import existing_files

OLD = {"prod": {"kustomization.yaml": b"old prod\n", "ml/a.yaml": b"a\n"}, "dev": {"kustomization.yaml": b"old dev\n"}}
NEW = {"prod": {"kustomization.yaml": b"new prod\n", "ml/b.yaml": b"b\n", "ml2/c.yaml": b"c\n"}, "dev": {"kustomization.yaml": b"new dev\n"}, "_gitops": {"k.yaml": b"g\n"}}


def tree(folder: Path) -> dict[str, bytes | None]:
    return existing_files(folder)


def flat(entries: dict[str, dict[str, bytes]]) -> dict[str, bytes]:
    return {f"{entry}/{name}": content for entry, files in entries.items() for name, content in files.items()}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder whose rendered/ holds OLD, a file compile does not own, and nothing else."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(FAULT_ENV, raising=False)
    assert write_rendered(tmp_path / "rendered", OLD) == []
    (tmp_path / "rendered" / "README.md").write_bytes(b"kept\n")
    return tmp_path


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def failure(call) -> list[str]:
    with pytest.raises(InputError) as caught:
        call()
    return [d.format() for d in caught.value.diagnostics]


def test_every_entry_changes_and_the_rest_of_rendered_stays(project: Path):
    os.symlink("README.md", project / "rendered" / "link")
    assert write_rendered(project / "rendered", NEW) == []
    assert tree(project / "rendered") == {**flat(NEW), "README.md": b"kept\n", "link": None}
    assert os.readlink(project / "rendered" / "link") == "README.md"
    assert listing(project) == ["rendered"]  # the transaction folder is gone
    assert {oct(p.stat().st_mode & 0o777) for p in (project / "rendered").rglob("*.yaml")} == {"0o644"}
    assert {oct(p.stat().st_mode & 0o777) for p in (project / "rendered").rglob("*") if p.is_dir()} == {"0o755"}


def test_an_empty_entry_removes_its_folder_and_an_absent_one_is_left_alone(project: Path):
    assert write_rendered(project / "rendered", {"dev": {}, "_gitops": {}}) == []
    assert listing(project / "rendered") == ["README.md", "prod"]


def test_a_tree_that_is_already_right_is_not_rewritten(project: Path):
    before = (project / "rendered" / "prod" / "kustomization.yaml").stat().st_ino
    assert write_rendered(project / "rendered", OLD) == []
    assert (project / "rendered" / "prod" / "kustomization.yaml").stat().st_ino == before


def test_the_first_tree_is_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    write_rendered(tmp_path / "rendered", NEW)
    assert tree(tmp_path / "rendered") == flat(NEW) and listing(tmp_path) == ["rendered"]


def test_without_an_atomic_exchange_two_renames_do_the_same(project: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(staging, "exchange", lambda first, second: False)
    write_rendered(project / "rendered", NEW)
    assert tree(project / "rendered") == {**flat(NEW), "README.md": b"kept\n"} and listing(project) == ["rendered"]


def test_a_fault_at_any_step_leaves_the_old_tree_or_the_new_one(project: Path, monkeypatch: pytest.MonkeyPatch):
    """ENOSPC at step 1, 2, … until the run gets through: before the swap the old tree stays and
    nothing is left beside it; after it the new tree is in place and the next run cleans up."""
    old = tree(project / "rendered")
    new = {**flat(NEW), "README.md": b"kept\n"}
    step = 0
    while True:
        step += 1
        monkeypatch.setenv(FAULT_ENV, f"{step}:ENOSPC")
        try:
            notices = write_rendered(project / "rendered", NEW)
        except InputError as exc:
            [line] = [d.format() for d in exc.diagnostics]
            assert line.startswith("rendered") and "error[OUT-WRITE]: cannot write the rendered tree: No space left on device — free space on the disk" in line
            assert tree(project / "rendered") == old and listing(project) == ["rendered"], step
            continue
        assert tree(project / "rendered") == new, step
        monkeypatch.delenv(FAULT_ENV)
        if not notices:
            break
        assert [d.rule for d in notices] == ["OUT-RECOVER"] and transaction_folder(project / "rendered").exists()
        assert [d.rule for d in write_rendered(project / "rendered", OLD)] == ["OUT-RECOVER"]  # recovers, then writes
        assert listing(project) == ["rendered"]
        write_rendered(project / "rendered", NEW)
    assert step > 15 and listing(project) == ["rendered"]


def test_a_disk_that_fills_part_way_through_a_file(project: Path, monkeypatch: pytest.MonkeyPatch):
    real_write = os.write
    calls = []

    def filling(fd: int, data) -> int:
        calls.append(fd)
        if len(calls) == 3:
            real_write(fd, bytes(data[:2]))  # part of the file reaches the disk, then it is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    old = tree(project / "rendered")
    with monkeypatch.context() as patched:
        patched.setattr(staging.os, "write", filling)  # os.write itself: only for this call
        lines = failure(lambda: write_rendered(project / "rendered", NEW))
    assert lines == ["rendered/prod/kustomization.yaml: error[OUT-WRITE]: cannot write the rendered tree: No space left on device — free space on the disk (or raise the quota) and run compile again; the rendered tree is unchanged"]
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


def test_a_read_only_file_system_is_one_line(project: Path, monkeypatch: pytest.MonkeyPatch):
    # Injected: root (as CI runs) writes through permission bits, and mounting needs privileges.
    old = tree(project / "rendered")
    monkeypatch.setenv(FAULT_ENV, "1:EROFS")
    assert failure(lambda: write_rendered(project / "rendered", NEW)) == [
        "rendered: error[OUT-WRITE]: cannot write the rendered tree: Read-only file system — the file system is read-only: compile in a writable checkout; the rendered tree is unchanged"
    ]
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


def test_a_folder_this_user_may_not_change_is_refused_before_anything_is_written(project: Path, monkeypatch: pytest.MonkeyPatch):
    """What os.access says for a read-only folder, a read-only mount or an immutable folder
    (root included), without needing any of them here."""
    old = tree(project / "rendered")
    real_access = os.access
    monkeypatch.setattr(transaction.os, "access", lambda path, mode: not str(path).endswith("rendered/prod/ml") and real_access(path, mode))
    assert failure(lambda: write_rendered(project / "rendered", NEW)) == [
        "rendered/prod/ml: error[OUT-WRITE]: cannot write the rendered tree: rendered/prod/ml is read-only for this user — "
        "make it writable (its permissions, a read-only mount or the immutable flag); the rendered tree is unchanged"
    ]
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through permission bits: the read-only case is covered by fault injection (EROFS) above")
def test_a_read_only_rendered_folder_is_refused_before_anything_is_written(project: Path):  # pragma: no cover - CI runs as root
    old = tree(project / "rendered")
    (project / "rendered" / "prod" / "ml").chmod(0o555)
    try:
        lines = failure(lambda: write_rendered(project / "rendered", NEW))
    finally:
        (project / "rendered" / "prod" / "ml").chmod(0o755)
    assert lines == [
        "rendered/prod/ml: error[OUT-WRITE]: cannot write the rendered tree: rendered/prod/ml is read-only for this user — "
        "make it writable (its permissions, a read-only mount or the immutable flag); the rendered tree is unchanged"
    ]
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


def test_rendered_vanishing_before_the_swap(project: Path, monkeypatch: pytest.MonkeyPatch):
    real_exchange = staging.exchange

    def vanish_first(first: Path, second: Path) -> bool:
        staging.remove_tree(transaction.Steps(""), first, "")
        return real_exchange(first, second)

    monkeypatch.setattr(staging, "exchange", vanish_first)
    assert failure(lambda: write_rendered(project / "rendered", NEW)) == [
        "rendered: error[OUT-WRITE]: cannot write the rendered tree: No such file or directory — a folder vanished while compile wrote it: "
        "make sure nothing else moves or deletes it, and run compile again; the rendered tree is unchanged"
    ]
    assert listing(project) == []  # what vanished stays vanished; nothing of ours is left


def test_the_staging_folder_vanishing_mid_write(project: Path, monkeypatch: pytest.MonkeyPatch):
    real_make = staging.make_folder

    def vanish(steps, name, dir_fd, shown):
        if name == "ml2":
            staging.remove_tree(transaction.Steps(""), transaction_folder(project / "rendered"), "")
        return real_make(steps, name, dir_fd, shown)

    old = tree(project / "rendered")
    monkeypatch.setattr(staging, "make_folder", vanish)
    [line] = failure(lambda: write_rendered(project / "rendered", NEW))
    assert line.startswith("rendered/prod/ml2: error[OUT-WRITE]: cannot write the rendered tree: No such file or directory")
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


def test_a_vanished_project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert failure(lambda: write_rendered(tmp_path / "gone" / "rendered", NEW)) == [
        "gone/rendered: error[OUT-WRITE]: cannot open the project folder: No such file or directory — a folder vanished while compile wrote it: "
        "make sure nothing else moves or deletes it, and run compile again; the rendered tree is unchanged"
    ]
    assert listing(tmp_path) == []


@pytest.mark.parametrize(
    ("files", "line"),
    [
        ({"../../x/a.yaml": b""}, "rendered/prod/../../x/a.yaml: error[OUT-PATH]: output path '../../x/a.yaml' leaves rendered/prod/ (absolute, empty or '..' parts)"),
        ({"/etc/a.yaml": b""}, "rendered/prod//etc/a.yaml: error[OUT-PATH]: output path '/etc/a.yaml' leaves rendered/prod/ (absolute, empty or '..' parts)"),
        ({"ns//a.yaml": b""}, "rendered/prod/ns//a.yaml: error[OUT-PATH]: output path 'ns//a.yaml' leaves rendered/prod/ (absolute, empty or '..' parts)"),
        ({"a": b"", "a/b.yaml": b""}, "rendered/prod/a: error[OUT-PATH]: output path 'a' is both a file and a folder — two objects' names collide: rename one of them"),
    ],
)
def test_an_output_path_that_leaves_its_folder_is_refused(project: Path, files: dict, line: str):
    before = tree(project)
    [found] = failure(lambda: write_rendered(project / "rendered", {"prod": files}))
    assert found.startswith(line)
    assert tree(project) == before and listing(project) == ["rendered"]


@pytest.mark.parametrize("entry", ["..", ".", "", "a/b", ".hidden"])
def test_an_entry_that_is_not_one_folder_name_is_refused(project: Path, entry: str):
    [line] = failure(lambda: write_rendered(project / "rendered", {entry: {"k.yaml": b""}}))
    assert f"error[OUT-PATH]: output folder {entry!r} is not one folder name" in line


def test_a_symlinked_rendered_folder_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    os.rename(project / "rendered", elsewhere / "rendered")
    os.symlink(elsewhere / "rendered", project / "rendered")
    before, outside = tree(project), tree(elsewhere)
    for call in (lambda: write_rendered(project / "rendered", NEW), lambda: compare_rendered(project / "rendered", NEW)):
        assert failure(call) == [
            f"rendered: error[OUT-PATH]: rendered/ is a symbolic link (to {elsewhere / 'rendered'}): the rendered tree would be written wherever it points"
            " — replace the link with a real folder: `rm rendered && mkdir rendered` (compile writes only inside the project)"
        ]
    assert tree(project) == before and tree(elsewhere) == outside


@pytest.mark.parametrize("link", ["prod/ml", "prod"])
def test_a_symbolic_link_inside_the_tree_that_leads_out_is_refused(project: Path, tmp_path_factory: pytest.TempPathFactory, link: str):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    staging.remove_tree(transaction.Steps(""), project / "rendered" / link, "")
    os.symlink(elsewhere, project / "rendered" / link)
    before = tree(project)
    [line] = failure(lambda: write_rendered(project / "rendered", {"prod": {"ml/b.yaml": b"b"}}))
    assert line == (
        f"rendered/{link}: error[OUT-PATH]: rendered/{link} is a symbolic link (to {elsewhere}): writing through it would leave rendered/prod/"
        " — delete the link (rendered/ holds only what compile writes: real folders and files)"
    )
    assert tree(project) == before and list(elsewhere.iterdir()) == []


def test_a_link_compile_does_not_write_through_is_dropped_with_its_folder(project: Path, tmp_path_factory: pytest.TempPathFactory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "keep").write_bytes(b"keep")
    os.symlink(elsewhere, project / "rendered" / "prod" / "other")
    assert compare_rendered(project / "rendered", OLD)[0]["prod"].extra == ("other",)  # never read through
    write_rendered(project / "rendered", NEW)
    assert tree(project / "rendered" / "prod") == NEW["prod"] and tree(elsewhere) == {"keep": b"keep"}


def test_recovery_removes_a_half_staged_tree(project: Path, monkeypatch: pytest.MonkeyPatch):
    old = tree(project / "rendered")
    txn = transaction_folder(project / "rendered")
    (txn / "tree" / "prod").mkdir(parents=True)
    (txn / "tree" / "prod" / "half.yaml").write_bytes(b"ha")
    staleness, notices = compare_rendered(project / "rendered", OLD)
    assert not any(s.stale for s in staleness.values())
    assert [d.format() for d in notices] == [
        "rendered: warning[OUT-RECOVER]: a compile was interrupted while writing: removed what it left in .rendered.inferplane-txn/; "
        "rendered/ holds the complete tree from before or after it"
    ]
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


def test_recovery_puts_back_a_tree_moved_aside_by_the_two_rename_swap(project: Path):
    old = tree(project / "rendered")
    txn = transaction_folder(project / "rendered")
    (txn / "tree").mkdir(parents=True)
    os.rename(project / "rendered", txn / "old")
    [notice] = write_rendered(project / "rendered", OLD)
    assert notice.message.endswith("restored rendered/ from before it")
    assert tree(project / "rendered") == old and listing(project) == ["rendered"]


def test_recovery_never_follows_a_planted_link(project: Path, tmp_path_factory: pytest.TempPathFactory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    (elsewhere / "old").mkdir()
    (elsewhere / "old" / "precious").write_bytes(b"p")
    os.symlink(elsewhere, transaction_folder(project / "rendered"))
    staging.remove_tree(transaction.Steps(""), project / "rendered", "")
    [notice] = write_rendered(project / "rendered", OLD)
    assert notice.rule == "OUT-RECOVER" and "restored" not in notice.message
    assert tree(elsewhere) == {"old/precious": b"p"}
    assert tree(project / "rendered") == flat(OLD) and listing(project) == ["rendered"]


def test_leftovers_of_the_earlier_writer_inside_rendered_are_removed(project: Path):
    for name in (".prod.new-k2j4_x", ".prod.old"):
        (project / "rendered" / name / "ml").mkdir(parents=True)
    (project / "rendered" / ".keep").write_bytes(b"")  # hidden, but not a leftover
    notices = write_rendered(project / "rendered", OLD)
    assert [d.message for d in notices] == [
        "removed rendered/.prod.new-k2j4_x, left by an interrupted compile of an earlier version",
        "removed rendered/.prod.old, left by an interrupted compile of an earlier version",
    ]
    assert tree(project / "rendered") == {**flat(OLD), "README.md": b"kept\n", ".keep": b""}


def test_unchanged_files_are_linked_and_changed_ones_written(project: Path):
    """Removing the swapped-out tree then frees only what changed (an unlink that frees blocks
    is the slow part of a write on many disks)."""
    prod = project / "rendered" / "prod"
    (prod / "ml" / "a.yaml").chmod(0o600)  # same bytes, another mode: written anew, 0644
    before = {name: (prod / name).stat().st_ino for name in ("ml/a.yaml", "kustomization.yaml")}
    write_rendered(project / "rendered", {"prod": {"ml/a.yaml": b"a\n", "kustomization.yaml": b"old prod\n", "ml/new.yaml": b"n"}})
    assert (prod / "kustomization.yaml").stat().st_ino == before["kustomization.yaml"]
    assert (prod / "ml" / "a.yaml").stat().st_ino != before["ml/a.yaml"] and (prod / "ml" / "a.yaml").stat().st_mode & 0o777 == 0o644
    assert tree(prod) == {"kustomization.yaml": b"old prod\n", "ml/a.yaml": b"a\n", "ml/new.yaml": b"n"}
