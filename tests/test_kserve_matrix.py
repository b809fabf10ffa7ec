"""The example fleet on every KServe minor from 0.7 to 0.20: each environment compiles to manifests
valid against that minor's own CRDs (../shared/crds-by-version/kserve/<tag>, pinned through
validation.kserveCrds), or to located errors for what that minor lacks. Never exit 0 with output
the minor would drop or misroute."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from compiler.pipeline import CompileOptions, compile_project
from compiler.plan.kserve_versions import RELEASE_TAGS
from tests.conftest import REPO, SHARED

BY_VERSION = SHARED / "crds-by-version" / "kserve"
needs_versioned_crds = pytest.mark.skipif(not BY_VERSION.is_dir(), reason=f"KServe CRDs by version not found at {BY_VERSION} (../shared beside the repository)")

_OLD_METRICS = {("KS-24", "sklearn-iris", "prod"), ("KS-24", "sklearn-iris", "staging")}  # metric aggregation < 0.10
_OWN_HPA = {("KS-09", "bert-tfserving", "prod"), ("KS-09", "bert-tfserving", "staging")}  # autoscalerClass external < 0.12
_NO_LLM = {("LLM-01", "llama-chat", "dev"), ("LLM-01", "llama-chat", "staging")}  # LLMInferenceService < 0.16
_NO_GRAPH = {("GRAPH-01", "iris-pipeline", env) for env in ("dev", "prod", "staging")}  # InferenceGraph < 0.9
# Before 0.11 the predictor Service is <isvc>-predictor-default: prod's sls.ingress.route names
# <isvc>-predictor, so the HPA would follow a route that does not exist.
_OLD_ROUTE = {("SCALE-03", "bert-tfserving", "prod"), ("SCALE-03", "bert-tfserving", "staging")}
# (rule, service file or environment file, environment) of every error, per minor; absent: none.
EXPECTED_ERRORS = {
    (0, 7): _OLD_METRICS | _OWN_HPA | _OLD_ROUTE | _NO_LLM | _NO_GRAPH | {("KS-25", "asm", "asm")},
    (0, 8): _OLD_METRICS | _OWN_HPA | _OLD_ROUTE | _NO_LLM | _NO_GRAPH | {("KS-24", "sklearn-mnist", "asm"), ("KS-24", "tf-mnist", "asm")},
    (0, 9): _OLD_METRICS | _OWN_HPA | _OLD_ROUTE | _NO_LLM,
    (0, 10): _OWN_HPA | _OLD_ROUTE | _NO_LLM,
    (0, 11): _OWN_HPA | _NO_LLM,
    (0, 12): _NO_LLM,
    (0, 13): _NO_LLM,
    (0, 14): _NO_LLM,
    (0, 15): _NO_LLM,
}


@pytest.fixture(scope="module")
def crd_cache(tmp_path_factory) -> Path:
    """Parsed CRDs shared by every minor's compile (each file is parsed once)."""
    return tmp_path_factory.mktemp("crd-cache")


def fleet_on(tmp_path: Path, tag: str, bert_on_cpu: bool = False) -> Path:
    """A copy of the example fleet whose environments run KServe `tag`, beside ../shared."""
    (tmp_path / "shared").symlink_to(SHARED.resolve())
    project = tmp_path / "project"
    for folder in ("services", "environments", "overlays"):
        shutil.copytree(REPO / folder, project / folder)
    for env in (project / "environments").glob("*.yaml"):
        env.write_text(re.sub(r'kserve: "[^"]*"', f'kserve: "{tag[1:]}"', env.read_text()))
    if bert_on_cpu:
        # The elastic-GPU seed's QPS autoscaler needs an HPA of our own (KServe >= 0.12): scale on cpu.
        bert = project / "services" / "bert-tfserving.yaml"
        text = re.sub(r"    metric: external\n(.|\n)*?nginx-ingress\n", "    metric: cpu\n    target: 60\n", bert.read_text())
        bert.write_text(text)
        for env in ("prod", "staging"):
            (project / "overlays" / env / "bert-tfserving.yaml").unlink()
    return project


@needs_versioned_crds
@pytest.mark.parametrize("minor", sorted(RELEASE_TAGS), ids=lambda minor: f"0.{minor[1]}")
def test_the_fleet_on_every_kserve_minor(tmp_path, crd_cache, minor):
    result = compile_project(fleet_on(tmp_path, RELEASE_TAGS[minor]), None, CompileOptions(cache_dir=crd_cache))
    errors = {(d.rule, Path(d.location.path).stem, d.environment) for d in result.diagnostics if d.is_error}
    assert errors == EXPECTED_ERRORS.get(minor, set())
    # Every environment validated KServe's kinds against this minor's CRDs (a missing source would say VAL-SOURCE).
    assert not [d for d in result.diagnostics if d.rule in ("VAL-SOURCE", "VAL-NO-SCHEMA")]
    for env in result.environments:
        if (env.name, minor) not in {(e, m) for m, found in EXPECTED_ERRORS.items() for (_, _, e) in found}:
            assert env.files, env.name


@needs_versioned_crds
@pytest.mark.parametrize("minor", [(0, 9), (0, 10), (0, 11)], ids=lambda minor: f"0.{minor[1]}")
def test_without_the_qps_autoscaler_the_gpu_seed_renders_on_older_kserve(tmp_path, crd_cache, minor):
    result = compile_project(fleet_on(tmp_path, RELEASE_TAGS[minor], bert_on_cpu=True), ["dev", "prod"], CompileOptions(cache_dir=crd_cache))
    errors = {(d.rule, Path(d.location.path).stem, d.environment) for d in result.diagnostics if d.is_error}
    no_llm = {("LLM-01", "llama-chat", "dev")}  # the LLM needs KServe 0.16
    assert errors == ({("KS-24", "sklearn-iris", "prod")} | no_llm if minor < (0, 10) else no_llm)
    dev = result.environments[0]
    isvc = next(m.body for m in dev.manifests if m.kind == "InferenceService" and m.name == "bert-tfserving")
    suffix = "-default" if minor < (0, 11) else ""
    assert ("k8s.aliyun.com/eci-use-specs" in isvc["metadata"]["annotations"]) == (minor < (0, 11))
    routes = [m.body for m in dev.manifests if m.kind == "VirtualService"]
    assert all(f"predictor{suffix}." in str(route) for route in routes)
