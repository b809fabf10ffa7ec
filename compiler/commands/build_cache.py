"""The build record: `compile` skips the whole pipeline when nothing it reads has changed.

One entry per set of command-line options (`.inferplane-cache/build/<options digest>.json`, so the
cache holds one entry per way the project is compiled, not one per commit). It records:
- `key`: the sha256 of every input of the run — each file under services/, environments/,
  overlays/ and resources/ (path and bytes; any other file there too: more than compile reads, never
  less), the files of every --crd path, the pulled schemas (`.inferplane-cache/schemas/`), the
  compiler itself (every file of the package: a changed rule or emitter is a changed input), the
  installed distributions and Python version, the options, the `INFERPLANE_*` variables (input
  limits), the working folder (printed paths are relative to it) and the repository prefix (GitOps
  paths);
- `deps`: inputs only the compile could name (the CRD paths environments list), hashed again on
  every lookup;
- `tree`: the sha256 of every file of rendered/ as that run left it, with its status (size, mtime,
  ctime, inode) to tell an untouched file without reading it (`tree_state`);
- `output`: what the run printed (stdout and stderr, in order). Only a run that exited 0 is recorded.

A lookup hits only if the key, the deps and the whole rendered/ tree match: then compile has
nothing to write and --check nothing to report, and the recorded output is printed again. Anything
else — a changed byte, a missing or extra file, a transaction folder left by a killed write, an
unreadable or corrupted entry — is a miss and the full pipeline runs (and validates). The hashing
needs the standard library only: the no-change path never imports the stages.

Trust: a pull request can commit files under .inferplane-cache/ (git-ignored is not git-refused).
Every entry is signed with HMAC-SHA256 under a key that lives outside the project
(`$XDG_CACHE_HOME/inferplane/cache-key`, created on first use, mode 0600); an entry this machine did
not write fails the check and is ignored. A CI runner that starts without the key trusts no entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from ..source.atomic import write_atomic
from ..source.fingerprint import KEY_FILE_ENV, compiler_digest, hash_tree, signed, signing_key, verified
from ..source.repository import repository_prefix

FORMAT = "1"  # bump when the meaning of an entry changes
CACHE_DIR = ".inferplane-cache"  # pipeline.CACHE_DIR (importing the pipeline is what this avoids)
RENDERED = "rendered"
TRANSACTION = ".rendered.inferplane-txn"  # output.transaction's folder: a killed write to recover
INPUT_FOLDERS = ("services", "environments", "overlays", "resources")


# A file whose status changed this close to the moment its digest was recorded may have changed
# again within one tick of the file system's clock (ext4 stamps ctime from a ~4 ms tick): its bytes
# are hashed, whatever its status says (git's "racy clean" rule).
RACY_NS = 2_000_000_000


def tree_state(rendered: Path, recorded: dict | None = None, verified_ns: int = 0) -> dict[str, list] | None:
    """[sha256, size, mtime_ns, ctime_ns, inode] of each file of rendered/ by relative path; None
    if anything there is not a regular file (compile decides what to do with it). A file whose
    status equals its `recorded` one, last changed well before `verified_ns`, keeps its recorded
    digest (no write leaves size, mtime, ctime and inode all unchanged); any other is read and hashed."""
    found: dict[str, list] = {}
    if not rendered.is_dir():
        return found if not rendered.exists() else None
    recorded = recorded or {}
    for folder, dirs, files in os.walk(rendered):
        dirs.sort()
        for name in dirs:
            if (Path(folder) / name).is_symlink():
                return None
        for name in files:
            path = Path(folder) / name
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode):
                return None
            relative = path.relative_to(rendered).as_posix()
            status = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]
            known = recorded.get(relative)
            if known is not None and known[1:] == status and info.st_ctime_ns < verified_ns - RACY_NS:
                found[relative] = known
            else:
                found[relative] = [hashlib.sha256(path.read_bytes()).hexdigest(), *status]
    return found


def _digests(state: dict[str, list] | None) -> dict[str, str] | None:
    return None if state is None else {path: entry[0] for path, entry in state.items()}


@dataclass
class Hit:
    output: list[tuple[bool, str]]  # (to stderr, text) in the order printed


class BuildRecord:
    """The build record of one project and one set of options (see the module docstring)."""

    def __init__(self, project: Path, options: dict, crd_paths: tuple[Path, ...]) -> None:
        self.project = project
        self.rendered = project / RENDERED
        self._key_secret = signing_key()
        cwd = os.getcwd()
        # INFERPLANE_* variables change what compile accepts (input limits) and does (fault injection).
        settings = {name: value for name, value in os.environ.items() if name.startswith("INFERPLANE_") and name != KEY_FILE_ENV}
        described = json.dumps({"format": FORMAT, "options": options, "cwd": cwd, "root": str(project.resolve()), "environ": settings}, sort_keys=True)
        self.entry = project / CACHE_DIR / "build" / f"{hashlib.sha256(described.encode()).hexdigest()}.json"
        self._described, self._crd_paths = described, crd_paths
        try:
            self.key: str | None = self._inputs_digest(described, crd_paths)
        except OSError:
            self.key = None  # an input this run cannot read: compile reports it, nothing is recorded

    def _inputs_digest(self, described: str, crd_paths: tuple[Path, ...]) -> str:
        digest = hashlib.sha256(described.encode())
        digest.update(compiler_digest().encode())
        digest.update(f"\0prefix\0{repository_prefix(self.project)}\0".encode())
        for folder in INPUT_FOLDERS:
            hash_tree(digest, self.project / folder, folder)
        for index, path in enumerate(crd_paths):
            hash_tree(digest, Path(path), f"crd{index}")
        hash_tree(digest, self.project / CACHE_DIR / "schemas", "schemas")
        return digest.hexdigest()

    @property
    def usable(self) -> bool:
        return self._key_secret is not None and self.key is not None

    def lookup(self) -> Hit | None:
        if not self.usable or (self.project / TRANSACTION).exists():
            return None
        assert self._key_secret is not None
        try:
            body = verified(self._key_secret, self.entry.read_bytes())
            if body is None:
                return None
            record = json.loads(body)
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("key") != self.key:
            return None
        verified_ns = time.time_ns()  # before any status is read: what changes later is newer
        recorded = record.get("tree") or {}
        try:
            if record.get("deps_digest") != _deps_digest(record.get("deps", [])):
                return None
            state = tree_state(self.rendered, recorded, int(record.get("verified_ns", 0)))
        except (OSError, TypeError, ValueError, IndexError):
            return None  # unreadable, or a record of the wrong shape: compile decides
        if state is None or _digests(state) != _digests(recorded):
            return None
        if any(state[path] is not recorded[path] for path in state):
            # Hashed afresh (racy or touched) and equal: record the new status, so the next run can
            # trust it without reading the file.
            self._write(record | {"tree": state, "verified_ns": verified_ns})
        return Hit([(bool(err), str(text)) for err, text in record["output"]])

    def store(self, output: list[tuple[bool, str]], deps: list[str]) -> None:
        """Record a run that exited 0; a cache that cannot be written is no error (the next run compiles)."""
        if not self.usable:
            return
        verified_ns = time.time_ns()
        try:
            tree = tree_state(self.rendered)
            deps_digest = _deps_digest(sorted(deps))
            # An input edited while the pipeline ran: the output may be of either version.
            unchanged = self._inputs_digest(self._described, self._crd_paths) == self.key
        except OSError:
            return
        if tree is None or not unchanged:
            return
        self._write({"format": FORMAT, "key": self.key, "deps": sorted(deps), "deps_digest": deps_digest, "tree": tree, "verified_ns": verified_ns, "output": output})

    def _write(self, record: dict) -> None:
        body = json.dumps(record, sort_keys=True, separators=(",", ":")).encode()
        try:
            write_atomic(self.entry, signed(self._key_secret, body))
        except OSError:
            pass


def environment_inputs(env_dir: Path, paths: list[str], templates: list[str]) -> list[str]:
    """The local files and folders an environment's validation reads (`crds`, and the folders
    `schemaLocations` and `kserveCrds` templates expand inside): inputs outside the folders the
    key hashes. URLs (and kubeconform's `default`) are read from the pulled schemas, which the key
    hashes."""
    found = []
    for entry in paths + templates:
        if entry.startswith(("http://", "https://")) or entry == "default":
            continue
        head = entry.split("{{", 1)[0]
        if "{{" in entry and not head.endswith("/"):
            head = os.path.dirname(head)  # the folder the template's file names expand in
        found.append(str((env_dir / head).resolve()))
    return found


def _deps_digest(deps: list[str]) -> str:
    digest = hashlib.sha256()
    for path in deps:
        hash_tree(digest, Path(path), path)
    return digest.hexdigest()
