"""GitOps objects (Argo CD, Flux), their place outside the synced tree, sync waves, smoke tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compiler.emit.manifest import Manifest
from compiler.emit.gitops import SYNC_WAVE, annotate_sync_waves, application, flux_objects
from compiler.emit.gitops_fleet import fleet_manifests
from compiler.output.layout import fleet_files
from compiler.spec.models import Environment
from tests.project import compile_env, environment, load_yaml, service, write_project

CATALOG = Path(__file__).resolve().parents[1].parent / "shared" / "schemas-catalog"
needs_catalog = pytest.mark.skipif(not CATALOG.is_dir(), reason=f"CRDs catalog schemas not found at {CATALOG} (../shared beside the repository)")
REPO_URL = "https://github.com/acme/model-serving-gitops.git"
ARGOCD = {"tool": "argocd", "repoURL": REPO_URL}
FLUX = {"tool": "flux", "repoURL": REPO_URL, "dependsOn": ["kserve"]}
IRIS = service("iris", {"model": {"format": "sklearn", "storageUri": "gs://bucket/iris"}})


def env_model(name: str = "prod", **spec) -> Environment:
    return Environment.model_validate(environment(name, **spec))


def catalog_validate(manifest: Manifest) -> None:
    import jsonschema

    group, version = manifest.api_version.split("/")
    schema = json.loads((CATALOG / group / f"{manifest.kind.lower()}_{version}.json").read_text())
    jsonschema.validate(manifest.body, schema)


@needs_catalog
def test_application_validates_against_the_catalog_schema():
    catalog_validate(application(env_model(gitops={**ARGOCD, "syncOptions": ["ServerSideApply=true"], "destination": {"name": "prod-cluster"}})))


@needs_catalog
def test_flux_objects_validate_against_the_catalog_schemas():
    for manifest in flux_objects(env_model(gitops=FLUX)):
        catalog_validate(manifest)


@needs_catalog
def test_application_set_validates_against_the_catalog_schema():
    manifests, diagnostics = fleet_manifests([env_model(name, gitops={**ARGOCD, "applicationSet": True}) for name in ("prod", "staging")])
    assert not diagnostics and len(manifests) == 1
    catalog_validate(manifests[0])


def test_application_syncs_the_environment_folder_with_what_serving_needs():
    app = application(env_model(gitops=ARGOCD)).body
    assert app["metadata"] == {"name": "model-serving-prod", "namespace": "argocd", "labels": app["metadata"]["labels"]}
    assert "finalizers" not in app["metadata"]  # deleting the Application must not delete the models
    assert app["spec"]["source"] == {"repoURL": REPO_URL, "targetRevision": "main", "path": "rendered/prod"}
    assert app["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": "ml-prod"}
    policy = app["spec"]["syncPolicy"]
    assert policy["automated"] == {"prune": True, "selfHeal": True}
    assert policy["syncOptions"] == ["CreateNamespace=true", "PruneLast=true"]
    assert policy["retry"]["limit"] > 0


def test_flux_kustomization_waits_prunes_and_depends_on_the_platform():
    repository, kustomization = (m.body for m in flux_objects(env_model(gitops=FLUX)))
    assert repository["spec"]["url"] == REPO_URL and repository["spec"]["ref"] == {"branch": "main"}
    spec = kustomization["spec"]
    assert spec["path"] == "./rendered/prod" and spec["prune"] and spec["wait"]
    assert spec["sourceRef"] == {"kind": "GitRepository", "name": repository["metadata"]["name"]}
    assert spec["dependsOn"] == [{"name": "kserve"}]


def test_application_set_lists_one_element_per_environment():
    envs = [env_model(name, gitops={**ARGOCD, "applicationSet": True}) for name in ("staging", "prod")] + [env_model("dev", gitops=FLUX)]
    (appset,), _ = fleet_manifests(envs)
    elements = appset.body["spec"]["generators"][0]["list"]["elements"]
    assert [e["environment"] for e in elements] == ["prod", "staging"]
    assert elements[0]["path"] == "rendered/prod" and elements[0]["namespace"] == "ml-prod"
    assert appset.body["spec"]["template"]["metadata"]["name"] == "{{.name}}"


def test_application_set_members_must_share_the_sync_policy():
    envs = [env_model("prod", gitops={**ARGOCD, "applicationSet": True}), env_model("staging", gitops={**ARGOCD, "applicationSet": True, "prune": False})]
    _, diagnostics = fleet_manifests(envs)
    assert [d.rule for d in diagnostics] == ["GITOPS-APPSET"]


def test_fleet_files_are_empty_without_an_application_set():
    assert fleet_files([env_model(gitops=ARGOCD)]) == ({}, [])
    files, _ = fleet_files([env_model(gitops={**ARGOCD, "applicationSet": True})])
    assert sorted(files) == ["argocd/applicationset-model-serving-environments.yaml", "kustomization.yaml"]


def test_an_environment_in_the_application_set_has_no_application_of_its_own(tmp_path):
    root = write_project(tmp_path, [IRIS], [environment("prod", gitops={**ARGOCD, "applicationSet": True})])
    assert not any(name.startswith("_gitops/") for name in compile_env(root, "prod").files)


@pytest.mark.parametrize("gitops, files", [(ARGOCD, ["_gitops/argocd/application-model-serving-prod.yaml"]), (FLUX, ["_gitops/flux-system/gitrepository-model-serving-prod.yaml", "_gitops/flux-system/kustomization-model-serving-prod.yaml"])])
def test_gitops_objects_live_outside_the_tree_they_sync(tmp_path, gitops, files):
    root = write_project(tmp_path, [IRIS], [environment("prod", gitops=gitops)])
    rendered = compile_env(root, "prod").files
    assert [name for name in sorted(rendered) if name.startswith("_gitops/") and name != "_gitops/kustomization.yaml"] == files
    synced = load_yaml(rendered["kustomization.yaml"])["resources"]
    assert not any(entry.startswith("_gitops") for entry in synced)
    assert sorted(load_yaml(rendered["_gitops/kustomization.yaml"])["resources"]) == [f.removeprefix("_gitops/") for f in files]


def test_gitops_settings_are_checked():
    from pydantic import ValidationError

    for bad in ({**FLUX, "repoURL": "git@github.com:acme/x.git"}, {**FLUX, "applicationSet": True}, {**ARGOCD, "dependsOn": ["kserve"]}, {**ARGOCD, "destination": {"server": "https://x", "name": "x"}}):
        with pytest.raises(ValidationError):
            env_model(gitops=bad)


# ---------------------------------------------------------------- sync waves (GO-01)


def manifest(api_version: str, kind: str, name: str, annotations: dict | None = None) -> Manifest:
    metadata = {"name": name, "namespace": "ml-prod", **({"annotations": annotations} if annotations else {})}
    return Manifest({"apiVersion": api_version, "kind": kind, "metadata": metadata})


OBJECTS = [
    manifest("v1", "Namespace", "ml-prod"),
    manifest("cert-manager.io/v1", "Certificate", "models"),
    manifest("serving.kserve.io/v1alpha1", "ServingRuntime", "acme-runtime"),
    manifest("networking.istio.io/v1", "DestinationRule", "iris"),
    manifest("serving.kserve.io/v1beta1", "InferenceService", "iris"),
    manifest("networking.istio.io/v1", "VirtualService", "iris"),
]


def waves(manifests: list[Manifest]) -> dict[str, int]:
    return {m.kind: int(m.body["metadata"]["annotations"][SYNC_WAVE]) for m in manifests if SYNC_WAVE in (m.body["metadata"].get("annotations") or {})}


def test_sync_waves_put_prerequisites_before_inference_services_and_routes_after():
    wave = waves(annotate_sync_waves(OBJECTS, env_model(gitops=ARGOCD)))
    assert wave["Namespace"] < wave["Certificate"] < wave["InferenceService"]
    assert wave["ServingRuntime"] < wave["InferenceService"] and wave["DestinationRule"] < wave["InferenceService"]
    assert wave["InferenceService"] < wave["VirtualService"]


def test_sync_waves_leave_hooks_gitops_objects_and_flux_alone():
    hook = manifest("batch/v1", "Job", "iris-smoke-test", {"argocd.argoproj.io/hook": "PostSync"})
    app = application(env_model(gitops=ARGOCD))
    assert waves(annotate_sync_waves([hook, app], env_model(gitops=ARGOCD))) == {}
    assert waves(annotate_sync_waves(OBJECTS, env_model(gitops=FLUX))) == {}
    assert waves(annotate_sync_waves(OBJECTS, env_model())) == {}


def test_compiled_objects_carry_sync_waves_under_argocd(tmp_path):
    root = write_project(tmp_path, [IRIS], [environment("prod", gitops=ARGOCD)])
    isvc = load_yaml(compile_env(root, "prod").files["ml-prod/inferenceservice-iris.yaml"])
    assert isvc["metadata"]["annotations"][SYNC_WAVE] == "9"


# ---------------------------------------------------------------- smoke test


def smoke_jobs(files: dict[str, bytes]) -> list[dict]:
    return [load_yaml(content) for name, content in files.items() if "/job-" in name]


def test_smoke_test_is_off_by_default(tmp_path):
    root = write_project(tmp_path, [IRIS], [environment("prod", gitops=ARGOCD)])
    assert smoke_jobs(compile_env(root, "prod").files) == []


def test_smoke_test_is_a_post_sync_hook_against_the_predictor(tmp_path):
    iris = service("iris", IRIS["spec"]["predictor"], smokeTest={"enabled": True, "requests": 3})
    root = write_project(tmp_path, [iris], [environment("prod", gitops=ARGOCD)])
    (job,) = smoke_jobs(compile_env(root, "prod").files)
    assert job["metadata"]["annotations"] == {"argocd.argoproj.io/hook": "PostSync", "argocd.argoproj.io/hook-delete-policy": "HookSucceeded,BeforeHookCreation"}
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {var["name"]: var["value"] for var in container["env"]}
    assert env == {"URL": "http://iris-predictor.ml-prod.svc.cluster.local/v1/models/iris", "REQUESTS": "3"}
    assert job["spec"]["backoffLimit"] == 0 and job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "iris-smoke-test"


def test_without_a_mesh_the_smoke_test_runs_without_a_sidecar(tmp_path):
    iris = service("iris", IRIS["spec"]["predictor"], smokeTest={"enabled": True})
    files = compile_env(write_project(tmp_path, [iris], [environment("prod", gitops=ARGOCD)]), "prod").files
    (job,) = smoke_jobs(files)
    assert job["spec"]["template"]["metadata"]["annotations"] == {"sidecar.istio.io/inject": "false"}
    assert not any("/serviceaccount-" in name for name in files)


def test_in_a_mesh_the_smoke_test_has_a_native_sidecar_and_an_identity_the_model_allows(tmp_path):
    iris = service("iris", IRIS["spec"]["predictor"], smokeTest={"enabled": True}, access={"allowNamespaces": ["ml-clients"]})
    root = write_project(tmp_path, [iris], [environment("prod", gitops=ARGOCD, mesh={})])
    files = compile_env(root, "prod").files
    (job,) = smoke_jobs(files)
    pod = job["spec"]["template"]
    # A native sidecar stops with the Job; a classic one would keep the Job running forever.
    assert pod["metadata"]["annotations"] == {"sidecar.istio.io/inject": "true", "sidecar.istio.io/nativeSidecar": "true"}
    assert pod["spec"]["serviceAccountName"] == "iris-smoke-test"
    account = load_yaml(files["ml-prod/serviceaccount-iris-smoke-test.yaml"])
    assert account["kind"] == "ServiceAccount"
    allow = load_yaml(files["ml-prod/authorizationpolicy-iris-allow.yaml"])
    principals = [p for rule in allow["spec"]["rules"] for source in rule.get("from", []) for p in source["source"].get("principals", [])]
    assert "cluster.local/ns/ml-prod/sa/iris-smoke-test" in principals


def test_smoke_test_is_not_rendered_under_flux_and_says_so(tmp_path):
    iris = service("iris", IRIS["spec"]["predictor"], smokeTest={"enabled": True})
    root = write_project(tmp_path, [iris], [environment("prod", gitops=FLUX)])
    compiled = compile_env(root, "prod")
    assert smoke_jobs(compiled.files) == []
    assert [d.rule for d in compiled.result.diagnostics if d.rule == "SMOKE-01"] == ["SMOKE-01"]


def test_fleet_tree_spans_every_environment_of_the_project(tmp_path):
    from compiler.output.layout import fleet_tree
    from compiler.source.load import load_project

    appset = {**ARGOCD, "applicationSet": True}
    root = write_project(tmp_path, [IRIS], [environment("prod", gitops=appset), environment("staging", gitops=appset), environment("dev", gitops=FLUX)])
    files, diagnostics = fleet_tree(load_project(root))
    assert not diagnostics
    (appset_body,) = [load_yaml(content) for name, content in files.items() if name != "kustomization.yaml"]
    assert [e["environment"] for e in appset_body["spec"]["generators"][0]["list"]["elements"]] == ["prod", "staging"]
