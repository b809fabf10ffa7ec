"""Rendered manifests with identity, and the stable order and file names of a rendered tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from ..errors import Location

# Apply order (lowest first), after lightkube's sort_objects: what others depend on comes first.
_APPLY_RANK = {
    "CustomResourceDefinition": 0,
    "Namespace": 1,
    "ServiceAccount": 2,
    "Secret": 3,
    "ConfigMap": 3,
    "ClusterIssuer": 4,
    "Issuer": 4,
    "Certificate": 5,
    "ClusterServingRuntime": 6,
    "ServingRuntime": 6,
    "PersistentVolumeClaim": 6,
    "PeerAuthentication": 7,
    # Access policies before the workloads they protect: a model is never up without them.
    "RequestAuthentication": 7,
    "AuthorizationPolicy": 7,
    "NetworkPolicy": 7,
    "DestinationRule": 8,
    "Gateway": 8,
    "InferenceService": 9,
    "InferenceGraph": 10,
}
_DEFAULT_RANK = 11


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object as plain data.

    `origins` maps a JSON pointer inside the body to the service-spec location that produced
    it, so a validation failure of the output can name the input field responsible.
    `service` is the service spec that produced the object (None for environment-wide objects).
    """

    body: dict
    service: str | None = None
    origins: dict[str, Location] = field(default_factory=dict, compare=False, hash=False)

    @property
    def api_version(self) -> str:
        return self.body.get("apiVersion", "")

    @property
    def kind(self) -> str:
        return self.body.get("kind", "")

    @property
    def group(self) -> str:
        api_version = self.api_version
        return api_version.split("/", 1)[0] if "/" in api_version else ""

    @property
    def name(self) -> str:
        return (self.body.get("metadata") or {}).get("name", "")

    @property
    def namespace(self) -> str:
        return (self.body.get("metadata") or {}).get("namespace", "") or ""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """group/kind/namespace/name: what the API server treats as the same object."""
        return (self.group, self.kind, self.namespace, self.name)

    @property
    def display_name(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"

    @property
    def file_name(self) -> str:
        """Stable file name: `<namespace or _cluster>/<kind>-<name>.yaml` (lower-case kind)."""
        folder = self.namespace or "_cluster"
        return f"{folder}/{self.kind.lower()}-{self.name}.yaml"

    def origin_of(self, pointer: str) -> Location | None:
        """The spec location behind a JSON pointer: the longest recorded prefix wins."""
        path = pointer
        while True:
            if path in self.origins:
                return self.origins[path]
            if not path:
                return None
            path = path.rsplit("/", 1)[0]


def pointer_to(parent: str, token: str | int) -> str:
    """The JSON pointer of `token` inside `parent` (RFC 6901 escapes `~` and `/`)."""
    return f"{parent}/{str(token).replace('~', '~0').replace('/', '~1')}"


def origins_without(origins: dict[str, Location], pointer: str) -> dict[str, Location]:
    """The origins left when the value at `pointer` is gone (removed or replaced): nothing below it
    may keep pointing at the spec field that produced the old value."""
    return {at: location for at, location in origins.items() if at != pointer and not at.startswith(pointer + "/")}


def origins_shifted(origins: dict[str, Location], list_pointer: str, index: int, delta: int) -> dict[str, Location]:
    """The origins after items from `index` on of the list at `list_pointer` moved by `delta`
    (+1: an item was inserted before them, -1: one was removed), so each origin stays with its item."""
    prefix = list_pointer + "/"
    shifted: dict[str, Location] = {}
    for at, location in origins.items():
        if at.startswith(prefix):
            token, _, rest = at[len(prefix) :].partition("/")
            if token.isdigit() and int(token) >= index:
                at = f"{prefix}{int(token) + delta}" + (f"/{rest}" if rest else "")
        shifted[at] = location
    return shifted


def apply_rank(kind: str) -> int:
    """Where a kind goes in the apply order (lower first); also its Argo CD sync wave."""
    return _APPLY_RANK.get(kind, _DEFAULT_RANK)


def apply_order(manifests: Iterable[Manifest]) -> list[Manifest]:
    """Dependencies first, then by identity: independent of the order emitters ran in."""
    return sorted(manifests, key=lambda m: (apply_rank(m.kind), m.identity))


def deduplicate(manifests: Iterable[Manifest]) -> list[Manifest]:
    """The first of each set of identical objects (same identity, same body), in order."""
    seen: dict[tuple, dict] = {}
    kept = []
    for manifest in manifests:
        if seen.get(manifest.identity) == manifest.body:
            continue
        seen.setdefault(manifest.identity, manifest.body)
        kept.append(manifest)
    return kept


def duplicates(manifests: Iterable[Manifest]) -> list[tuple[Manifest, Manifest]]:
    """Pairs of manifests that claim one identity or one file name."""
    seen: dict[object, Manifest] = {}
    clashes = []
    for manifest in manifests:
        for key in (manifest.identity, manifest.file_name):
            if key in seen and seen[key] is not manifest:
                clashes.append((seen[key], manifest))
                break
            seen[key] = manifest
    return clashes


def drop_empty(mapping: dict) -> dict:
    """The mapping without unset values (None, empty list, map or string): emitters write only
    what the plan sets, so an unset field never appears as `key: null` or `key: []`."""
    return {key: value for key, value in mapping.items() if value not in (None, [], {}, "")}
