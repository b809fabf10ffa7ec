"""examples/<name>/: one complete project per seed. Each compiles without an error, every object
validated against the upstream CRDs (no kind left unvalidated), and its committed rendered/ is
exactly what it compiles to (`inferplane -C examples/<name> compile --all --check`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler.output.write import compare
from compiler.pipeline import CompileOptions, compile_project
from tests.conftest import REPO, needs_shared

EXAMPLES = sorted(path for path in (REPO / "examples").iterdir() if path.is_dir())


def test_every_example_has_a_readme_with_its_mapping_table():
    assert [path.name for path in EXAMPLES] == ["eci-elastic-gpu", "kind-scale-to-zero", "kuberay-kserve", "mesh-knative-certmanager", "modelmesh-asm"]
    for example in EXAMPLES:
        readme = (example / "README.md").read_text()
        assert "| seed object / field | spec field | rendered file |" in readme, example.name
        assert "Deliberate differences" in readme, example.name


@needs_shared
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_an_example_compiles_validated_and_its_rendered_tree_is_current(example: Path, tmp_path):
    result = compile_project(example, None, CompileOptions(cache_dir=tmp_path))
    assert [str(d) for d in result.diagnostics if d.is_error or d.rule == "VAL-NO-SCHEMA"] == []
    for environment in result.environments:
        staleness = compare(example / "rendered" / environment.name, environment.files)
        assert not staleness.stale, (environment.name, staleness)


@needs_shared
def test_scale_03_fires_on_the_elastic_gpu_seed_as_it_stands_and_is_quiet_on_its_example(tmp_path):
    """Issue 13's done-means: the seed's HPA on the ingress's QPS without the ingress route (as
    the fleet wrote it before exposure providers) is an error; the example, which renders the
    Ingress, compiles clean."""
    example = REPO / "examples" / "eci-elastic-gpu"
    result = compile_project(example, None, CompileOptions(cache_dir=tmp_path / "cache"))
    assert [d for d in result.diagnostics if d.rule == "SCALE-03"] == []
    seed = tmp_path / "seed"
    shutil.copytree(example, seed, ignore=shutil.ignore_patterns("rendered"))
    service = seed / "services" / "bert-tfserving.yaml"
    text = service.read_text()
    exposure = text.index("  # The seed's step 5")  # the comment above `exposure:`, the last block
    service.write_text(text[:exposure])
    result = compile_project(seed, None, CompileOptions(cache_dir=tmp_path / "cache"))
    assert [f"{d.location}: {d.severity}[{d.rule}]: {d.message}".replace(f"{seed}/", "") for d in result.diagnostics if d.is_error] == [
        "services/bert-tfserving.yaml:34:7: error[SCALE-03]: metric 'sls_ingress_qps' counts requests through an ingress, but the service has no exposure.ingress: no request is ever counted and the HPA never scales"
    ]
