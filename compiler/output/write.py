"""The rendered files as bytes, and how a folder on disk differs from them (`--check`).

Writing them is one transaction over all of rendered/: transaction.py."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..emit.manifest import Manifest, apply_order
from ..source.yaml_io import dump

KUSTOMIZATION = "kustomization.yaml"
HEADER = "# Rendered by inferplane from {source} for environment {env}. Do not edit: change the spec and run `inferplane compile`.\n"


def kustomization(manifests: list[Manifest]) -> bytes:
    body = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        # kustomize re-sorts resources by kind unless told not to (its "legacy" order); the list is
        # already in apply order. sortOptions needs kustomize 5.0+ (kubectl 1.27+, Argo CD 2.7+,
        # Flux kustomize-controller 1.0+); an older kustomize refuses the unknown field.
        "sortOptions": {"order": "fifo"},
        "resources": [m.file_name for m in manifests],
    }
    return dump(body, keep_order=True).encode("utf-8")


def render_tree(env: str, manifests: list[Manifest], sources: dict[str, str], extra_files: dict[str, bytes] | None = None, dump_body: Callable[[Any], str] = dump) -> dict[str, bytes]:
    """Every file of rendered/<env>/: one per manifest (apply order), the kustomization, extras.
    `dump_body`: yaml_io.dump, or a cache of its results (source/unit_cache.RenderedText)."""
    ordered = apply_order(manifests)
    files: dict[str, bytes] = {}
    for manifest in ordered:
        source = sources.get(manifest.service or "", f"environments/{env}.yaml")
        files[manifest.file_name] = (HEADER.format(source=source, env=env) + dump_body(manifest.body)).encode("utf-8")
    files[KUSTOMIZATION] = kustomization(ordered)
    files.update(extra_files or {})
    return dict(sorted(files.items()))


def existing_files(folder: Path) -> dict[str, bytes | None]:
    """Every entry below folder that is not a folder: its bytes, or None for a link or a special
    file (compile never writes one, so it always differs). Links are never followed: a tree that
    points elsewhere is not read through."""
    if folder.is_symlink() or not folder.is_dir():
        return {}
    found: dict[str, bytes | None] = {}
    for parent, subfolders, files in os.walk(folder):
        for name in files + [d for d in subfolders if os.path.islink(os.path.join(parent, d))]:
            path = Path(parent) / name
            found[path.relative_to(folder).as_posix()] = path.read_bytes() if stat.S_ISREG(os.lstat(path).st_mode) else None
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class Staleness:
    changed: tuple[str, ...]
    missing: tuple[str, ...]  # compile would write them; the tree lacks them
    extra: tuple[str, ...]  # the tree has them; compile would remove them

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.missing or self.extra)


def compare(folder: Path, files: dict[str, bytes]) -> Staleness:
    current = existing_files(folder)
    return Staleness(
        changed=tuple(sorted(name for name in files if name in current and current[name] != files[name])),
        missing=tuple(sorted(name for name in files if name not in current)),
        extra=tuple(sorted(name for name in current if name not in files)),
    )
