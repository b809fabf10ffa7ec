"""Load: read a project's service specs, environments and overlays, keeping positions.

Layout (relative to the project root):
  services/<service>.yaml              kind ModelService, one or more per file
  environments/<env>.yaml              kind Environment, its name is the file's stem
  overlays/<env>/<service>.yaml        a partial service document for one environment
  overlays/<env>/patches/*.yaml        patches applied to rendered manifests
  resources/<env>/*.yaml, resources/_services/<service>/*.yaml   companion objects (companions.py)
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import upstream
from ..errors import Diagnostic, Location
from .companions import CompanionSources, load_companions
from .yaml_io import LoadedDocument, load_file

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class ProjectSources:
    root: Path
    services: dict[str, LoadedDocument] = field(default_factory=dict)
    environments: dict[str, LoadedDocument] = field(default_factory=dict)
    overlays: dict[tuple[str, str], LoadedDocument] = field(default_factory=dict)
    patch_files: dict[str, list[Path]] = field(default_factory=dict)
    companions: CompanionSources = field(default_factory=CompanionSources)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Files that did not load (unreadable, broken YAML, over an input limit, empty) or hold a
    # document that cannot be used (a service without a name, an overlay that is not a mapping).
    # Any later finding could come from what they would have held, so a compile stops after
    # loading when there is one: each reports exactly its own error.
    refused: list[str] = field(default_factory=list)


# What to do with a file that holds no document, by folder: deleting a file is how a service,
# an environment, an overlay or a patch is removed, so an empty one is a mistake (a truncated file
# would otherwise drop a model from rendered/, and Argo CD would prune it from the cluster).
_EMPTY_HINTS = {
    "ModelService": "write the ModelService, or delete the file to remove the service",
    "Environment": "write the Environment, or delete the file to remove the environment",
    "overlay": "write the overlay's changes, or delete the file to use the service unchanged in this environment",
    "patch": "write a patch (target: and patch:, or a partial object), or delete the file",
}


def display_path(path: Path) -> str:
    """Paths as the user typed them would be: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    # Sorted by name: the same result whatever order the file system lists them in.
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES)


def _name_of(doc: LoadedDocument) -> str | None:
    metadata = doc.data.get("metadata") if isinstance(doc.data, dict) else None
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else None


def _load(path: Path, what: str, sources: ProjectSources) -> list[LoadedDocument] | None:
    """The documents of one file, or None (its one diagnostic recorded) when it did not load."""
    docs, diags = load_file(path, display_path(path))
    if not docs and not diags:
        diags = [Diagnostic("FILE-EMPTY", "the file holds no YAML document (it is empty, only comments, or null)", _EMPTY_HINTS[what], Location(display_path(path), 1, 1))]
    if diags:
        sources.diagnostics.extend(diags)
        sources.refused.append(display_path(path))
        return None
    return docs


def _load_kind(files: list[Path], kind: str, sources: ProjectSources) -> tuple[dict[str, LoadedDocument], set[str] | None]:
    """The documents of `kind` by metadata.name, and the names (file stems and metadata.names) of
    the documents that were refused; None when a file did not load: it may have held any name."""
    found: dict[str, LoadedDocument] = {}
    broken: set[str] | None = set()
    for path in files:
        docs = _load(path, kind, sources)
        if docs is None:
            broken = None
        for doc in docs or []:
            refusal = _refusal(doc, kind)
            if refusal is not None:
                sources.diagnostics.append(refusal)
                sources.refused.append(display_path(path))
                if broken is not None:
                    broken.update({path.stem} | ({_name_of(doc)} - {None}))
                continue
            name = _name_of(doc)
            assert name is not None  # _refusal refuses a document without a name
            unusable = _unusable_name(kind, name, doc)
            if unusable:
                # Never registered: a name that is no name would become a path (rendered/<env>/).
                sources.diagnostics.append(unusable)
                sources.refused.append(display_path(path))
                if broken is not None:
                    broken.update({path.stem, name})
                continue
            if kind == "Environment" and name != path.stem:
                if broken is not None:
                    broken.add(path.stem)
                stem_usable = upstream.dns1123_problem(path.stem) is None
                sources.diagnostics.append(
                    Diagnostic(
                        "ENV-NAME",
                        f"environment {name!r} is in file {path.name}",
                        f"rename the file to {name}.yaml" + (f" or set metadata.name: {path.stem}" if stem_usable else ""),
                        doc.locate(("metadata", "name")),
                    )
                )
            if name in found:
                first = found[name].locate(("metadata", "name"))
                sources.diagnostics.append(
                    Diagnostic(
                        "SPEC-DUPLICATE",
                        f"{kind} {name!r} is defined twice (first at {first})",
                        "give each one a unique metadata.name",
                        doc.locate(("metadata", "name")),
                    )
                )
                continue
            found[name] = doc
    return found, broken


def _refusal(doc: LoadedDocument, kind: str) -> Diagnostic | None:
    """Why a document cannot stand for a `kind` (a later check never sees it), or None."""
    if not isinstance(doc.data, dict):
        return Diagnostic("SPEC-KIND", f"expected a {kind} mapping", f"write a YAML mapping with `kind: {kind}`", doc.locate(()))
    if doc.data.get("kind") != kind:
        got = doc.data.get("kind")
        return Diagnostic("SPEC-KIND", f"expected kind {kind}, found {got!r}", f"files in this folder hold `kind: {kind}` documents", doc.locate(("kind",)), key_path=("kind",))
    metadata = doc.data.get("metadata")
    if not isinstance(metadata, dict) or "name" not in metadata:
        where = ("metadata",) if isinstance(metadata, dict) else ()
        return Diagnostic("SPEC-MISSING", "metadata needs key 'name'", f"add `name:` to metadata of this {kind}", doc.locate(where), key_path=("metadata", "name"))
    if not isinstance(metadata["name"], str):
        return Diagnostic("SPEC-TYPE", "metadata.name: input should be a valid string", f"name the {kind} with a string", doc.locate(("metadata", "name")), key_path=("metadata", "name"))
    return None


