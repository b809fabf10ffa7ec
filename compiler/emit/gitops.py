"""Emit the objects that sync `rendered/<env>/` into a cluster: an Argo CD Application, or a Flux
GitRepository and Kustomization; and order the rendered objects with Argo CD sync waves (GO-01).

These objects never live in the tree they sync (an Application inside its own source syncs,
prunes and self-heals itself): `extras.split_tree` writes them to `rendered/<env>/_gitops/`, which
the environment's kustomization.yaml does not list. `fleet_manifests` renders the one
ApplicationSet over the environments that ask for it, for `rendered/_gitops/`.
"""

from __future__ import annotations

from .manifest import Manifest, apply_rank
from ..plan.service import ServicePlan
from ..spec.delivery import GitOps
from ..spec.models import Environment
from ..upstream import MANAGED_BY

ARGOCD_API = "argoproj.io/v1alpha1"
FLUX_SOURCE_API = "source.toolkit.fluxcd.io/v1"
FLUX_KUSTOMIZE_API = "kustomize.toolkit.fluxcd.io/v1"
SYNC_WAVE = "argocd.argoproj.io/sync-wave"
HOOK = "argocd.argoproj.io/hook"
IN_CLUSTER = "https://kubernetes.default.svc"
# What serving needs from a sync, and why:
# - CreateNamespace: the environment's namespace is not one of the rendered objects;
# - PruneLast: an InferenceService or route that left the spec is deleted only after the new
#   objects are healthy, so traffic never points at nothing in between.
# ServerSideApply is left to `syncOptions`: the objects are far below the 256 KiB limit of
# client-side apply, and fields KServe's webhook defaults are not in git, so they cause no diff.
SYNC_OPTIONS = ("CreateNamespace=true", "PruneLast=true")
# An InferenceService applied before KServe's webhook serves is rejected (kserve#3102): retry.
RETRY = {"limit": 5, "backoff": {"duration": "10s", "factor": 2, "maxDuration": "3m"}}
# Flux: the load test Jobs' own folder, synced after the rest by a Kustomization of their own.
LOAD_TESTS_DIR = "_loadtests"
_GITOPS_KINDS = {("argoproj.io", "Application"), ("argoproj.io", "ApplicationSet"), ("source.toolkit.fluxcd.io", "GitRepository"), ("kustomize.toolkit.fluxcd.io", "Kustomization")}


def is_gitops_object(manifest: Manifest) -> bool:
    return (manifest.group, manifest.kind) in _GITOPS_KINDS


def part_of(env: Environment) -> str:
    return env.spec.part_of or "inferplane"


def app_name(env: Environment) -> str:
    """The Application (or Flux objects) of an environment: `<partOf>-<env>`."""
    return f"{part_of(env)}-{env.metadata.name}"


def gitops_labels(name: str, part: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": part, "app.kubernetes.io/managed-by": MANAGED_BY}


def source_path(env: Environment) -> str:
    assert env.spec.gitops is not None
    return env.spec.gitops.path or f"rendered/{env.metadata.name}"


def with_repository_path(env: Environment, prefix: str) -> Environment:
    """The environment with `gitops.path` defaulted to its folder's path from the repository root
    (source/repository.py finds the prefix); an explicit path is kept as written."""
    gitops = env.spec.gitops
    if gitops is None or gitops.path or not prefix:
        return env
    path = f"{prefix}/rendered/{env.metadata.name}"
    return env.model_copy(update={"spec": env.spec.model_copy(update={"gitops": gitops.model_copy(update={"path": path})})})


# Flux has no CreateNamespace: a Flux environment's tree holds its namespace. Pruning it would
# delete every model with it (a renamed namespace, a removed environment), so Flux never prunes it.
FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune"


def flux_namespace(env: Environment) -> Manifest:
    name = env.spec.namespace
    labels = gitops_labels(name, part_of(env))
    return Manifest({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels, "annotations": {FLUX_PRUNE: "disabled"}}})


def _destination(gitops: GitOps, env: Environment) -> dict:
    target = {"name": gitops.destination.name} if gitops.destination.name else {"server": gitops.destination.server or IN_CLUSTER}
    return {**target, "namespace": gitops.destination.namespace or env.spec.namespace}


def sync_policy(gitops: GitOps) -> dict:
    options = list(dict.fromkeys(SYNC_OPTIONS + tuple(gitops.sync_options)))
    return {"automated": {"prune": gitops.prune, "selfHeal": gitops.self_heal}, "syncOptions": options, "retry": RETRY}


