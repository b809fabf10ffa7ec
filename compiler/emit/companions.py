"""Companion objects (source/companions.py) as Manifests: the user's objects, with the
environment's namespace filled in and every field traced back to its line.

- A namespaced object without `metadata.namespace` goes to the environment's namespace (the
  same file then serves dev, staging and prod).
- The Namespace named like the environment's namespace is the environment's own: with a mesh it
  gets the sidecar injection label (`istio-injection: enabled`, istio.io/latest/docs/setup/
  additional-setup/sidecar-injection/; Alibaba ASM reads the same label), unless it already says
  how to inject (`istio-injection` or a revision label `istio.io/rev`). Without the label, the
  models' pods would run without sidecars and STRICT mTLS would refuse every caller.
"""

from __future__ import annotations

import copy

from ..errors import Location
from ..source.companions import RESOURCES_DIR
from ..source.yaml_io import LoadedDocument
from ..spec.models import Environment
from .manifest import Manifest, pointer_to

# Kinds that live outside any namespace (kubectl api-resources --namespaced=false): their
# objects are never given the environment's namespace.
CLUSTER_SCOPED = frozenset(
    {
        "Namespace", "PersistentVolume", "StorageClass", "PriorityClass", "ClusterRole", "ClusterRoleBinding",
        "CustomResourceDefinition", "ClusterIssuer", "ClusterServingRuntime", "ClusterStorageContainer",
        "IngressClass", "GatewayClass", "RuntimeClass", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    }
)  # fmt: skip
INJECTION_LABEL = "istio-injection"
_INJECTION_LABELS = (INJECTION_LABEL, "istio.io/rev")


def _origins(doc: LoadedDocument) -> dict[str, Location]:
    origins: dict[str, Location] = {}
    for key_path, location in doc.positions.items():
        pointer = ""
        for token in key_path:
            pointer = pointer_to(pointer, token)
        origins[pointer] = location
    return origins


def companion_manifest(doc: LoadedDocument, source: str, env: Environment) -> Manifest:
    body = copy.deepcopy(doc.data)
    metadata = body["metadata"]
    origins = _origins(doc)
    if body["kind"] not in CLUSTER_SCOPED and not metadata.get("namespace"):
        metadata["namespace"] = env.spec.namespace
        origins["/metadata/namespace"] = doc.locate(("metadata",))
    if body["kind"] == "Namespace" and metadata["name"] == env.spec.namespace and env.spec.mesh is not None:
        labels = metadata.get("labels") if isinstance(metadata.get("labels"), dict) else {}
        if not any(label in labels for label in _INJECTION_LABELS):
            metadata["labels"] = {**labels, INJECTION_LABEL: "enabled"}
    return Manifest(body, source, origins)


def emit(documents: list[tuple[LoadedDocument, str]], env: Environment) -> list[Manifest]:
    return [companion_manifest(doc, source, env) for doc, source in documents]


def is_companion(manifest: Manifest) -> bool:
    """A user's object from resources/ (its `service` is its file, relative to the project root)."""
    return (manifest.service or "").startswith(RESOURCES_DIR + "/")
