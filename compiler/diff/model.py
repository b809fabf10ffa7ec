"""What the diff reads: resources with identity, grouped per environment into a `Tree`.

A `Tree` is the rendered output of one revision: `tree["prod"]` maps each resource's
`Identity` to its `Resource`. `images.yaml` is kept apart (`tree.images["prod"]`) because it
is a list of images, not a Kubernetes object; `kustomization.yaml` is not kept at all, since it
only lists the resources the diff already sees.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..errors import Diagnostic

SERVICE_LABEL = "app.kubernetes.io/name"


class Identity(NamedTuple):
    """group/kind/namespace/name: what the API server treats as the same object.

    The group is the part of apiVersion before '/', '' for the core group, so a move from
    `v1beta1` to `v1` of one kind is a change of the same object, not a delete and a create.
    """

    group: str
    kind: str
    namespace: str
    name: str

    @property
    def display(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"

    def key(self) -> str:
        """A stable one-string form for JSON output."""
        return "/".join((self.group or "core", self.kind, self.namespace or "_cluster", self.name))


def identity_of(body: Mapping[str, Any]) -> Identity:
    api_version = str(body.get("apiVersion") or "")
    metadata = body.get("metadata") or {}
    return Identity(
        group=api_version.split("/", 1)[0] if "/" in api_version else "",
        kind=str(body.get("kind") or ""),
        namespace=str(metadata.get("namespace") or ""),
        name=str(metadata.get("name") or ""),
    )


@dataclass(frozen=True)
class Resource:
    """One rendered Kubernetes object as plain data, and the file it came from (inside its environment)."""

    identity: Identity
    body: dict
    path: str = ""

    @classmethod
    def from_body(cls, body: dict, path: str = "") -> Resource:
        return cls(identity_of(body), body, path)

    @property
    def service(self) -> str:
        """The model service this object belongs to: the `app.kubernetes.io/name` label, else its own name."""
        labels = (self.body.get("metadata") or {}).get("labels") or {}
        return str(labels.get(SERVICE_LABEL) or self.identity.name)

    @property
    def is_secret(self) -> bool:
        return self.identity.group == "" and self.identity.kind == "Secret"


EnvironmentResources = dict[Identity, Resource]


@dataclass
class Tree(Mapping[str, EnvironmentResources]):
    """A rendered tree: environment name → {Identity: Resource}.

    `label` says where it came from (a folder, or `ref (sha)`), for report headers.
    `images` holds each environment's parsed `images.yaml`, when it has one.
    `diagnostics` lists documents that were skipped (e.g. YAML that is not a Kubernetes object).
    A tree compiled from specs (not read from a folder) also knows, per environment:
    `provenance`: Identity → an object with `describe(pointer) -> ("file:line", kind)`, the spec
    place behind each field (emit/provenance.py); `gpu_budget`: GPU class → (demand, quota), the
    demand an int, "unbounded", as plan/budget.py computes it.
    """

    environments: dict[str, EnvironmentResources] = field(default_factory=dict)
    images: dict[str, Any] = field(default_factory=dict)
    label: str = ""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    provenance: dict[str, Mapping[Any, Any]] = field(default_factory=dict)
    gpu_budget: dict[str, dict[str, tuple[int | str, int | None]]] = field(default_factory=dict)

    def __getitem__(self, environment: str) -> EnvironmentResources:
        return self.environments[environment]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self.environments))

    def __len__(self) -> int:
        return len(self.environments)
