"""The files of a rendered tree besides the objects it syncs.

`rendered/<env>/`
  kustomization.yaml, <namespace>/<kind>-<name>.yaml   what Argo CD or Flux syncs
  images.yaml                                          every image the environment runs
  _gitops/kustomization.yaml, _gitops/<ns>/...         the Application or Flux objects that sync
                                                       the folder above: applied once by hand or by
                                                       an app of apps, never listed in the
                                                       environment's kustomization.yaml
`rendered/_gitops/`                                    the ApplicationSet over environments

A GitOps object inside the tree it syncs would manage itself: a deleted Application would be
re-created by nobody, a changed one would be pruned mid-sync. `kubectl kustomize rendered/<env>`
builds exactly the synced objects; `kubectl kustomize rendered/<env>/_gitops` the GitOps objects.
"""

from __future__ import annotations

from ..emit.manifest import Manifest
from ..spec.check import check_model
from ..emit.gitops import LOAD_TESTS_DIR, is_gitops_object, with_repository_path
from ..emit.loadtest import is_load_test_job
from ..emit.gitops_fleet import fleet_manifests
from ..errors import Diagnostic
from ..emit.images import IMAGES_FILE, images_file
from ..source.load import ProjectSources
from ..source.repository import repository_prefix
from ..source.resolve import Layer
from ..spec.models import Environment
from .write import KUSTOMIZATION, kustomization, render_tree
from ..source.yaml_io import dump
from . import GITOPS_DIR
FLEET_HEADER = "# Rendered by inferplane from the environments that set gitops.applicationSet. Do not edit: change them and run `inferplane compile`.\n"


def split_tree(env_name: str, manifests: list[Manifest], env: Environment, sources: dict[str, str]) -> tuple[list[Manifest], dict[str, bytes]]:
    """(the manifests the environment's tree syncs, the extra files of rendered/<env>/).

    Pass them on as `render_tree(env_name, synced, sources, extra)`.
    """
    synced = [m for m in manifests if not is_gitops_object(m)]
    gitops_objects = [m for m in manifests if is_gitops_object(m)]
    extra = {IMAGES_FILE: images_file(synced, env)}
    if env.spec.gitops is not None and env.spec.gitops.tool == "flux":
        # Flux has no hooks: the load tests sync from their own folder, after the rest (gitops.flux_load_tests).
        load_tests = [m for m in synced if is_load_test_job(m)]
        synced = [m for m in synced if not is_load_test_job(m)]
        for name, content in (render_tree(env_name, load_tests, sources) if load_tests else {}).items():
            extra[f"{LOAD_TESTS_DIR}/{name}"] = content
    if gitops_objects:
        for name, content in render_tree(env_name, gitops_objects, sources).items():
            extra[f"{GITOPS_DIR}/{name}"] = content
    return synced, extra


def fleet_files(environments: list[Environment]) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """The files of rendered/_gitops/: the ApplicationSet(s) over environments and a kustomization.
    Empty when no environment sets gitops.applicationSet."""
    manifests, diagnostics = fleet_manifests(environments)
    if not manifests:
        return {}, diagnostics
    files = {m.file_name: (FLEET_HEADER + dump(m.body)).encode("utf-8") for m in manifests}
    files[KUSTOMIZATION] = kustomization(manifests)
    return dict(sorted(files.items())), diagnostics


def fleet_tree(sources: ProjectSources) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """fleet_files for a loaded project, from every environment that passes its model check,
    whichever environments a run compiles: the ApplicationSet spans them all. An environment with
    errors is left out; compiling it reports them."""
    environments = []
    for doc in sources.environments.values():
        env, errors = check_model(Layer(doc.data, doc.positions, doc.path), Environment, "Environment")
        if env is not None and not errors:
            environments.append(with_repository_path(env, repository_prefix(sources.root)))
    return fleet_files(environments)
