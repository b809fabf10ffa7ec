"""Each manifest's validation verdict, by the manifest and the schemas that judge it.

Validation is a tenth of a compile (docs/performance.md); with one service changed, all but a few
of an environment's manifests are the objects the last run validated. The diagnostics
`validate_manifests` gives for one manifest depend on its body, its origins (where a finding is
located), its service, the environment's name and validation settings, the command line's --crd
and --strict, the working folder (paths in notices) and the schema files the registry reads; so
one manifest's diagnostics are kept under the sha256 of exactly those — the schema files by
content: every CRD path, every local folder a schema location or kserveCrds template expands in,
the pulled schemas — and the validator's code (in the store's fingerprint).

Notices about the environment's schema sources come back with every manifest's diagnostics; the
pipeline keeps one of identical diagnostics (errors.sorted_unique).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path

from ..emit.manifest import Manifest
from ..errors import Diagnostic
from ..source.fingerprint import hash_tree
from ..source.unit_cache import SignedPickleStore
from ..spec.models import Environment
from .stage import SchemaOptions, SchemaRegistryCache, validate_manifests

FILE = "verdicts.pickle"
FORMAT = b"inferplane-verdicts-1"


def _local_heads(entries: list[str], env_dir: Path) -> list[Path]:
    """The local file or folder each source reads (a template's folder before its first `{{`)."""
    heads = []
    for entry in entries:
        if "://" in entry or entry == "default":
            continue  # read from the pulled schemas, hashed whole
        head = entry.split("{{", 1)[0]
        if "{{" in entry and not head.endswith("/"):
            head = os.path.dirname(head)
        heads.append((env_dir / head).resolve())
    return heads


class Verdicts(SignedPickleStore):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder / FILE, FORMAT)
        self._cache_dir = folder
        self._sources: dict[tuple[Path, ...], str] = {}

    def _schemas_digest(self, env: Environment, env_dir: Path, options: SchemaOptions) -> str:
        validation = env.spec.validation
        described = repr((env.metadata.name, env.spec.versions, validation, env.spec.mesh, str(env_dir.resolve()), os.getcwd(), options.strict, [str(p) for p in options.crd_paths]))
        paths = [(env_dir / entry).resolve() for entry in validation.crds] + [Path(p).resolve() for p in options.crd_paths]
        paths += _local_heads(list(validation.schema_locations) + list(validation.kserve_crds), env_dir) + [self._cache_dir / "schemas"]
        if tuple(paths) not in self._sources:  # environments that share their schema files hash them once
            digest = hashlib.sha256()
            for index, path in enumerate(paths):
                hash_tree(digest, path, f"{index}:{path}")
            self._sources[tuple(paths)] = digest.hexdigest()
        return hashlib.sha256(described.encode() + self._sources[tuple(paths)].encode()).hexdigest()

    def validate(self, manifests: list[Manifest], env: Environment, env_dir: Path, options: SchemaOptions, schemas: SchemaRegistryCache) -> list[Diagnostic]:
        """validate_manifests(manifests, …), each manifest's part from the store when known."""
        sources = self._schemas_digest(env, env_dir, options)
        found: list[Diagnostic] = []
        for manifest in manifests:
            key = self.digest("verdict", sources, _content(manifest))
            verdict = self.get(key)
            if not isinstance(verdict, list):
                verdict = validate_manifests([manifest], env, env_dir, options, schemas)
                self.put(key, verdict)
            found.extend(verdict)
        if not manifests:
            found = validate_manifests([], env, env_dir, options, schemas)  # the sources' own notices
        return list(dict.fromkeys(found))  # each manifest's part repeats the sources' notices: once


def _content(manifest: Manifest) -> bytes:
    stream = io.BytesIO()
    pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: equal manifests pickle alike whatever objects they share
    pickler.dump((manifest.body, manifest.service, manifest.origins))
    return stream.getvalue()
