"""The committed example fleet: compiles, is up to date, validates, builds with kustomize, and means what it says."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from compiler.cli import main
from tests.conftest import REPO, needs_shared

ENVIRONMENTS = sorted(p.stem for p in (REPO / "environments").glob("*.yaml"))
# The clusters that run KServe's own modes; asm runs ModelMesh only (its defaults opt services out).
KSERVE_ENVIRONMENTS = ["dev", "prod", "staging"]
MODELMESH_SERVICES = ("sklearn-mnist", "tf-mnist")
YAML_SAFE = YAML(typ="safe")


def rendered(env: str) -> dict[tuple[str, str], dict]:
    """(kind, name) → object of rendered/<env>/."""
    objects = {}
    folder = REPO / "rendered" / env
    for path in sorted(folder.rglob("*.yaml")):
        if path.name in ("kustomization.yaml", "images.yaml") or path.relative_to(folder).parts[0] == "_gitops":
            continue
        body = YAML_SAFE.load(path.read_text())
        objects[(body["kind"], body["metadata"]["name"])] = body
    return objects


def test_example_environments_exist():
    assert ENVIRONMENTS == ["asm", "dev", "prod", "staging"]


def test_compile_check_passes_on_the_committed_tree(monkeypatch):
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["compile", "--all", "--check"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr


@needs_shared
def test_every_rendered_manifest_validates_against_upstream_schemas():
    from compiler.validate import SchemaRegistry, validate_paths
    from compiler.validate.asm import ASM_EXTENSIONS

    for env in ENVIRONMENTS:
        env_spec = YAML_SAFE.load((REPO / "environments" / f"{env}.yaml").read_text())["spec"]
        catalog = str(REPO.parent / "shared" / "schemas-catalog" / "{{.Group}}" / "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json")
        # ASM accepts its dynamic-subset fields on Istio kinds; upstream Istio gets its own schemas.
        extensions = ASM_EXTENSIONS if (env_spec.get("mesh") or {}).get("provider") == "asm" else ()
        registry = SchemaRegistry(kubernetes_version=env_spec["versions"]["kubernetes"], crd_paths=[REPO.parent / "shared" / "crds"], schema_locations=[catalog], extensions=extensions)
        report = validate_paths([REPO / "rendered" / env], registry, ignore_missing_schemas=False)
        assert report.issues == [], [f"{i.file}: {i.pointer}: {i.message}" for i in report.issues]
        assert not report.missing_schemas


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kustomize_builds_every_environment(env):
    out = subprocess.run(["kubectl", "kustomize", str(REPO / "rendered" / env)], capture_output=True, text=True, check=True).stdout
    built = [doc for doc in YAML_SAFE.load_all(out) if doc]
    assert {(d["kind"], d["metadata"]["name"]) for d in built} == set(rendered(env))


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_kustomize_builds_every_gitops_folder(env):
    out = subprocess.run(["kubectl", "kustomize", str(REPO / "rendered" / env / "_gitops")], capture_output=True, text=True, check=True).stdout
    kinds = {doc["kind"] for doc in YAML_SAFE.load_all(out) if doc}
    assert kinds in ({"Application"}, {"GitRepository", "Kustomization"})


def test_deployment_mode_is_spelled_for_each_environments_kserve_version():
    mode = "serving.kserve.io/deploymentMode"
    # prod runs KServe 0.15 (legacy names); dev and staging run 0.16 (new names).
    assert rendered("prod")[("InferenceService", "bert-tfserving")]["metadata"]["annotations"][mode] == "RawDeployment"
    assert rendered("prod")[("InferenceService", "sklearn-iris")]["metadata"]["annotations"][mode] == "Serverless"
    assert rendered("staging")[("InferenceService", "sklearn-iris")]["metadata"]["annotations"][mode] == "Knative"
    assert rendered("staging")[("InferenceService", "bert-tfserving")]["metadata"]["annotations"][mode] == "Standard"


def test_sklearn_iris_scales_to_zero_in_dev_only():
    def min_replicas(env):
        return rendered(env)[("InferenceService", "sklearn-iris")]["spec"]["predictor"]["minReplicas"]

    assert min_replicas("dev") == 0
    assert min_replicas("staging") >= 1 and min_replicas("prod") >= 1


def test_sklearn_iris_serves_the_seed_model_and_canaries_v2_at_10_percent():
    dev = rendered("dev")[("InferenceService", "sklearn-iris")]["spec"]["predictor"]
    assert dev["model"]["modelFormat"]["name"] == "sklearn"
    assert dev["model"]["storageUri"] == "gs://kfserving-examples/models/sklearn/1.0/model"
    assert "canaryTrafficPercent" not in dev
    for env in ("staging", "prod"):
        # Knative's native canary: the newest version gets its weight, the previous revision the rest.
        predictor = rendered(env)[("InferenceService", "sklearn-iris")]["spec"]["predictor"]
        assert predictor["canaryTrafficPercent"] == 10, env
        assert predictor["model"]["storageUri"] == "gs://kfserving-examples/models/sklearn/1.0/model-2", env


def test_bert_gets_one_gpu_on_a_gpu_node_in_every_environment():
    for env in KSERVE_ENVIRONMENTS:
        predictor = rendered(env)[("InferenceService", "bert-tfserving")]["spec"]["predictor"]
        assert predictor["model"]["resources"]["limits"]["nvidia.com/gpu"] in (1, "1")
        assert predictor["nodeSelector"], env


def test_recommended_labels_on_every_object():
    for env in ENVIRONMENTS:
        for (kind, name), body in rendered(env).items():
            labels = body["metadata"].get("labels", {})
            assert labels.get("app.kubernetes.io/managed-by") == "inferplane", (env, kind, name)
            assert "app.kubernetes.io/part-of" in labels, (env, kind, name)


def test_example_files_carry_the_schema_modeline():
    for path in sorted((REPO / "services").glob("*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/modelservice.schema.json"), path
    for path in sorted((REPO / "environments").glob("*.yaml")):
        assert path.read_text().startswith("# yaml-language-server: $schema=../schemas/environment.schema.json"), path


SCHEMA_OF_KIND = {"services/*.yaml": "modelservice", "environments/*.yaml": "environment", "overlays/*/*.yaml": "overlay", "overlays/*/patches/*.yaml": "patch"}


def test_every_example_spec_file_names_its_kinds_schema_by_a_path_that_exists():
    """The fleet, examples/ and the tests' patch example: an editor opening any of them finds the
    schema of its kind (the modeline's path is relative to the file)."""
    projects = [(project, SCHEMA_OF_KIND) for project in [REPO, *sorted(p for p in (REPO / "examples").iterdir() if p.is_dir())]]
    projects.append((REPO / "tests" / "cases" / "patches", {"overlays/*/patches/*.yaml": "patch"}))  # the fleet has no patch
    checked = {kind: 0 for kind in SCHEMA_OF_KIND.values()}
    for project, kinds in projects:
        for pattern, kind in kinds.items():
            for path in sorted(project.glob(pattern)):
                first = path.read_text(encoding="utf-8").splitlines()[0]
                assert first.startswith("# yaml-language-server: $schema="), path
                schema = (path.parent / first.split("$schema=", 1)[1]).resolve()
                assert schema == REPO / "schemas" / f"{kind}.schema.json", path
                checked[kind] += 1
    assert all(checked.values()), checked


def test_committed_schemas_are_up_to_date():
    from compiler.commands.patch_schema import stale_editor_schemas

    assert stale_editor_schemas(REPO / "schemas") == [], "run `inferplane schema` and commit schemas/"


def test_example_files_validate_against_the_committed_json_schemas():
    import json

    import jsonschema

    for kind, folder in (("modelservice", "services"), ("environment", "environments")):
        schema = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text())
        for path in sorted((REPO / folder).glob("*.yaml")):
            jsonschema.validate(YAML_SAFE.load(path.read_text()), schema)


