"""Provenance: which spec file:line caused a field of a rendered object, for review comments.

A pure side-output of compile, built from what compile already holds, with no pass of its own:
each emitter records `Manifest.origins` (JSON pointer → the spec location it read) and each plan
keeps its resolved spec (`Layer.positions`: key path → the file and line that set it, the service
file, an overlay or the environment's `defaults`). Joining the two happens only when asked, for
the few fields a diff shows:

    /spec/predictor/model/resources/limits/memory
      origins: /spec/predictor/model/resources → services/iris.yaml:16:5   (the `resources:` key)
      positions: that location is spec.predictor.resources; its limits.memory was set at
                 environments/prod.yaml:24:39 (the environment's defaults)  → the cause

An emitter that renamed the keys below its origin (a spec `minReplicas` becoming `minScale`)
leaves the cause at the origin itself, which is still the right file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location
from ..source.yaml_io import KeyPath

Positions = Mapping[KeyPath, Location]


@dataclass(frozen=True)
class Provenance:
    """One rendered object's field → spec location map (`cause`), over shared, unchanged data."""

    origins: Mapping[str, Location]
    positions: Positions = field(default_factory=dict)
    of_environment: bool = False  # an object of the whole environment, not of one service
    root: str = ""  # the project folder: causes are shown as paths inside it (services/a.yaml:3)
    _by_location: dict = field(default_factory=dict, compare=False, repr=False)

    def cause(self, pointer: str) -> Location | None:
        """The spec location that set the field at `pointer` (RFC 6901), or None when unknown."""
        at = pointer
        while at not in self.origins:
            if not at:
                return None
            at = at.rsplit("/", 1)[0]
        origin = self.origins[at]
        rest = tuple(_token(part) for part in pointer[len(at) :].split("/")[1:])
        best, depth = origin, 0
        for key_path in self._key_paths_at(origin):
            for size in range(len(rest), depth, -1):
                found = self.positions.get(key_path + rest[:size])
                if found is not None:
                    best, depth = found, size
                    break
        return best

    def describe(self, pointer: str) -> tuple[str, str]:
        """("file:line", what kind of file) of the cause, ("", "") when unknown."""
        location = self.cause(pointer)
        if location is None:
            return "", ""
        kind = source_kind(location)
        if kind == "environment" and not self.of_environment:
            kind = "defaults"  # a service reads the environment file only through its `defaults`
        path = _inside(location.path, self.root)
        return f"{path}:{location.line}" if location.line else path, kind

    def _key_paths_at(self, location: Location) -> list[KeyPath]:
        # Built once per object and only when a diff asks: most objects are never asked.
        if not self._by_location and self.positions:
            for key_path, where in self.positions.items():
                self._by_location.setdefault(where, []).append(key_path)
        return self._by_location.get(location, [])


def _inside(path: str, root: str) -> str:
    """`path` (as diagnostics show it: relative to the working folder, or absolute) inside `root`."""
    if not root:
        return path
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path


def _token(part: str) -> str | int:
    text = part.replace("~1", "/").replace("~0", "~")
    return int(text) if text.isdigit() else text


def source_kind(location: Location) -> str:
    """What kind of spec file a cause is in, as a reviewer names it."""
    parts = location.path.replace("\\", "/").split("/")
    if "patches" in parts[:-1]:
        return "patch"
    if "overlays" in parts[:-1]:
        return "overlay"
    if "environments" in parts[:-1]:
        return "environment"
    if "services" in parts[:-1]:
        return "service"
    return "spec"


# Objects of the whole environment (no service) come from one block of the environment file.
ENVIRONMENT_BLOCKS: dict[str, KeyPath] = {
    "Gateway": ("spec", "mesh", "gateway"),
    "PeerAuthentication": ("spec", "mesh"),
    "Certificate": ("spec", "tls"),
    "ClusterIssuer": ("spec", "tls", "issuer"),
    "Issuer": ("spec", "tls", "issuer"),
    "Application": ("spec", "gitops"),
    "AppProject": ("spec", "gitops"),
    "Kustomization": ("spec", "gitops"),
    "GitRepository": ("spec", "gitops"),
    "Namespace": ("spec", "namespace"),
}


def environment_provenance(manifests: list, plans: list, env_layer, root: str = "") -> dict:
    """identity → Provenance for one environment's final manifests (patches applied), and
    service name → the service's own file, for objects a change no longer renders.

    Only references are gathered: the resolved spec positions of each plan are shared, not copied."""
    positions: dict[str, Positions] = {}
    for plan in plans:
        for name in (plan.name, plan.service):
            if name:
                positions.setdefault(name, plan.layer.positions)
    found: dict = {}
    for plan in plans:
        # By service name too: what a removed object's service still says (its file, at the top).
        for name in (plan.name, plan.service):
            if name:
                found.setdefault(name, Provenance({"": plan.locate()}, {}, root=root))
    for manifest in manifests:
        origins = manifest.origins
        if manifest.service is None and not origins:
            block = ENVIRONMENT_BLOCKS.get(manifest.kind, ("spec",))
            origins = {"": env_layer.locate(block)}
            found[manifest.identity] = Provenance(origins, env_layer.positions, of_environment=True, root=root)
            continue
        found[manifest.identity] = Provenance(origins, positions.get(manifest.service or "", {}), root=root)
    return found
