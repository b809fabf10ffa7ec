"""ModelMesh decisions (compiler/plan/modelmesh.py) and `spec.environments`, the allow-list that keeps a
ModelMesh service in the environments that run ModelMesh."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.source.load import load_project
from compiler.plan.modelmesh import choose_runtime, claim_of, dotted_version, routing_kind
from compiler.spec.modelmesh import ModelMeshRuntime
from compiler.spec.models import Environment, ModelRef, ModelService
from tests.helpers import BASE_ENV, BASE_SERVICE, patched, rule_ids
from tests.test_rules import DYNAMIC, MLSERVER, ON_PVC, TRITON, mm_env, modelmesh, priority


def runtime(base: dict, **changes) -> ModelMeshRuntime:
    return ModelMeshRuntime.model_validate({**base, **changes})


def sklearn(**fields) -> ModelRef:
    return ModelRef.model_validate({"format": "sklearn", **fields})


# ---------------------------------------------------------------- which runtime serves a model


def test_the_highest_priority_wins_then_the_name():
    low, high = runtime(priority(MLSERVER, 1)), runtime(priority(MLSERVER, 5), name="mlserver-fast")
    assert choose_runtime(sklearn(), [low, high]).runtime is high
    unranked = runtime(MLSERVER, name="a-mlserver")
    assert choose_runtime(sklearn(), [runtime(MLSERVER), unranked]).runtime is unranked


def test_a_format_version_must_match_and_a_named_runtime_needs_no_auto_select():
    mlserver = runtime(MLSERVER)
    assert choose_runtime(sklearn(formatVersion="1"), [mlserver]).runtime is None
    assert choose_runtime(sklearn(formatVersion="0"), [mlserver]).runtime is mlserver
    manual = runtime(MLSERVER, supportedModelFormats=[{"name": "sklearn"}])
    assert choose_runtime(sklearn(), [manual]).runtime is None
    assert choose_runtime(sklearn(runtime="mlserver-1.x"), [manual]).runtime is manual


def test_single_model_runtimes_never_take_a_modelmesh_model():
    single = runtime(MLSERVER, multiModel=False)
    choice = choose_runtime(sklearn(), [single])
    assert choice.runtime is None and "mlserver-1.x" in choice.hint


def test_claims_from_storage_parameters_and_pvc_uris():
    assert claim_of(sklearn(storage=ON_PVC)) == (("spec", "predictor", "model", "storage", "parameters", "name"), "my-models-pvc")
    assert claim_of(sklearn(storageUri="pvc://team-models/sklearn/model.joblib"))[1] == "team-models"
    assert claim_of(sklearn(storageUri="s3://bucket/model")) is None
    assert claim_of(sklearn(storage={"key": "localMinIO", "path": "sklearn/model.joblib"})) is None


def test_asm_versions_compare_in_four_parts():
    assert dotted_version("1.21.6.47") == (1, 21, 6, 47)
    assert dotted_version("v1.22.6.2-beta") > (1, 21, 6, 47) > dotted_version("1.21.6.46") > dotted_version("1.21")


@pytest.mark.parametrize(
    "env_patch, kind",
    [
        (mm_env(mesh={"provider": "asm"}, routing=DYNAMIC), "dynamic-subset"),
        (mm_env(mesh={}, routing=DYNAMIC), "plain"),  # MM-04 reports it; never ASM fields on Istio
        (mm_env(mesh={}, routing={}), "plain"),
        (mm_env(routing=DYNAMIC), None),
        (mm_env(mesh={"provider": "asm"}), None),
    ],
)
def test_routing_kind(env_patch, kind):
    assert routing_kind(Environment.model_validate(patched(BASE_ENV, env_patch))) == kind


def test_a_modelmesh_service_on_asm_trips_no_rule():
    service = modelmesh(storageUri=None, storage=ON_PVC)
    assert rule_ids(service, mm_env(mesh={"provider": "asm"}, istio="1.21.6.47", routing=DYNAMIC)) == set()
    assert rule_ids(modelmesh(format="tensorflow"), mm_env(MLSERVER, TRITON)) == set()


# ---------------------------------------------------------------- spec.environments


def test_runs_in_listed_environments_only():
    listed = ModelService.model_validate(patched(BASE_SERVICE, {"spec": {"environments": ["asm"]}}))
    assert listed.runs_in("asm") and not listed.runs_in("prod")
    assert ModelService.model_validate(BASE_SERVICE).runs_in("prod")
    assert not ModelService.model_validate(patched(BASE_SERVICE, {"spec": {"environments": []}})).runs_in("prod")


def test_a_service_is_compiled_only_in_the_environments_it_lists(tmp_path):
    from compiler.pipeline import CompileOptions, compile_project
    from tests.project import environment, service, write_project

    # In prod the unknown GPU class is no error: prod never looks at a service it does not render.
    listed = service("iris", {"model": {"format": "sklearn", "storageUri": "gs://b/m"}}, environments=["dev"], hardware={"gpu": {"class": "a100"}})
    root = write_project(tmp_path, [listed], [environment("prod"), environment("dev")])
    result = {env.name: env for env in compile_project(root, None, CompileOptions()).environments}
    assert result["prod"].ok and not [m for m in result["prod"].manifests if m.service == "iris"]
    assert [d.rule for d in result["dev"].diagnostics if d.is_error] == ["GPU-CLASS"]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_unknown_environment_names_are_reported_at_load(tmp_path):
    write(tmp_path / "environments" / "asm.yaml", "apiVersion: inferplane.dev/v1alpha1\nkind: Environment\nmetadata: {name: asm}\n")
    write(tmp_path / "services" / "tf-mnist.yaml", "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata: {name: tf-mnist}\nspec:\n  environments: [asm, ams]\n")
    (diagnostic,) = [d for d in load_project(tmp_path).diagnostics if d.rule == "SERVICE-ENV"]
    assert diagnostic.message == "spec.environments names unknown environment 'ams'"
    assert diagnostic.hint == "did you mean 'asm'?"
    assert (diagnostic.location.line, diagnostic.location.column) == (5, 23)