def test_readme_lists_every_rule():
    from compiler.rules import all_rules

    readme = (REPO / "README.md").read_text()
    missing = [rule.id for rule in all_rules() if f"| {rule.id} |" not in readme]
    assert missing == [], f"add these rules to the README's table: {missing}"


# ---------------------------------------------------------------- the ModelMesh seed on ASM


def test_modelmesh_services_run_on_asm_only_and_kserve_services_stay_out_of_it():
    for env in KSERVE_ENVIRONMENTS:
        assert not [name for kind, name in rendered(env) if name in MODELMESH_SERVICES], env
    asm = rendered("asm")
    assert sorted(name for kind, name in asm if kind == "InferenceService") == list(MODELMESH_SERVICES)


def test_asm_serves_the_seeds_models_from_the_pvc():
    expected = {"sklearn-mnist": ("sklearn", "mnist-svm.joblib"), "tf-mnist": ("tensorflow", "mnist")}
    for name, (model_format, path) in expected.items():
        isvc = rendered("asm")[("InferenceService", name)]
        assert isvc["metadata"]["annotations"]["serving.kserve.io/deploymentMode"] == "ModelMesh"
        assert isvc["spec"]["predictor"] == {"model": {"modelFormat": {"name": model_format}, "storage": {"parameters": {"type": "pvc", "name": "my-models-pvc"}, "path": path}}}


def test_asm_renders_multi_model_runtimes_for_both_formats():
    asm = rendered("asm")
    for runtime, model_format in (("mlserver-1.x", "sklearn"), ("triton-2.x", "tensorflow")):
        spec = asm[("ServingRuntime", runtime)]["spec"]
        assert spec["multiModel"] is True
        assert model_format in {f["name"] for f in spec["supportedModelFormats"] if f.get("autoSelect")}


def test_asm_routes_by_dynamic_subsets_as_in_the_seed():
    from tests.test_emit_modelmesh import SEED_DESTINATION_RULE_SPEC, SEED_VIRTUAL_SERVICE_SPEC

    asm = rendered("asm")
    assert asm[("DestinationRule", "modelmesh-serving-dynamic-subset")]["spec"] == SEED_DESTINATION_RULE_SPEC
    assert asm[("VirtualService", "modelmesh-serving-gateway")]["spec"] == SEED_VIRTUAL_SERVICE_SPEC
