"""A content-addressed disk cache: pulled schemas, and CRD files already parsed.

Blobs are stored under their sha256 so a corrupted or edited file is noticed (its hash no longer
matches) and so two URLs serving the same schema share one blob. Writes are atomic (temp file +
rename): two processes validating at once never see half a file.

Trust: what validation believes must not come from the pull request it judges. A pull request can
commit files under .inferplane-cache/ (git-ignored is not git-refused): a planted URL reference to a
permissive blob, or a planted "parsed CRD" with no rules, would let any manifest pass. So the
entries that decide (a URL's reference, a parsed CRD file) are signed with the machine-local key
the build record uses (source/fingerprint.py, outside the project); an entry this machine did not
write is ignored: the schema counts as not pulled (fail closed) and the CRD file is parsed again.
Without a key nothing is trusted, so nothing is read back.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..source.atomic import write_atomic
from ..source.fingerprint import signed, signing_key, verified

# Bump when the meaning of a cached parse changes (e.g. the YAML loader's rules). 2: signed entries.
PARSE_FORMAT = "2"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DiskCache:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._key: bytes | None | bool = False  # looked up on first use: not every run needs it

    def _signing_key(self) -> bytes | None:
        if self._key is False:
            self._key = signing_key()
        return self._key  # type: ignore[return-value]

    def _write_signed(self, path: Path, body: bytes) -> None:
        key = self._signing_key()
        if key is not None:
            write_atomic(path, signed(key, body))

    def _read_signed(self, path: Path) -> bytes | None:
        """The body of `path` if this machine's key signed it; None if absent, unsigned or planted."""
        key = self._signing_key()
        if key is None or not path.is_file():
            return None
        try:
            return verified(key, path.read_bytes())
        except OSError:
            return None

    # ---------------------------------------------------------------- pulled schemas, by URL

    def _url_ref(self, url: str) -> Path:
        return self.root / "schemas" / "by-url" / sha256_hex(url.encode("utf-8"))

    def _blob(self, digest: str) -> Path:
        return self.root / "schemas" / "blobs" / f"{digest}.json"

    def store_schema(self, url: str, content: bytes) -> str:
        digest = sha256_hex(content)
        blob = self._blob(digest)
        if not blob.is_file():
            write_atomic(blob, content)
        self._write_signed(self._url_ref(url), f"{digest} {url}\n".encode("utf-8"))
        return digest

    def _url_digest(self, url: str) -> str | None:
        """The blob digest this machine recorded for url, or None (never pulled here, or planted)."""
        body = self._read_signed(self._url_ref(url))
        if body is None:
            return None
        digest, _, recorded = body.decode("utf-8", "replace").rstrip("\n").partition(" ")
        return digest if recorded == url else None

    def has_schema(self, url: str) -> bool:
        return self._url_digest(url) is not None

    def schema_file(self, url: str) -> Path | None:
        """The cached file of url (for readers that take a path, such as CRD sources), or None
        when it was never pulled or no longer matches its hash."""
        found = self._verified_blob(url)
        return found[0] if found else None

    def read_schema(self, url: str) -> bytes | None:
        """The cached body of url, or None when it was never pulled or the blob does not match its hash."""
        found = self._verified_blob(url)
        return found[1] if found else None

    def _verified_blob(self, url: str) -> tuple[Path, bytes] | None:
        """(blob path, body) of url's schema: its signed reference read once, its blob checked."""
        digest = self._url_digest(url)
        if digest is None:
            return None
        blob = self._blob(digest)
        if not blob.is_file():
            return None
        content = blob.read_bytes()
        return (blob, content) if sha256_hex(content) == digest else None

    # ---------------------------------------------------------------- parsed files, by content

    def _parsed(self, digest: str) -> Path:
        return self.root / "parsed" / f"{digest}-{PARSE_FORMAT}.json"

    def read_parsed(self, digest: str) -> Any | None:
        body = self._read_signed(self._parsed(digest))
        if body is None:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return None

    def store_parsed(self, digest: str, data: Any) -> None:
        self._write_signed(self._parsed(digest), json.dumps(data, separators=(",", ":")).encode("utf-8"))
