"""Companion objects: plain Kubernetes manifests that belong with the models (PVCs, ConfigMaps,
Namespaces, NetworkPolicies, Services), kept beside the specs and rendered with them.

Layout (relative to the project root):
  resources/<env>/*.yaml                     objects for one environment
  resources/_services/<service>/*.yaml       objects of one service, in every environment that
                                             renders the service

They are read by the same reader as the specs (source/yaml_io.py, the input limits of
source/limits.py); a document that cannot stand for an object (not a mapping, no apiVersion,
kind or metadata.name) is refused here with one located line, and everything else is checked
like any emitted object: the offline validator, SEC-02, OUT-DUPLICATE.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, Location
from .yaml_io import LoadedDocument, load_file

RESOURCES_DIR = "resources"
SERVICES_DIR = "_services"
_SUFFIXES = (".yaml", ".yml")


@dataclass
class CompanionSources:
    # (document, its file relative to the project root, as rendered headers name it)
    by_environment: dict[str, list[tuple[LoadedDocument, str]]] = field(default_factory=dict)
    by_service: dict[str, list[tuple[LoadedDocument, str]]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def companion_folders(root: Path) -> list[Path]:
    """Every folder whose YAML files are companion objects (for the not-a-file check)."""
    base = root / RESOURCES_DIR
    if not base.is_dir():
        return []
    folders = [p for p in sorted(base.iterdir()) if p.is_dir() and p.name != SERVICES_DIR]
    services = base / SERVICES_DIR
    if services.is_dir():
        folders += [p for p in sorted(services.iterdir()) if p.is_dir()]
    return folders


def _refusal(doc: LoadedDocument) -> Diagnostic | None:
    """Why a document cannot be rendered as an object, or None."""
    hint = "write a Kubernetes object: apiVersion, kind and metadata.name (e.g. a PersistentVolumeClaim)"
    if not isinstance(doc.data, dict):
        return Diagnostic("COMPANION-SHAPE", "a companion object must be a mapping", hint, doc.locate(()))
    for key in ("apiVersion", "kind"):
        if not isinstance(doc.data.get(key), str) or not doc.data[key]:
            return Diagnostic("COMPANION-SHAPE", f"the object has no {key}", hint, doc.locate((key,) if key in doc.data else ()))
    metadata = doc.data.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        return Diagnostic("COMPANION-SHAPE", f"the {doc.data['kind']} has no metadata.name", hint, doc.locate(("metadata",) if isinstance(metadata, dict) else ()))
    return None


def _load_folder(root: Path, folder: Path, display, out: CompanionSources) -> list[tuple[LoadedDocument, str]]:
    documents: list[tuple[LoadedDocument, str]] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _SUFFIXES):
        shown = display(path)
        docs, diagnostics = load_file(path, shown)
        if not docs and not diagnostics:
            diagnostics = [Diagnostic("FILE-EMPTY", "the file holds no YAML document (it is empty, only comments, or null)", "write the object, or delete the file to remove it", Location(shown, 1, 1))]
        refusals = [r for r in (_refusal(doc) for doc in docs) if r is not None]
        if diagnostics or refusals:
            out.diagnostics.extend(diagnostics + refusals)
            out.refused.append(shown)
            continue
        source = path.relative_to(root).as_posix()
        documents.extend((doc, source) for doc in docs)
    return documents


def _unknown(rule: str, what: str, name: str, known: list[str], where: str) -> Diagnostic:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known {what}s: {', '.join(sorted(known)) or 'none'}"
    return Diagnostic(rule, f"companion objects for unknown {what} {name!r}", hint, Location(where))


def load_companions(root: Path, environments: list[str], services: list[str], display, broken_environments, broken_services) -> CompanionSources:
    """The companion documents of a project. `broken_*`: names a refused file may have defined
    (None: any name), never reported as unknown."""
    out = CompanionSources()
    base = root / RESOURCES_DIR
    if not base.is_dir():
        return out
    for folder in companion_folders(root):
        is_service = folder.parent.name == SERVICES_DIR and folder.parent.parent == base
        known, broken = (services, broken_services) if is_service else (environments, broken_environments)
        if folder.name not in known:
            if broken is not None and folder.name not in broken:
                out.diagnostics.append(_unknown("COMPANION-UNKNOWN", "service" if is_service else "environment", folder.name, known, display(folder)))
            continue
        target = out.by_service if is_service else out.by_environment
        target[folder.name] = _load_folder(root, folder, display, out)
    return out


def companions_of(sources: CompanionSources, env_name: str, services: set[str]) -> list[tuple[LoadedDocument, str]]:
    """What an environment renders: its own objects, then those of each service it renders."""
    found = list(sources.by_environment.get(env_name, []))
    for service in sorted(services):
        found.extend(sources.by_service.get(service, []))
    return found
