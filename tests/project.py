"""A small project on disk, compiled the way `inferplane compile` does, for delivery tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from compiler.bundle import Manifest
from compiler.check import check_model
from compiler.extras import split_tree
from compiler.load import load_project
from compiler.pipeline import CompileOptions, EnvironmentResult, compile_project
from compiler.resolve import Layer
from compiler.spec.models import Environment
from compiler.write import render_tree

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
    synced: list[Manifest]
    files: dict[str, bytes]  # rendered/<env>/ as compile writes it once extras are wired in


def compile_env(root: Path, name: str) -> Compiled:
    result = compile_project(root, [name], CompileOptions())
    env_result = result.environments[0]
    doc = load_project(root).environments[name]
    env, errors = check_model(Layer(doc.data, doc.positions, doc.path), Environment, "Environment")
    assert env is not None, errors
    sources = {plan.name: plan.source for plan in env_result.plans}
    synced, extra = split_tree(name, env_result.manifests, env, sources)
    return Compiled(env_result, env, synced, render_tree(name, synced, sources, extra))


def load_yaml(content: bytes) -> object:
    return _YAML.load(content.decode("utf-8"))
