"""Fingerprints and the signing key the caches share (commands/build_cache.py, parse_cache.py).

Standard library only: the build record imports this before any stage.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import sys
from pathlib import Path

KEY_FILE_ENV = "INFERPLANE_CACHE_KEY_FILE"  # where the signing key lives (tests point it elsewhere)
_COMPILER = Path(__file__).resolve().parents[1]


def _hash_file(digest, path: Path, name: str) -> None:
    """Path, kind and bytes of one entry into `digest`; never opens what is not a regular file
    (a FIFO would block): its kind is the input, and compile refuses it anyway."""
    try:
        info = os.lstat(path)
    except OSError:
        digest.update(f"{name}\0gone\0".encode())
        return
    if stat.S_ISLNK(info.st_mode):
        digest.update(f"{name}\0link\0{os.readlink(path)}\0".encode())
        try:
            info = os.stat(path)
        except OSError:
            return
    if not stat.S_ISREG(info.st_mode):
        digest.update(f"{name}\0special\0{stat.S_IFMT(info.st_mode)}\0".encode())
        return
    data = Path(path).read_bytes()
    digest.update(f"{name}\0{len(data)}\0".encode())
    digest.update(data)


def hash_tree(digest, top: Path, label: str, skip: tuple[str, ...] = ()) -> None:
    """Every entry under `top` (recursively, links not followed), in a fixed order."""
    if not top.exists() and not top.is_symlink():
        digest.update(f"{label}\0absent\0".encode())
        return
    if not top.is_dir() or top.is_symlink():
        _hash_file(digest, top, label)
        return
    for folder, dirs, files in os.walk(top):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        relative = Path(folder).relative_to(top).as_posix()
        digest.update(f"{label}/{relative}\0dir\0".encode())
        for name in sorted(files):
            _hash_file(digest, Path(folder) / name, f"{label}/{relative}/{name}")
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                _hash_file(digest, Path(folder) / name, f"{label}/{relative}/{name}")


def compiler_digest() -> str:
    """The compiler's own files, the Python that runs them and the installed distributions."""
    digest = hashlib.sha256()
    hash_tree(digest, _COMPILER, "compiler", skip=("__pycache__",))
    digest.update(sys.version.encode())
    for entry in sys.path:
        if os.path.isdir(entry):
            digest.update("\0".join(sorted(name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info", ".pth")))).encode())
    return digest.hexdigest()


def signing_key() -> bytes | None:
    """The machine-local key entries are signed with; None (no cache) when it cannot be had."""
    configured = os.environ.get(KEY_FILE_ENV)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "inferplane"
    path = Path(configured) if configured else base / "cache-key"
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as out:
            out.write(secrets.token_bytes(32))
        return path.read_bytes()
    except FileExistsError:
        data = path.read_bytes()  # another run created it first
        return data if len(data) == 32 else None
    except OSError:
        return None


def sign(key: bytes, body: bytes) -> bytes:
    """The HMAC-SHA256 of `body` under `key`, hex: the first line of every cache file."""
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode("ascii")


def signed(key: bytes, body: bytes) -> bytes:
    return sign(key, body) + b"\n" + body


def verified(key: bytes, data: bytes) -> bytes | None:
    """The body of a signed file, or None if this key did not sign it."""
    mac, _, body = data.partition(b"\n")
    return body if hmac.compare_digest(mac, sign(key, body)) else None
