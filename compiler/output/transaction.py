"""The write transaction: every environment of a run (and rendered/_gitops/) becomes visible in
rendered/ together, or not at all.

    <project>/rendered/                          the tree, as git and kustomize see it
    <project>/.rendered.inferplane-txn/tree/     the whole new rendered/, staged beside it
    <project>/.rendered.inferplane-txn/old/      only where the swap takes two renames (below)

1. Lock the project folder (flock): one writer at a time; a second run waits.
2. Recover what an interrupted run left (see below).
3. Refuse output paths that leave rendered/<entry>/ (safety.py) and folders this user could not
   remove afterwards (permissions, read-only file system): one line, nothing written.
4. Stage the complete new rendered/ in `tree/`: the compiled folders written afresh, every other
   entry of rendered/ (environments this run does not compile, a README) hard-linked from the old
   tree. syncfs (or fsync per file) makes it durable.
5. Commit: one renameat2(RENAME_EXCHANGE) swaps rendered/ and tree/ atomically — before it the
   old tree is visible, after it the new one, never a mix. Where the system cannot exchange,
   rendered/ → old/ then tree/ → rendered/ (between the two, rendered/ is missing: recovery
   puts old/ back).
6. Remove the transaction folder, which now holds the old tree.

Recovery needs no journal: the commit is one rename, so rendered/ always holds a complete tree
(old or new) and the transaction folder is garbage — except after the first of the two fallback
renames, recognisable by rendered/ missing while old/ exists, and rolled back by renaming old/
back. Any command that reads or writes rendered/ (compile, compile --check) recovers first, under
the lock. Nothing in the transaction folder is trusted (it could be committed by a pull request):
recovery only renames old/ to rendered/ and removes entries, never following a link.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import Diagnostic, InputError, Location
from ..source.load import display_path
from . import staging
from .faults import Steps
from .safety import refused_paths
from .write import Staleness, compare, existing_files

STAGED = "tree"
RETIRED = "old"
# What the writer before this transaction left inside rendered/ when it was killed mid-swap:
# dropped from the new tree, so that neither git nor kustomize sees them after a successful run.
_LEGACY_LEFTOVER = re.compile(r"^\.[^/]+\.(new-[A-Za-z0-9_]+|old)$")
OUT_WRITE = "OUT-WRITE"
OUT_RECOVER = "OUT-RECOVER"

_HINTS = {
    errno.ENOSPC: "free space on the disk (or raise the quota) and run compile again",
    errno.EDQUOT: "free space on the disk (or raise the quota) and run compile again",
    errno.EROFS: "the file system is read-only: compile in a writable checkout",
    errno.EACCES: "make rendered/ and the project folder writable for this user",
    errno.EPERM: "make rendered/ and the project folder writable for this user (and not immutable)",
    errno.ENOENT: "a folder vanished while compile wrote it: make sure nothing else moves or deletes it, and run compile again",
}


def transaction_folder(rendered: Path) -> Path:
    return rendered.parent / f".{rendered.name}.inferplane-txn"


def write_rendered(rendered: Path, entries: dict[str, dict[str, bytes]]) -> list[Diagnostic]:
    """Make rendered/<name>/ hold exactly entries[name] for each name (an empty map removes the
    folder), every other entry of rendered/ as it was, in one transaction.

    Returns notices (recovery of an interrupted run, a leftover it could not remove); raises
    InputError with one OUT-PATH or OUT-WRITE line when it writes nothing."""
    refused = refused_paths(rendered, entries)
    if refused:
        raise InputError(refused)
    steps = Steps()
    steps.where = display_path(rendered)
    with _locked(rendered):
        notices = _recover(rendered, steps)
        legacy = _legacy_leftovers(rendered)
        if not legacy and not _differs(rendered, entries):
            return notices  # already exactly this tree: nothing to swap
        blocked = _unremovable(rendered)
        if blocked is not None:
            raise InputError([blocked])
        txn = transaction_folder(rendered)
        try:
            _stage(steps, rendered, txn, entries)
            _commit(steps, rendered, txn)
        except OSError as exc:
            _discard(rendered, txn)
            raise InputError([_write_error(exc, steps.where, "cannot write the rendered tree")]) from None
        shown = display_path(rendered)
        notices += [Diagnostic(OUT_RECOVER, f"removed {shown}/{name}, left by an interrupted compile of an earlier version", "", Location(shown), severity="warning") for name in legacy]
        return notices + _cleanup(steps, rendered, txn)


def compare_rendered(rendered: Path, entries: dict[str, dict[str, bytes]]) -> tuple[dict[str, Staleness], list[Diagnostic]]:
    """How rendered/<name>/ differs from entries[name] for each name, after recovering an
    interrupted run; and the notices of that recovery."""
    refused = refused_paths(rendered, entries)
    if refused:
        raise InputError(refused)
    with _locked(rendered):
        notices = _recover(rendered, Steps())
        return {name: compare(rendered / name, files) for name, files in entries.items()}, notices


@contextmanager
def _locked(rendered: Path) -> Iterator[None]:
    """An exclusive lock on the project folder for the transaction (released on exit or kill)."""
    try:
        fd = staging.open_folder(rendered.parent)
    except OSError as exc:
        raise InputError([_write_error(exc, display_path(rendered), "cannot open the project folder")]) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _differs(rendered: Path, entries: dict[str, dict[str, bytes]]) -> bool:
    for name, files in entries.items():
        folder = rendered / name
        if not files:
            if os.path.lexists(folder):
                return True
        elif folder.is_symlink() or compare(folder, files).stale:
            return True
    return False


def _legacy_leftovers(rendered: Path) -> list[str]:
    if not os.path.isdir(rendered) or os.path.islink(rendered):
        return []
    return sorted(name for name in os.listdir(rendered) if _LEGACY_LEFTOVER.match(name))


def _unremovable(rendered: Path) -> Diagnostic | None:
    """Refuse up front what this user could not finish: the new tree is staged beside rendered/,
    and the swapped-out tree is removed whole, so the project folder and every folder of
    rendered/ must be writable (os.access also answers no for a read-only mount or an immutable
    folder, which stop root too)."""
    shown = display_path(rendered)
    if not os.access(rendered.parent, os.W_OK | os.X_OK):
        problem, where = f"the project folder, where the new tree is staged beside {shown}/, is read-only for this user", shown
    else:
        where = next((display_path(Path(folder)) for folder, _, _ in _folders(rendered) if not os.access(folder, os.W_OK | os.X_OK)), None)
        if where is None:
            return None
        problem = f"{where} is read-only for this user"
    hint = "make it writable (its permissions, a read-only mount or the immutable flag); the rendered tree is unchanged"
    return Diagnostic(OUT_WRITE, f"cannot write the rendered tree: {problem}", hint, Location(where))


def _folders(rendered: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """rendered/ and the folders below it, parents first, in name order (links not followed)."""
    if not os.path.isdir(rendered) or os.path.islink(rendered):
        return
    for folder, subfolders, files in os.walk(rendered):
        subfolders.sort()
        yield folder, subfolders, files


def _stage(steps: Steps, rendered: Path, txn: Path, entries: dict[str, dict[str, bytes]]) -> None:
    shown = display_path(rendered)
    txn_fd = _make_transaction_folder(steps, txn, shown)
    try:
        root = staging.make_folder(steps, STAGED, txn_fd, shown)
        try:
            kept = sorted(set(os.listdir(rendered)) - set(entries) - set(_legacy_leftovers(rendered))) if os.path.isdir(rendered) else []
            for name in kept:
                staging.carry(steps, rendered / name, name, root, f"{shown}/{name}")
            for name, files in sorted(entries.items()):
                if files:
                    staging.write_files(steps, name, files, root, f"{shown}/{name}", previous=rendered / name)
            steps("sync", shown)
            staging.make_durable(root)
        finally:
            staging.seal(root, _mode(rendered))
    finally:
        os.close(txn_fd)


def _make_transaction_folder(steps: Steps, txn: Path, shown: str) -> int:
    steps("mkdir", shown)
    os.mkdir(txn, 0o700)
    return staging.open_folder(txn)


def _mode(rendered: Path) -> int:
    try:
        return os.stat(rendered, follow_symlinks=False).st_mode & 0o7777
    except FileNotFoundError:
        return staging.FOLDER_MODE


def _commit(steps: Steps, rendered: Path, txn: Path) -> None:
    """The one step after which the new tree is the tree."""
    shown = display_path(rendered)
    staged = txn / STAGED
    steps("rename", shown)
    if not os.path.lexists(rendered):
        os.rename(staged, rendered)  # the first tree: nothing to swap with
    elif not staging.exchange(rendered, staged):
        os.rename(rendered, txn / RETIRED)
        steps("rename", shown)
        os.rename(staged, rendered)
    staging.sync_folder(rendered.parent)


def _cleanup(steps: Steps, rendered: Path, txn: Path) -> list[Diagnostic]:
    """Remove the swapped-out tree. The new tree is in place: a failure here is a notice, and the
    next run removes what is left."""
    try:
        staging.remove_tree(steps, txn, display_path(txn))
        staging.sync_folder(rendered.parent)
    except OSError as exc:
        return [_leftover(txn, exc)]
    return []


def _discard(rendered: Path, txn: Path) -> None:
    """After a failure before the commit: remove the staged tree (best effort; the next run's
    recovery removes whatever this cannot)."""
    try:
        if not os.path.lexists(rendered) and os.path.isdir(txn / RETIRED):
            os.rename(txn / RETIRED, rendered)
        staging.remove_tree(Steps(""), txn, display_path(txn))
    except OSError:
        pass


def _recover(rendered: Path, steps: Steps) -> list[Diagnostic]:
    txn = transaction_folder(rendered)
    if not os.path.lexists(txn):
        return []
    shown = display_path(rendered)
    retired = txn / RETIRED
    restored = not os.path.lexists(rendered) and os.path.isdir(retired) and not os.path.islink(retired) and not os.path.islink(txn)
    try:
        if restored:
            steps("rename", shown)
            os.rename(retired, rendered)
        staging.remove_tree(steps, txn, display_path(txn))
        staging.sync_folder(rendered.parent)
    except OSError as exc:
        raise InputError([_write_error(exc, display_path(txn), "cannot clean up after an interrupted compile")]) from None
    what = f"restored {shown}/ from before it" if restored else f"{shown}/ holds the complete tree from before or after it"
    return [Diagnostic(OUT_RECOVER, f"a compile was interrupted while writing: removed what it left in {display_path(txn)}/; {what}", "", Location(shown), severity="warning")]


def _write_error(exc: OSError, where: str, doing: str) -> Diagnostic:
    reason = exc.strerror or str(exc)
    hint = _HINTS.get(exc.errno or 0, "fix the cause and run compile again")
    return Diagnostic(OUT_WRITE, f"{doing}: {reason}", f"{hint}; the rendered tree is unchanged", Location(where))


def _leftover(txn: Path, exc: OSError) -> Diagnostic:
    shown = display_path(txn)
    return Diagnostic(OUT_RECOVER, f"the new tree is in place, but the old one could not be removed from {shown}/: {exc.strerror or exc}", "the next compile removes it", Location(shown), severity="warning")


__all__ = ["write_rendered", "compare_rendered", "transaction_folder", "existing_files"]
