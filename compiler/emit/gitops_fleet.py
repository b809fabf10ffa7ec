"""The one Argo CD ApplicationSet over the environments that set `gitops.applicationSet: true`.

It spans environments, so it is rendered from all of them at once (`rendered/_gitops/`), not by
an environment emitter. A list generator holds one element per environment; the Application it
generates for an environment is the one `gitops.application` would render for it (same name,
source, destination and sync policy).
"""

from __future__ import annotations

from .manifest import Manifest
from ..errors import Diagnostic, Location
from ..spec.models import Environment
from .gitops import ARGOCD_API, IN_CLUSTER, app_name, gitops_labels, is_gitops_object, part_of, source_path, sync_policy

# Go templates with missingkey=error: a typo in a parameter fails generation instead of syncing "".
_TEMPLATE_OPTIONS = ["missingkey=error"]


def _element(env: Environment) -> dict:
    gitops = env.spec.gitops
    assert gitops is not None
    return {
        "name": app_name(env),
        "environment": env.metadata.name,
        "project": gitops.project,
        "repoURL": gitops.repo_url,
        "targetRevision": gitops.target_revision,
        "path": source_path(env),
        # Argo CD takes the destination by server or by cluster name; the other one stays empty.
        "server": "" if gitops.destination.name else gitops.destination.server or IN_CLUSTER,
        "destinationName": gitops.destination.name or "",
        "namespace": gitops.destination.namespace or env.spec.namespace,
    }


def _application_set(namespace: str, members: list[Environment]) -> Manifest:
    parts = {part_of(env) for env in members}
    part = parts.pop() if len(parts) == 1 else "inferplane"
    name = f"{part}-environments"
    template = {
        "metadata": {"name": "{{.name}}", "labels": gitops_labels("{{.name}}", part)},
        "spec": {
            "project": "{{.project}}",
            "source": {"repoURL": "{{.repoURL}}", "targetRevision": "{{.targetRevision}}", "path": "{{.path}}"},
            "destination": {"server": "{{.server}}", "name": "{{.destinationName}}", "namespace": "{{.namespace}}"},
            "syncPolicy": sync_policy(members[0].spec.gitops),  # the same for every member (checked)
        },
    }
    body = {
        "apiVersion": ARGOCD_API,
        "kind": "ApplicationSet",
        "metadata": {"name": name, "namespace": namespace, "labels": gitops_labels(name, part)},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": _TEMPLATE_OPTIONS,
            "generators": [{"list": {"elements": [_element(env) for env in members]}}],
            "template": template,
        },
    }
    return Manifest(body)


def _differing_policy(members: list[Environment]) -> list[Diagnostic]:
    first = members[0]
    found = []
    for env in members[1:]:
        if sync_policy(env.spec.gitops) != sync_policy(first.spec.gitops):
            found.append(
                Diagnostic(
                    "GITOPS-APPSET",
                    f"environments {first.metadata.name!r} and {env.metadata.name!r} share one ApplicationSet but differ in prune, selfHeal or syncOptions",
                    "give them the same sync settings, or set applicationSet: false to give one its own Application",
                    Location(f"environments/{env.metadata.name}.yaml"),
                    key_path=("spec", "gitops"),
                    environment=env.metadata.name,
                )
            )
    return found


def fleet_manifests(environments: list[Environment]) -> tuple[list[Manifest], list[Diagnostic]]:
    """One ApplicationSet per Argo CD namespace over its environments, sorted by name."""
    groups: dict[str, list[Environment]] = {}
    for env in sorted(environments, key=lambda e: e.metadata.name):
        gitops = env.spec.gitops
        if gitops is not None and gitops.tool == "argocd" and gitops.application_set:
            groups.setdefault(gitops.argocd_namespace, []).append(env)
    manifests, diagnostics = [], []
    for namespace, members in sorted(groups.items()):
        diagnostics.extend(_differing_policy(members))
        manifests.append(_application_set(namespace, members))
    return manifests, diagnostics


def cluster_of(env: Environment) -> str | None:
    """The cluster an environment's tree is applied to, when its gitops.destination names one.

    Left unset, the destination is "the cluster the GitOps tool runs in", which is a different
    cluster for every Argo CD or Flux install: unknown, so such environments are not compared."""
    gitops = env.spec.gitops
    if gitops is None:
        return None
    if gitops.destination.name:
        return f"cluster {gitops.destination.name!r}"
    if gitops.destination.server:
        return gitops.destination.server
    return None


def shared_objects(rendered: list[tuple[Environment, list[Manifest]]]) -> list[Diagnostic]:
    """GITOPS-SHARED-OBJECT: two environments that render one object (group, kind, namespace, name)
    into one cluster. Their Applications (or Kustomizations) would both own it: each sync reverts
    the other's version, and pruning one environment deletes the other's object."""
    owners: dict[tuple, str] = {}
    clashes: dict[tuple[str, str], list[Manifest]] = {}
    for env, manifests in sorted(rendered, key=lambda item: item[0].metadata.name):
        cluster = cluster_of(env)
        if cluster is None:
            continue
        for manifest in manifests:
            if is_gitops_object(manifest):
                continue
            first = owners.setdefault((cluster, manifest.identity), env.metadata.name)
            if first != env.metadata.name:
                clashes.setdefault((first, env.metadata.name), []).append(manifest)
    found = []
    for (first, second), objects in sorted(clashes.items()):
        shown = ", ".join(f"{m.kind} {m.namespace + '/' if m.namespace else ''}{m.name}" for m in objects[:3])
        more = f" and {len(objects) - 3} more" if len(objects) > 3 else ""
        env = next(env for env, _ in rendered if env.metadata.name == second)
        found.append(
            Diagnostic(
                "GITOPS-SHARED-OBJECT",
                f"environments {first!r} and {second!r} both render {shown}{more} into {cluster_of(env)}: their GitOps objects would fight over them",
                f"give one environment its own names or namespace, render the shared object from one environment only, or point environments/{second}.yaml at another cluster (gitops.destination)",
                Location(f"environments/{second}.yaml"),
                key_path=("spec", "gitops", "destination"),
                environment=second,
            )
        )
    return found
