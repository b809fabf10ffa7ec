"""A small project on disk, compiled the way `inferplane compile` does, for delivery tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from compiler.emit.manifest import Manifest
from compiler.emit.gitops import is_gitops_object
from compiler.pipeline import CompileOptions, EnvironmentResult, compile_project
from compiler.spec.models import Environment

_YAML = YAML(typ="safe")
_YAML.default_flow_style = False


def service(name: str, predictor: dict, **spec) -> dict:
    return {"apiVersion": "inferplane.dev/v1alpha1", "kind": "ModelService", "metadata": {"name": name}, "spec": {"mode": "knative", "predictor": predictor, **spec}}


def environment(name: str = "prod", **spec) -> dict:
    body = {
        "versions": {"kubernetes": "1.33", "kserve": "0.16.0"},
        "namespace": f"ml-{name}",
        "partOf": "model-serving",
        "gpuClasses": {"t4": {"resource": "nvidia.com/gpu"}},
        **spec,
    }
    return {"apiVersion": "inferplane.dev/v1alpha1", "kind": "Environment", "metadata": {"name": name}, "spec": body}


def write_project(root: Path, services: list[dict], environments: list[dict]) -> Path:
    for folder, documents in (("services", services), ("environments", environments)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for document in documents:
            with open(root / folder / f"{document['metadata']['name']}.yaml", "w") as stream:
                _YAML.dump(document, stream)
    return root


@dataclass
class Compiled:
    result: EnvironmentResult
    environment: Environment
    synced: list[Manifest]  # the objects rendered/<env>/ syncs (no GitOps objects)
    files: dict[str, bytes]  # rendered/<env>/ as compile writes it


def compile_env(root: Path, name: str) -> Compiled:
    """One environment through the real pipeline: the same objects and files `compile` writes."""
    result = compile_project(root, [name], CompileOptions()).environments[0]
    assert result.environment is not None, result.diagnostics
    synced = [manifest for manifest in result.manifests if not is_gitops_object(manifest)]
    return Compiled(result, result.environment, synced, result.files)


def load_yaml(content: bytes) -> object:
    return _YAML.load(content.decode("utf-8"))
