"""The filesystem steps of the write transaction: build a tree beside rendered/, swap it in,
remove the tree that was swapped out.

Every path below the staging folder is reached through folder descriptors opened with
O_NOFOLLOW, and every name is created with O_EXCL (or mkdir): a symbolic link planted anywhere —
in the old tree, or where the staging folder goes — is never followed, never written through.
Each change on disk is one counted step (faults.Steps), so a test can fail or kill the run at any
of them. `shown` arguments are the paths a user would recognise (under rendered/), for messages.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
from pathlib import Path

from .faults import Steps

_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FILE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_MODE = 0o644  # what compile has always written: the same bytes and modes whatever the umask
FOLDER_MODE = 0o755
# linkat fails with these where the file system (or fs.protected_hardlinks) forbids a hard link:
# the file is copied instead.
_CANNOT_LINK = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES}

try:
    _LIBC = ctypes.CDLL(None, use_errno=True)
except OSError:  # pragma: no cover - a platform without a C library to load
    _LIBC = None
_RENAMEAT2 = getattr(_LIBC, "renameat2", None)
_SYNCFS = getattr(_LIBC, "syncfs", None)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h


def open_folder(name: str | Path, dir_fd: int | None = None) -> int:
    return os.open(name, _DIRECTORY_FLAGS, dir_fd=dir_fd)


def make_folder(steps: Steps, name: str, dir_fd: int | None, shown: str) -> int:
    """A new folder (never an existing one), opened; its final mode is set by `seal`."""
    steps("mkdir", shown)
    os.mkdir(name, 0o700, dir_fd=dir_fd)
    return open_folder(name, dir_fd)


def seal(fd: int, mode: int = FOLDER_MODE) -> None:
    """Set a folder's mode once it is filled (a read-only folder can be filled first), and close it."""
    try:
        os.fchmod(fd, mode)
        if _SYNCFS is None:
            os.fsync(fd)  # no syncfs: every folder and file is made durable on its own
    finally:
        os.close(fd)


def write_file(steps: Steps, name: str, content: bytes, dir_fd: int, shown: str) -> None:
    steps("write", shown)
    fd = os.open(name, _NEW_FILE_FLAGS, FILE_MODE, dir_fd=dir_fd)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view) :]
        if _SYNCFS is None:
            os.fsync(fd)
    finally:
        os.close(fd)


def write_files(steps: Steps, name: str, files: dict[str, bytes], dir_fd: int, shown: str, previous: Path | None = None) -> None:
    """A new folder `name` in dir_fd holding exactly `files` (relative paths → bytes). A file
    whose bytes are already those of the same file in `previous` (the folder this one replaces)
    is hard-linked from it: removing the old tree then frees only what changed."""
    folders = {"": make_folder(steps, name, dir_fd, shown)}
    real_previous = os.path.realpath(previous) if previous is not None and os.path.isdir(previous) and not os.path.islink(previous) else None
    try:
        for relative in sorted(files):
            parent, _, base = relative.rpartition("/")
            folder_fd = _subfolder(steps, folders, parent, shown)
            same = real_previous is not None and _holds(real_previous, relative, files[relative])
            if same:
                steps("link", f"{shown}/{relative}")
                try:
                    os.link(os.path.join(real_previous, relative), base, dst_dir_fd=folder_fd, follow_symlinks=False)
                    continue
                except OSError as exc:
                    if exc.errno not in _CANNOT_LINK:
                        raise
            write_file(steps, base, files[relative], folder_fd, f"{shown}/{relative}")
    finally:
        for relative in sorted(folders, key=len, reverse=True):  # children before their parents
            seal(folders[relative])


def _holds(folder: str, relative: str, content: bytes) -> bool:
    """Whether folder/relative is a plain file (reached through no link) with exactly these bytes
    and the mode compile writes."""
    path = os.path.join(folder, relative)
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(content) or stat.S_IMODE(info.st_mode) != FILE_MODE:
            return False
        if os.path.realpath(path) != path:
            return False
        with open(path, "rb") as handle:
            return handle.read() == content
    except OSError:
        return False


def _subfolder(steps: Steps, folders: dict[str, int], relative: str, shown: str) -> int:
    if relative not in folders:
        parent, _, base = relative.rpartition("/")
        folders[relative] = make_folder(steps, base, _subfolder(steps, folders, parent, shown), f"{shown}/{relative}")
    return folders[relative]


def carry(steps: Steps, source: Path, name: str, dir_fd: int, shown: str) -> None:
    """Recreate `source` (never following a link) as `name` in dir_fd: folders are made anew,
    everything else is hard-linked (copied where the file system cannot link): the bytes of a
    folder this run does not compile stay exactly as they were."""
    info = os.lstat(source)
    if stat.S_ISDIR(info.st_mode):
        fd = make_folder(steps, name, dir_fd, shown)
        try:
            for child in sorted(os.listdir(source)):
                carry(steps, source / child, child, fd, f"{shown}/{child}")
        finally:
            seal(fd, stat.S_IMODE(info.st_mode))
        return
    steps("link", shown)
    try:
        os.link(source, name, dst_dir_fd=dir_fd, follow_symlinks=False)
        return
    except OSError as exc:
        if exc.errno not in _CANNOT_LINK:
            raise
    if stat.S_ISLNK(info.st_mode):
        os.symlink(os.readlink(source), name, dir_fd=dir_fd)
    elif stat.S_ISREG(info.st_mode):
        source_fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            chunks = []
            while chunk := os.read(source_fd, 1 << 20):
                chunks.append(chunk)
            content = b"".join(chunks)
        finally:
            os.close(source_fd)
        write_file(steps, name, content, dir_fd, shown)
        os.chmod(name, stat.S_IMODE(info.st_mode), dir_fd=dir_fd)
    else:
        raise OSError(errno.EINVAL, "neither a file, a folder nor a link, and it cannot be linked", shown)


def make_durable(fd: int) -> None:
    """Everything written so far on this file system reaches the disk before the swap is made.
    One syncfs instead of an fsync per file; without syncfs each file was fsynced as written."""
    if _SYNCFS is not None and _SYNCFS(fd) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


def exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 RENAME_EXCHANGE). False when the system
    or the file system cannot; any other failure raises."""
    if _RENAMEAT2 is None:
        return False
    _RENAMEAT2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(first))


def remove_tree(steps: Steps, path: Path, shown: str) -> None:
    """Remove path and everything below it, one step per entry, never following a link."""
    if not os.path.lexists(path):
        return
    if stat.S_ISDIR(os.lstat(path).st_mode):
        for child in sorted(os.listdir(path)):
            remove_tree(steps, path / child, shown)
        steps("remove", shown)
        os.rmdir(path)
    else:
        steps("remove", shown)
        os.unlink(path)


def sync_folder(path: Path) -> None:
    """Make a rename inside `path` durable."""
    fd = open_folder(path)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
