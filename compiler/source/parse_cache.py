"""Parsed spec files by content: a compile parses again only the files that changed.

ruamel.yaml's pure-Python parser is 37 % of a 1,000-service compile (docs/performance.md). The
result of `yaml_io.parse_documents` (documents with the line and column of every key, or the
diagnostics of a file that does not parse) depends on the file's bytes, the path it is shown as,
the input limits and the parser's code — nothing else. So it is kept under the sha256 of exactly
those (the compiler's own files stand for the parser: any change to the compiler is a new key), in
`.inferplane-cache/parsed.pickle`, and a later run with the same key unpickles it instead.

Pickle runs code when it loads, and a pull request can commit `.inferplane-cache/`: the file is
signed with the machine-local key of source/fingerprint.py (HMAC-SHA256), and a file this machine
did not sign is never unpickled — it is ignored and replaced. Each entry is kept as its own pickled
bytes and unpickled afresh on each use, so a stage that changes the data it was given cannot change
the cache. Written atomically once per successful run, holding only the entries the run used: the file does
not grow with history. Any error reading or writing it is a miss, never a failure.
"""

from __future__ import annotations

import hashlib
import hmac
import pickle
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from .atomic import write_atomic
from .fingerprint import compiler_digest, sign, signing_key

FILE = "parsed.pickle"
FORMAT = b"inferplane-parsed-1"


class SignedPickleStore:
    """Pickled values under content keys, in one file signed with the machine-local key: never
    unpickled unless this machine signed it; each value unpickled afresh per use; saved holding
    only the entries this run used (the file does not grow with history). Any error is a miss."""

    def __init__(self, path: Path, fmt: bytes) -> None:
        self.path = path
        self._secret = signing_key()
        self._fingerprint = fmt + compiler_digest().encode()
        self._stored: dict[str, bytes] = {}
        self._used: dict[str, bytes] = {}
        if self._secret is not None:
            try:
                # fingerprint.verified, on a view of the file: a large file is not copied to be checked
                data = self.path.read_bytes()
                end = data.find(b"\n")
                body = memoryview(data)[end + 1 :]
                trusted = end > 0 and hmac.compare_digest(data[:end], sign(self._secret, body))
                entries = pickle.loads(body) if trusted else {}
                self._stored = entries if isinstance(entries, dict) else {}
            except Exception:  # noqa: BLE001 - whatever is wrong with the file, it is a miss
                self._stored = {}

    def digest(self, *parts: bytes | str) -> str:
        """The key of `parts` (each length-prefixed: no two lists of parts share a key)."""
        digest = hashlib.sha256(self._fingerprint)
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)
        return digest.hexdigest()

    def get(self, key: str) -> Any:
        entry = self._used.get(key) or self._stored.get(key)  # this run's own entries too
        if entry is None:
            return None
        self._used[key] = entry
        return pickle.loads(entry)

    def put(self, key: str, value: Any) -> None:
        self._used[key] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)

    def save(self, keep: int = 0) -> None:
        """Write the entries this run used, and up to `keep` others it found (newest first)."""
        kept = self._used | {key: value for key, value in list(self._stored.items())[-keep:] if key not in self._used} if keep else self._used
        if self._secret is None or kept == self._stored:
            return
        try:
            write_atomic(self.path, lambda out: _write_signed(out, self._secret, kept))
        except OSError:
            pass


class _Signing:
    """A file that also feeds what is written to it to an HMAC."""

    def __init__(self, out: BinaryIO, mac: Any) -> None:
        self.out, self.mac = out, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.out.write(data)


def _write_signed(out: BinaryIO, secret: bytes, value: Any) -> None:
    """fingerprint.signed(secret, pickle.dumps(value)), streamed: the signature's line is written
    last, over a placeholder of its length (a killed write leaves only the temporary file)."""
    placeholder = sign(secret, b"")
    out.write(b"0" * len(placeholder) + b"\n")
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    pickle.dump(value, _Signing(out, mac), protocol=pickle.HIGHEST_PROTOCOL)
    out.seek(0)
    out.write(mac.hexdigest().encode("ascii"))


class ParseCache(SignedPickleStore):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder / FILE, FORMAT)
        # shown path → key of the bytes this run parsed there: what later caches key on
        # (source/unit_cache.py), without reading the file a second time (it may have changed since).
        self.read: dict[str, str] = {}

    def key(self, data: bytes, shown: str, limits: Any) -> str:
        key = self.digest(shown, repr(limits), data)
        self.read[shown] = key
        return key


_active: list[ParseCache] = []


@contextmanager
def reading_through(cache: ParseCache | None) -> Iterator[None]:
    """Within the block, yaml_io.load_file reads and records parses in `cache` (None: no cache).
    The caller saves it — compile only after a run without errors: a failed run writes nothing."""
    if cache is None:
        yield
        return
    _active.append(cache)
    try:
        yield
    finally:
        _active.remove(cache)


def active() -> ParseCache | None:
    return _active[-1] if _active else None