def _unusable_name(kind: str, name: str, doc: LoadedDocument) -> Diagnostic | None:
    """An environment name is the folder rendered/<env>/: a DNS label. A service name is checked
    in full by rule KS-03; here only what would make it a path (promote writes
    overlays/<env>/<service>.yaml)."""
    where = doc.locate(("metadata", "name"))
    if kind == "Environment":
        problem = upstream.dns1123_problem(name)
        if problem:
            fixed = upstream.dns1123_suggestion(name)
            hint = f"name it with a DNS label ({upstream.DNS1123_LABEL_RULE}) in metadata.name and in the file name, e.g. {fixed!r} in environments/{fixed}.yaml"
            return Diagnostic("ENV-NAME", f"environment name {problem}", hint, where, key_path=("metadata", "name"))
    elif not upstream.is_one_path_segment(name):
        hint = upstream.dns1123_hint(name)
        return Diagnostic("SPEC-NAME", f"metadata.name: {kind} name {name!r} is not a name but a path", hint, where, key_path=("metadata", "name"))
    return None


def load_environments(root: Path) -> ProjectSources:
    """Only environments/: what `validate` needs to judge rendered/<env>/ (loading the services
    too cost a 1,000-service fleet 2 s per environment folder)."""
    sources = ProjectSources(root=root)
    sources.environments, _ = _load_kind(_yaml_files(root / "environments"), "Environment", sources)
    return sources


def load_project(root: Path) -> ProjectSources:
    sources = ProjectSources(root=root)
    sources.services, broken_services = _load_kind(_yaml_files(root / "services"), "ModelService", sources)
    sources.environments, broken_environments = _load_kind(_yaml_files(root / "environments"), "Environment", sources)
    # A name that only a refused file or document could define is not reported as unknown: its
    # own error says what is wrong. A file that did not load may have defined any name (None).
    if broken_environments is not None:
        for doc in sources.services.values():
            sources.diagnostics.extend(_unknown_environments(doc, sources.environments, broken_environments))
    overlay_root = root / "overlays"
    env_dirs = sorted(p for p in overlay_root.iterdir() if p.is_dir()) if overlay_root.is_dir() else []
    for env_dir in env_dirs:
        if env_dir.name not in sources.environments:
            if broken_environments is not None and env_dir.name not in broken_environments:
                sources.diagnostics.append(_unknown("OVERLAY-ENV", "environment", env_dir.name, sources.environments, Location(display_path(env_dir))))
            continue
        for path in _yaml_files(env_dir):
            docs = _load(path, "overlay", sources)
            if docs is None:
                continue
            if path.stem not in sources.services:
                if broken_services is not None and path.stem not in broken_services:
                    sources.diagnostics.append(_unknown("OVERLAY-SERVICE", "service", path.stem, sources.services, Location(display_path(path), 1, 1)))
                continue
            if len(docs) > 1:
                sources.diagnostics.append(Diagnostic("OVERLAY-DOCS", "an overlay holds one YAML document", "merge the documents into one", docs[1].locate(())))
            if not isinstance(docs[0].data, dict):
                sources.diagnostics.append(Diagnostic("OVERLAY-SHAPE", "an overlay must be a mapping", "write a partial service document, e.g. `spec: {scaling: {minReplicas: 0}}`", docs[0].locate(())))
                sources.refused.append(display_path(path))
                continue
            sources.overlays[(env_dir.name, path.stem)] = docs[0]
        patches = env_dir / "patches"
        if patches.is_dir():
            files = sorted(p for p in patches.iterdir() if p.is_file() and p.suffix in YAML_SUFFIXES + (".json",))
            # Read here only to refuse a file that does not load before anything is compiled (the
            # patch stage reads them again, after emit: they are small).
            for path in files:
                _load(path, "patch", sources)
            sources.patch_files[env_dir.name] = files
    sources.companions = load_companions(root, list(sources.environments), list(sources.services), display_path, broken_environments, broken_services)
    sources.diagnostics.extend(sources.companions.diagnostics)
    sources.refused.extend(sources.companions.refused)
    return sources


def _unknown(rule: str, what: str, name: str, known: dict, location: Location) -> Diagnostic:
    close = difflib.get_close_matches(name, list(known), n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"known {what}s: {', '.join(sorted(known)) or 'none'}"
    return Diagnostic(rule, f"overlay for unknown {what} {name!r}", hint, location)


def _unknown_environments(service: LoadedDocument, environments: dict, broken: set[str]) -> list[Diagnostic]:
    """Names in a service's spec.environments that no environment has: a typo there would leave
    the service out of every environment without a word (the model check reports wrong types)."""
    spec = service.data.get("spec") if isinstance(service.data, dict) else None
    listed = spec.get("environments") if isinstance(spec, dict) else None
    found = []
    for index, name in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(name, str) and name not in environments and name not in broken:
            where = ("spec", "environments", index)
            close = difflib.get_close_matches(name, list(environments), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known environments: {', '.join(sorted(environments)) or 'none'}"
            found.append(Diagnostic("SERVICE-ENV", f"spec.environments names unknown environment {name!r}", hint, service.locate(where), key_path=where))
    return found
