"""Builders for typed specs in tests: one line per case in the rule tests."""

from __future__ import annotations

import copy

from compiler.source.resolve import Layer, merge
from compiler.rules import REGISTRY, RuleContext, all_rules, run_rules
from compiler.spec.models import Environment, ModelService

BASE_SERVICE = {
    "apiVersion": "inferplane.dev/v1alpha1",
    "kind": "ModelService",
    "metadata": {"name": "iris"},
    "spec": {
        "mode": "knative",
        "predictor": {"model": {"format": "sklearn", "storageUri": "gs://bucket/model"}},
        "scaling": {"minReplicas": 1, "maxReplicas": 3},
    },
}

BASE_ENV = {
    "apiVersion": "inferplane.dev/v1alpha1",
    "kind": "Environment",
    "metadata": {"name": "prod"},
    "spec": {
        "versions": {"kubernetes": "1.33", "kserve": "0.16.0"},
        "namespace": "ml-prod",
        "gpuClasses": {"t4": {"resource": "nvidia.com/gpu", "maxPerPod": 2}},
    },
}


def patched(base: dict, patch: dict) -> dict:
    """base with patch merged by the overlay rules (null deletes)."""
    return merge(Layer(copy.deepcopy(base), {}, "base"), Layer(patch, {}, "patch")).data


def rule_ids(service_patch: dict | None = None, env_patch: dict | None = None) -> set[str]:
    """IDs of every rule that fires for the base service with the patches applied: the version
    rules, then (as compile does, when they found no error) the service rules, then the
    environment rules over the manifests emitted for it."""
    from compiler.emit import emit_all
    from compiler.errors import has_errors
    from compiler.plan.service import lower_service
    from compiler.rules.manifests import check_manifests
    from compiler.rules.versions import check_versions

    data = patched(BASE_SERVICE, service_patch or {})
    service = ModelService.model_validate(data)
    env_data = patched(BASE_ENV, env_patch or {})
    env = Environment.model_validate(env_data)
    all_rules()
    versions = check_versions(env, Layer(env_data, {}, "environments/prod.yaml"), env.metadata.name)
    if has_errors(versions):
        return {diag.rule for diag in versions}
    layer = Layer(data, {}, "services/iris.yaml")
    diagnostics = versions + list(run_rules(RuleContext(service, env, layer, env.metadata.name)))
    if not has_errors(diagnostics):
        manifests = emit_all([lower_service(service, env, layer, "services/iris.yaml")], env)
        diagnostics += check_manifests(manifests, env, Layer(env_data, {}, "environments/prod.yaml"), env.metadata.name)
    return {diag.rule for diag in diagnostics}


def fires(rule_id: str, service_patch: dict | None = None, env_patch: dict | None = None) -> bool:
    assert rule_id in REGISTRY or all_rules() and rule_id in REGISTRY, f"unknown rule {rule_id}"
    return rule_id in rule_ids(service_patch, env_patch)


def plan_of(service_patch: dict | None = None, env_patch: dict | None = None):
    """The lowered plan of the base service with the patches applied."""
    from compiler.plan.service import lower_service

    data = patched(BASE_SERVICE, service_patch or {})
    service = ModelService.model_validate(data)
    env = Environment.model_validate(patched(BASE_ENV, env_patch or {}))
    return lower_service(service, env, Layer(data, {}, "services/iris.yaml"), "services/iris.yaml")


def fleet_plan(service_name: str, env_name: str):
    """(plan, environment) of a service of the committed example fleet, as compile lowers it."""
    from compiler.spec.check import check_model
    from compiler.source.load import load_project
    from compiler.plan.service import lower_service
    from compiler.source.resolve import resolve_service
    from tests.conftest import REPO

    sources = load_project(REPO)
    env_doc = sources.environments[env_name]
    env, errors = check_model(Layer(env_doc.data, env_doc.positions, env_doc.path), Environment, "Environment")
    assert env is not None, errors
    layer = resolve_service(sources.services[service_name], Layer.of(env_doc, ("spec", "defaults")), sources.overlays.get((env_name, service_name)))
    service, errors = check_model(layer, ModelService, "ModelService")
    assert service is not None, errors
    return lower_service(service, env, layer, f"services/{service_name}.yaml"), env


def schema_errors(body: dict, kubernetes_version: str = "1.33") -> list[str]:
    """Why the API server would reject the object: core kinds through kubernetes-validate (strict),
    custom resources through the kubeconform-layout catalog beside the repository (../shared)."""
    import json

    import jsonschema
    import kubernetes_validate

    from tests.conftest import SHARED

    group, _, version = body["apiVersion"].rpartition("/")
    if not group or group in ("apps", "autoscaling", "policy"):
        try:
            kubernetes_validate.validate(body, kubernetes_version, strict=True)
        except kubernetes_validate.ValidationError as error:
            return [str(error).splitlines()[0]]
        return []
    schema = json.loads((SHARED / "schemas-catalog" / group / f"{body['kind'].lower()}_{version}.json").read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


_REGISTRIES: dict = {}


def crd_errors(bodies: list[dict], kubernetes_version: str = "1.33") -> list[str]:
    """Why the API server would reject the objects: the upstream CRDs beside the repository
    (../shared/crds, with their CEL rules), strict, and core kinds through kubernetes-validate.
    A kind with no schema is an error too. Tests that call it are marked `needs_shared`."""
    from compiler.validate import SchemaRegistry, ValidationInput, validate_objects
    from tests.conftest import SHARED_CRDS

    if kubernetes_version not in _REGISTRIES:
        _REGISTRIES[kubernetes_version] = SchemaRegistry(kubernetes_version=kubernetes_version, crd_paths=[SHARED_CRDS])
    inputs = [ValidationInput(body=body, file=f"{body['kind']}/{body['metadata']['name']}") for body in bodies]
    report = validate_objects(inputs, _REGISTRIES[kubernetes_version])
    return [f"{issue.file}: {issue.pointer}: {issue.message}" for issue in report.issues] + [f"no schema for {kind}" for _, kind in report.missing_schemas]
