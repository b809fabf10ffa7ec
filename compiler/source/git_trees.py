"""Git's own ids of the input folders, computed from disk or read from a commit: a content key two
sides of a diff share.

`diff` reads the base's GPU budget from the base commit's specs: extracting the commit and planning
every service (about 3 s for 1,000 services). A compile of the same inputs already computed it. Git
names a folder by the sha1 of its tree object (every entry's mode, name and content id, recursively),
so the id computed here from the working tree equals `git ls-tree`'s id at a commit exactly when the
folder's content is the same; anything this computation does not model (an ignored file on disk, a
line-ending filter) gives a different id: a miss, never a wrong hit. Standard library only.
"""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
from pathlib import Path

INPUT_FOLDERS = ("services", "environments", "overlays", "resources")


def _object_id(kind: str, data: bytes) -> bytes:
    return hashlib.sha1(f"{kind} {len(data)}\0".encode() + data).digest()


def _tree_id(folder: Path) -> bytes | None:
    """The tree id of `folder` as git would store it; None for a folder git would not store (empty)."""
    with os.scandir(folder) as listing:
        found = list(listing)
    entries = []
    for entry in found:
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            entries.append((entry.name, b"120000", _object_id("blob", os.fsencode(os.readlink(entry.path)))))
        elif stat.S_ISDIR(info.st_mode):
            tree = _tree_id(Path(entry.path))
            if tree is not None:
                entries.append((entry.name + "/", b"40000", tree))
        elif stat.S_ISREG(info.st_mode):
            mode = b"100755" if info.st_mode & stat.S_IXUSR else b"100644"
            entries.append((entry.name, mode, _object_id("blob", Path(entry.path).read_bytes())))
        else:
            raise OSError(f"{entry.path}: not a file git stores")  # a FIFO: compile refuses it anyway
    if not entries:
        return None
    entries.sort(key=lambda item: os.fsencode(item[0]))  # git orders a folder as its name + "/"
    body = b"".join(mode + b" " + os.fsencode(name.rstrip("/")) + b"\0" + digest for name, mode, digest in entries)
    return _object_id("tree", body)


def worktree_ids(root: Path) -> tuple[tuple[str, str], ...] | None:
    """(folder, tree id or "absent") of each input folder on disk; None when one cannot be read."""
    found = []
    try:
        for name in INPUT_FOLDERS:
            folder = root / name
            tree = _tree_id(folder) if folder.is_dir() and not folder.is_symlink() else None
            found.append((name, tree.hex() if tree is not None else "absent"))
    except OSError:
        return None
    return tuple(found)


def commit_ids(repo: Path, sha: str, inside: str) -> tuple[tuple[str, str], ...] | None:
    """(folder, tree id or "absent") of each input folder of the project at `inside` in commit `sha`."""
    prefix = f"{inside}/" if inside else ""
    try:
        listing = subprocess.run(["git", "-C", str(repo), "ls-tree", "-z", sha, "--", *(prefix + name for name in INPUT_FOLDERS)], capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    trees = {}
    for entry in filter(None, listing.split(b"\0")):
        meta, path = entry.split(b"\t", 1)
        _mode, kind, object_id = meta.split()
        if kind == b"tree":
            trees[path.decode()[len(prefix) :]] = object_id.decode()
    return tuple((name, trees.get(name, "absent")) for name in INPUT_FOLDERS)
