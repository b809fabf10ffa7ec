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
from .gitops import ARGOCD_API, IN_CLUSTER, app_name, gitops_labels, part_of, source_path, sync_policy

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
