"""A content-addressed disk cache: pulled schemas, and CRD files already parsed.

Blobs are stored under their sha256 so a corrupted or edited file is noticed (its hash no longer
matches) and so two URLs serving the same schema share one blob. Writes are atomic (temp file +
rename): two processes validating at once never see half a file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from ..source.atomic import write_atomic

# Bump when the meaning of a cached parse changes (e.g. the YAML loader's rules).
PARSE_FORMAT = "1"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DiskCache:
    def __init__(self, root: Path):
        self.root = Path(root)

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
        write_atomic(self._url_ref(url), f"{digest} {url}\n".encode("utf-8"))
        return digest

    def has_schema(self, url: str) -> bool:
        return self._url_ref(url).is_file()

    def schema_file(self, url: str) -> Path | None:
        """The cached file of url (for readers that take a path, such as CRD sources), or None
        when it was never pulled or no longer matches its hash."""
        ref = self._url_ref(url)
        if self.read_schema(url) is None:
            return None
        return self._blob(ref.read_text(encoding="utf-8").split(" ", 1)[0])

    def read_schema(self, url: str) -> bytes | None:
        """The cached body of url, or None when it was never pulled or the blob does not match its hash."""
        ref = self._url_ref(url)
        if not ref.is_file():
            return None
        digest = ref.read_text(encoding="utf-8").split(" ", 1)[0]
        blob = self._blob(digest)
        if not blob.is_file():
            return None
        content = blob.read_bytes()
        return content if sha256_hex(content) == digest else None

    # ---------------------------------------------------------------- parsed files, by content

    def _parsed(self, digest: str) -> Path:
        return self.root / "parsed" / f"{digest}-{PARSE_FORMAT}.json"

    def read_parsed(self, digest: str) -> Any | None:
        path = self._parsed(digest)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_bytes())
        except ValueError:
            return None

    def store_parsed(self, digest: str, data: Any) -> None:
        write_atomic(self._parsed(digest), json.dumps(data, separators=(",", ":")).encode("utf-8"))
