"""Determinism for any order: the example fleet compiles to the committed bytes whatever order the
keys of its YAML mappings are written in and whatever order its files are created in."""

from __future__ import annotations

import io
import random
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from compiler.output.write import existing_files
from compiler.pipeline import CompileOptions, compile_project
from tests.conftest import REPO

INPUTS = ("services", "environments", "overlays")


def shuffled_keys(node: object, rng: random.Random) -> object:
    if isinstance(node, dict):
        keys = list(node)
        rng.shuffle(keys)
        return CommentedMap((key, shuffled_keys(node[key], rng)) for key in keys)
    if isinstance(node, list):
        return [shuffled_keys(item, rng) for item in node]
    return node


def write_shuffled(target: Path, seed: int) -> None:
    rng = random.Random(seed)
    yaml = YAML()
    files = [path for folder in INPUTS for path in sorted((REPO / folder).rglob("*.yaml"))]
    rng.shuffle(files)  # creation order: directory listings follow it on most file systems
    for path in files:
        dest = target / path.relative_to(REPO)
        dest.parent.mkdir(parents=True, exist_ok=True)
        documents = list(yaml.load_all(path.read_text(encoding="utf-8")))
        out = io.StringIO()
        yaml.dump_all([shuffled_keys(doc, rng) for doc in documents], out)
        dest.write_text(out.getvalue(), encoding="utf-8")


def compiled_files(project: Path) -> dict[str, bytes]:
    result = compile_project(project, None, CompileOptions(cache_dir=project / ".cache"))
    assert result.ok, [str(d) for d in result.diagnostics if d.is_error]
    files = {f"{env.name}/{name}": content for env in result.environments for name, content in env.files.items()}
    files.update({f"_gitops/{name}": content for name, content in result.fleet_files.items()})
    return files


def committed_files() -> dict[str, bytes]:
    return existing_files(REPO / "rendered")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_any_key_and_file_order_gives_the_committed_bytes(tmp_path_factory, seed):
    project = tmp_path_factory.mktemp("shuffled")
    write_shuffled(project, seed)
    try:
        assert compiled_files(project) == committed_files()
    finally:
        shutil.rmtree(project)
