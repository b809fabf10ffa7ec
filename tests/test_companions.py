"""Companion objects: resources/<env>/ and resources/_services/<service>/ rendered with the models."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import CompileOptions, compile_project
from tests.project import compile_env, environment, load_yaml, service, write_project

IRIS = service("iris", {"model": {"format": "sklearn", "storageUri": "gs://bucket/iris"}}, scaling={"minReplicas": 1, "maxReplicas": 2})
MESH = {"mesh": {"gateway": {"name": "inference-gateway", "namespace": "istio-system"}}}


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _project(tmp_path: Path, **env_spec) -> Path:
    return write_project(tmp_path, [IRIS], [environment("prod", **env_spec), environment("dev")])


PVC = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: models\nspec:\n  accessModes: [ReadWriteOnce]\n  resources: {requests: {storage: 10Gi}}\n"


def _errors(root: Path) -> list[str]:
    result = compile_project(root, None, CompileOptions())
    return [f"{d.location}: {d.rule}: {d.message}".replace(f"{root}/", "") for d in result.diagnostics if d.is_error]


def test_an_environments_objects_are_rendered_in_its_namespace_listed_and_ordered(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/prod/pvc.yaml", PVC)
    prod, dev = compile_env(root, "prod"), compile_env(root, "dev")
    assert not any(d.is_error for d in prod.result.diagnostics)
    body = load_yaml(prod.files["ml-prod/persistentvolumeclaim-models.yaml"])
    assert body["metadata"] == {"name": "models", "namespace": "ml-prod"}
    assert prod.files["ml-prod/persistentvolumeclaim-models.yaml"].startswith(b"# Rendered by inferplane from resources/prod/pvc.yaml for environment prod.")
    resources = load_yaml(prod.files["kustomization.yaml"])["resources"]
    assert resources.index("ml-prod/persistentvolumeclaim-models.yaml") < resources.index("ml-prod/inferenceservice-iris.yaml")
    assert not any("persistentvolumeclaim" in name for name in dev.files)  # another environment's folder


def test_a_services_objects_follow_the_service_into_every_environment_that_renders_it(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/_services/iris/logging.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: iris-logging\ndata:\n  level: info\n")
    for env in ("prod", "dev"):
        assert f"ml-{env}/configmap-iris-logging.yaml" in compile_env(root, env).files
    # A service the environment does not render takes its objects with it.
    (root / "services/iris.yaml").write_text((root / "services/iris.yaml").read_text() + "  environments: [dev]\n")
    assert "ml-prod/configmap-iris-logging.yaml" not in compile_env(root, "prod").files
    assert "ml-dev/configmap-iris-logging.yaml" in compile_env(root, "dev").files


def test_the_environments_own_namespace_gets_the_mesh_injection_label(tmp_path):
    root = _project(tmp_path, **MESH)
    _write(root, "resources/prod/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml-prod\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n")
    _write(root, "resources/dev/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml-dev\n")
    files = compile_env(root, "prod").files
    assert load_yaml(files["_cluster/namespace-ml-prod.yaml"])["metadata"] == {"name": "ml-prod", "labels": {"istio-injection": "enabled"}}
    assert load_yaml(files["_cluster/namespace-other.yaml"])["metadata"] == {"name": "other"}  # not the environment's
    assert load_yaml(compile_env(root, "dev").files["_cluster/namespace-ml-dev.yaml"])["metadata"] == {"name": "ml-dev"}  # no mesh in dev


def test_a_revision_label_is_kept_instead_of_the_injection_label(tmp_path):
    root = _project(tmp_path, **MESH)
    _write(root, "resources/prod/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ml-prod\n  labels: {istio.io/rev: canary}\n")
    assert load_yaml(compile_env(root, "prod").files["_cluster/namespace-ml-prod.yaml"])["metadata"]["labels"] == {"istio.io/rev": "canary"}


def test_a_companion_is_validated_and_located_at_its_own_line(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/prod/pvc.yaml", PVC.replace("accessModes", "accessMode"))
    assert _errors(root) == [
        'resources/prod/pvc.yaml:6:3: VAL-SCHEMA: PersistentVolumeClaim ml-prod/models: /spec/accessMode: unknown field "accessMode"; did you mean "accessModes"?'
    ]


def test_a_companion_that_clashes_with_a_rendered_object_is_a_duplicate(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/prod/isvc.yaml", "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: iris\nspec: {}\n")
    errors = [e for e in _errors(root) if "OUT-DUPLICATE" in e]
    assert errors == ["resources/prod/isvc.yaml:1:1: OUT-DUPLICATE: InferenceService ml-prod/iris (from resources/prod/isvc.yaml) clashes with InferenceService ml-prod/iris (from iris)"]


def test_a_secret_with_values_is_refused_by_sec_02_and_one_with_none_is_not(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/prod/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: storage-config\nstringData:\n  s3: '{\"access_key_id\": \"AKIAIOSFODNN7EXAMPLE\"}'\n")
    assert _errors(root) == ["resources/prod/secret.yaml:5:1: SEC-02: stringData of Secret ml-prod/storage-config holds the Secret's values in git"]
    _write(root, "resources/prod/secret.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: storage-config\ntype: Opaque\n")
    assert _errors(root) == []


def test_a_credential_in_a_configmap_companion_is_sec_02_at_its_line(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/prod/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  url: https://user:hunter2hunter2@example.com/x\n")
    errors = _errors(root)
    assert len(errors) == 1 and errors[0].startswith("resources/prod/cm.yaml:6:3: SEC-02: data.url of ConfigMap ml-prod/c inlines"), errors


def test_a_document_that_is_no_object_and_an_unknown_folder_are_refused(tmp_path):
    root = _project(tmp_path)
    _write(root, "resources/prod/list.yaml", "- a\n")
    _write(root, "resources/prod/nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n")
    _write(root, "resources/prdo/pvc.yaml", PVC)
    _write(root, "resources/_services/irsi/pvc.yaml", PVC)
    _write(root, "resources/prod/empty.yaml", "# nothing\n")
    assert _errors(root) == [
        "resources/_services/irsi: COMPANION-UNKNOWN: companion objects for unknown service 'irsi'",
        "resources/prdo: COMPANION-UNKNOWN: companion objects for unknown environment 'prdo'",
        "resources/prod/empty.yaml:1:1: FILE-EMPTY: the file holds no YAML document (it is empty, only comments, or null)",
        "resources/prod/list.yaml:1:1: COMPANION-SHAPE: a companion object must be a mapping",
        "resources/prod/nokind.yaml:1:1: COMPANION-SHAPE: the object has no kind",
    ]


def test_a_companion_over_the_input_limit_is_refused_like_a_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("INFERPLANE_MAX_SPEC_BYTES", "1000")
    root = _project(tmp_path)
    _write(root, "resources/prod/pvc.yaml", PVC + "# " + "x" * 1000 + "\n")
    assert _errors(root) == ["resources/prod/pvc.yaml:1:1: YAML-SIZE: the file is larger than 1,000 bytes"]