def application(env: Environment) -> Manifest:
    gitops = env.spec.gitops
    assert gitops is not None
    name = app_name(env)
    body = {
        "apiVersion": ARGOCD_API,
        "kind": "Application",
        # No resources-finalizer: deleting the Application by mistake must not delete every model.
        "metadata": {"name": name, "namespace": gitops.argocd_namespace, "labels": gitops_labels(name, part_of(env))},
        "spec": {
            "project": gitops.project,
            "source": {"repoURL": gitops.repo_url, "targetRevision": gitops.target_revision, "path": source_path(env)},
            "destination": _destination(gitops, env),
            "syncPolicy": sync_policy(gitops),
        },
    }
    return Manifest(body)


def flux_objects(env: Environment) -> list[Manifest]:
    gitops = env.spec.gitops
    assert gitops is not None
    name, path = app_name(env), source_path(env)
    labels = gitops_labels(name, part_of(env))
    repository = {
        "apiVersion": FLUX_SOURCE_API,
        "kind": "GitRepository",
        "metadata": {"name": name, "namespace": gitops.flux_namespace, "labels": labels},
        "spec": {
            "interval": gitops.interval,
            "url": gitops.repo_url,
            "ref": {"branch": gitops.target_revision},
            # Only this environment's folder goes into the artifact Flux builds.
            "ignore": f"/*\n!/{path.strip('/')}/\n",
        },
    }
    kustomization: dict = {
        "apiVersion": FLUX_KUSTOMIZE_API,
        "kind": "Kustomization",
        "metadata": {"name": name, "namespace": gitops.flux_namespace, "labels": labels},
        "spec": {
            "interval": gitops.interval,
            "path": f"./{path.strip('/')}",
            "prune": gitops.prune,
            # Ready only when every object is: InferenceServices report a Ready condition.
            "wait": True,
            "timeout": gitops.timeout,
            "sourceRef": {"kind": "GitRepository", "name": name},
        },
    }
    if gitops.depends_on:
        kustomization["spec"]["dependsOn"] = [{"name": dependency} for dependency in gitops.depends_on]
    return [Manifest(repository), Manifest(kustomization)]


def flux_load_tests(env: Environment) -> Manifest:
    """The Kustomization of the load tests (rendered/<env>/_loadtests/, output/layout.py): applied
    only once the environment's own Kustomization is Ready (dependsOn; it waits for every object),
    waited on itself, so a failing Job marks it failed; `force` re-creates a changed Job (a Job's
    template is immutable)."""
    gitops = env.spec.gitops
    assert gitops is not None
    name, path = app_name(env), source_path(env)
    tests = f"{name}-{LOAD_TESTS_DIR.strip('_')}"
    spec = {
        "interval": gitops.interval,
        "path": f"./{path.strip('/')}/{LOAD_TESTS_DIR}",
        "prune": True,
        "wait": True,
        "force": True,
        "timeout": gitops.timeout,
        "dependsOn": [{"name": name}],
        "sourceRef": {"kind": "GitRepository", "name": name},
    }
    return Manifest({"apiVersion": FLUX_KUSTOMIZE_API, "kind": "Kustomization", "metadata": {"name": tests, "namespace": gitops.flux_namespace, "labels": gitops_labels(tests, part_of(env))}, "spec": spec})


def _has_load_test(plan: ServicePlan) -> bool:
    spec = plan.layer.data.get("spec") if isinstance(plan.layer.data, dict) else None
    test = (spec or {}).get("loadTest") if isinstance(spec, dict) else None
    return isinstance(test, dict) and test.get("enabled") is True and bool(test.get("image"))


def emit(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    gitops = env.spec.gitops
    if gitops is None:
        return []
    if gitops.tool == "flux":
        return [*flux_objects(env), flux_namespace(env)] + ([flux_load_tests(env)] if any(_has_load_test(plan) for plan in plans) else [])
    # An environment in the ApplicationSet gets its Application from it (fleet_manifests).
    return [] if gitops.application_set else [application(env)]


def annotate_sync_waves(manifests: list[Manifest], env: Environment) -> list[Manifest]:
    """Argo CD syncs lower waves first and waits for them to be healthy: namespaces, issuers,
    certificates and serving runtimes before InferenceServices, routes after them (the apply order
    of emit/manifest.py). Hooks run in their own phase and GitOps objects sit outside the tree: untouched."""
    gitops = env.spec.gitops
    if gitops is None or gitops.tool != "argocd":
        return manifests
    result = []
    for manifest in manifests:
        metadata = manifest.body.get("metadata") or {}
        annotations = metadata.get("annotations") or {}
        if is_gitops_object(manifest) or HOOK in annotations:
            result.append(manifest)
            continue
        body = {**manifest.body, "metadata": {**metadata, "annotations": {**annotations, SYNC_WAVE: str(apply_rank(manifest.kind))}}}
        result.append(Manifest(body, manifest.service, manifest.origins))
    return result
