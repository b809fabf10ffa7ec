"""Write: rendered files as bytes, compared with or swapped into `rendered/<env>/` atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..emit.manifest import Manifest, apply_order
from ..source.yaml_io import dump

KUSTOMIZATION = "kustomization.yaml"
HEADER = "# Rendered by inferplane from {source} for environment {env}. Do not edit: change the spec and run `inferplane compile`.\n"


def kustomization(manifests: list[Manifest]) -> bytes:
    body = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [m.file_name for m in manifests],
    }
    return dump(body, keep_order=True).encode("utf-8")


def render_tree(env: str, manifests: list[Manifest], sources: dict[str, str], extra_files: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file of rendered/<env>/: one per manifest (apply order), the kustomization, extras."""
    ordered = apply_order(manifests)
    files: dict[str, bytes] = {}
    for manifest in ordered:
        source = sources.get(manifest.service or "", f"environments/{env}.yaml")
        files[manifest.file_name] = (HEADER.format(source=source, env=env) + dump(manifest.body)).encode("utf-8")
    files[KUSTOMIZATION] = kustomization(ordered)
    files.update(extra_files or {})
    return dict(sorted(files.items()))


def existing_files(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            found[path.relative_to(folder).as_posix()] = path.read_bytes()
    return found


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


def write_tree(folder: Path, files: dict[str, bytes]) -> None:
    """Replace folder with exactly `files`: built aside, then swapped in with renames.

    The new tree is complete on disk before the old one moves, so an interrupted write leaves
    either the old tree or the new one (plus a `.old` folder to delete), never a mix.
    """
    if not files:
        # Nothing to write: the folder goes (an empty tree is no tree).
        if folder.exists():
            shutil.rmtree(folder)
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new-", dir=folder.parent))
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            os.chmod(target, 0o644)
        os.chmod(staging, 0o755)
        retired = folder.parent / f".{folder.name}.old"
        if retired.exists():
            shutil.rmtree(retired)
        if folder.exists():
            os.replace(folder, retired)
        os.replace(staging, folder)
        if retired.exists():
            shutil.rmtree(retired)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
