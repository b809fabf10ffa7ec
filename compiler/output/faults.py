"""Counted filesystem steps of the write transaction, and a fault injected at one of them.

Every change the transaction makes on disk (a folder made, a file written, a link, a rename, a
removal) is one step. Tests set `INFERPLANE_WRITE_FAULT=<n>:<fault>` to make the n-th step of a
run fail: `kill` ends the process with SIGKILL (as a crash or an OOM kill would), an errno name
(`ENOSPC`, `EROFS`, `EACCES`, `ENOENT`, …) raises that OSError as the disk would. This is how
the kill test stops a real compile at every point of the transaction, deterministically; nothing
else reads the variable, and a run without it is unaffected.
"""

from __future__ import annotations

import errno
import os
import signal
from pathlib import Path

FAULT_ENV = "INFERPLANE_WRITE_FAULT"


class Steps:
    """Counts steps; raises or kills at the one named by INFERPLANE_WRITE_FAULT."""

    def __init__(self, spec: str | None = None) -> None:
        spec = os.environ.get(FAULT_ENV, "") if spec is None else spec
        at, _, fault = spec.partition(":")
        self.fault_at = int(at) if at.strip().isdigit() else 0
        self.fault = fault.strip() or "kill"
        self.taken = 0
        self.where = ""  # the path of the last step, as a user knows it: what an error names

    def __call__(self, what: str, path: Path | str) -> None:
        """One step is about to change `path` (`what`: mkdir, write, link, rename, remove, sync)."""
        self.taken += 1
        self.where = str(path)
        if self.taken != self.fault_at:
            return
        if self.fault == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        code = getattr(errno, self.fault, errno.EIO)
        raise OSError(code, os.strerror(code), str(path))
