"""Drift between two environments of one tree (e.g. staging vs prod), with the revision diff's reporters.

Environments legitimately differ in namespace and in names that carry the environment
(`iris-staging`, `iris.staging.example.com`). Those differences are normalised away first:
- resources match by group/kind/name, with the environment's name replaced by `{env}` and the
  namespace ignored (kept only when a name occurs in two namespaces of one environment);
- in every string value, the resource's namespace becomes `{namespace}` and the environment's
  name `{env}`, wherever they stand as whole words.
What is left is drift: a different weight, replica bound, image or rule.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..errors import UsageError
from .compare import diff_resource_sets
from .match import RENAME_THRESHOLD
from .model import EnvironmentResources, Resource, Tree
from .result import DiffResult

ENV_PLACEHOLDER = "{env}"
NAMESPACE_PLACEHOLDER = "{namespace}"


def diff_environments(tree: Tree, old_env: str, new_env: str, rename_threshold: float = RENAME_THRESHOLD) -> DiffResult:
    """How `new_env` differs from `old_env` in one tree: "staging", "prod" reads as "what prod has that staging has not"."""
    missing = [name for name in (old_env, new_env) if name not in tree]
    if missing:
        known = ", ".join(tree) or "none"
        raise UsageError(f"no environment {', '.join(missing)} in {tree.label or 'the tree'} (environments: {known})")
    old = _by_drift_key(tree[old_env], old_env)
    new = _by_drift_key(tree[new_env], new_env)
    result = diff_resource_sets(
        f"{old_env} → {new_env}",
        old,
        new,
        tree.images.get(old_env),
        tree.images.get(new_env),
        rename_threshold,
        scope=lambda resource: (resource.identity.group, resource.identity.kind),
    )
    notes = (f"names and values normalised: {old_env}/{new_env} → {ENV_PLACEHOLDER}, namespaces → {NAMESPACE_PLACEHOLDER}",)
    return DiffResult(old_env, new_env, (result,), "environments", notes)


def _by_drift_key(resources: EnvironmentResources, environment: str) -> dict[tuple, Resource]:
    env_word = _word(environment)
    short_keys = {
        identity: (identity.group, identity.kind, env_word.sub(ENV_PLACEHOLDER, identity.name)) for identity in resources
    }
    counts = Counter(short_keys.values())
    keyed: dict[tuple, Resource] = {}
    for identity, resource in resources.items():
        key = short_keys[identity]
        if counts[key] > 1:  # one name in two namespaces: the namespace must tell them apart
            key = key + (env_word.sub(ENV_PLACEHOLDER, identity.namespace),)
        body = _normalise_strings(resource.body, environment, identity.namespace)
        keyed[key] = Resource(identity, body, resource.path)
    return keyed


def _word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(text)}(?![A-Za-z0-9])")


def _normalise_strings(value: Any, environment: str, namespace: str) -> Any:
    env_word = _word(environment)
    namespace_word = _word(namespace) if namespace else None

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: walk(child) for key, child in node.items()}
        if isinstance(node, list):
            return [walk(child) for child in node]
        if isinstance(node, str):
            # Namespace first: it often contains the environment's name ("ml-staging").
            if namespace_word is not None:
                node = namespace_word.sub(NAMESPACE_PLACEHOLDER, node)
            return env_word.sub(ENV_PLACEHOLDER, node)
        return node

    return walk(value)
