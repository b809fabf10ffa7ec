"""modelmesh.routing.adopt: the ModelMesh routing objects take the names of installed ones."""

from __future__ import annotations

import shutil

from compiler.pipeline import CompileOptions, compile_project
from tests.conftest import REPO
from tests.project import load_yaml


def _asm_files(tmp_path, adopt: str) -> dict[str, bytes]:
    for folder in ("services", "environments", "overlays"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    env = tmp_path / "environments/asm.yaml"
    env.write_text(env.read_text().replace("        fallbackPolicy: ANY_ENDPOINT\n", "        fallbackPolicy: ANY_ENDPOINT\n" + adopt))
    result = compile_project(tmp_path, ["asm"], CompileOptions(cache_dir=tmp_path / "cache"))
    assert [d for d in result.diagnostics if d.is_error] == []
    return result.environments[0].files


def test_the_routing_objects_take_the_adopted_names(tmp_path):
    files = _asm_files(tmp_path, "      adopt: {virtualService: vs-modelmesh-serving-service, destinationRule: modelmesh-serving}\n")
    names = sorted(name for name in files if "virtualservice" in name or "destinationrule" in name)
    assert names == ["modelmesh-serving/destinationrule-modelmesh-serving.yaml", "modelmesh-serving/virtualservice-vs-modelmesh-serving-service.yaml"]
    assert load_yaml(files["modelmesh-serving/virtualservice-vs-modelmesh-serving-service.yaml"])["metadata"]["labels"]["app.kubernetes.io/name"] == "vs-modelmesh-serving-service"


def test_without_adopt_the_compilers_own_names_stay(tmp_path):
    files = _asm_files(tmp_path, "")
    names = sorted(name for name in files if "virtualservice" in name or "destinationrule" in name)
    assert names == ["modelmesh-serving/destinationrule-modelmesh-serving-dynamic-subset.yaml", "modelmesh-serving/virtualservice-modelmesh-serving-gateway.yaml"]
