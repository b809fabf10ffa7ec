"""One file replaced whole or not at all: the caches' writes (validate/cache.py, the build record).

Temp file beside it + rename: a reader (another run) sees the old file or the new one, never half
of one, and a run killed mid-write leaves a stray temp file (`.<name>.<random>`) that no reader
opens. Standard library only: the build record imports it before any stage.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable


def write_atomic(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """`data`: the bytes, or a function that writes them to the open file (a large cache is
    streamed, never held whole in memory)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            if isinstance(data, bytes):
                out.write(data)
            else:
                data(out)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
