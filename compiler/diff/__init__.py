"""Semantic diff of rendered trees, for pull-request review and environment drift.

Receives: two rendered trees (folders, a git ref, or compiled in memory).
Returns: a `DiffResult` (result.py) and its reporters (text, markdown, JSON).
Imports: the shared leaves, source's YAML reader and the validator's loader: it reads what compile
wrote (provenance arrives as data on the Tree, from commands/review.py).

    tree = load_tree_from_folder("rendered")              # or one environment's folder
    base = load_tree_at_ref(".", None)                    # committed rendered/ at the merge base
    result = diff_trees(base, tree)                        # DiffResult: data, `result.changed`
    print(render_markdown(result))                         # or render_text(result, color=True), render_json(result)
    drift = diff_environments(tree, "staging", "prod")    # same result type, same reporters

A `Tree` maps environment name → {Identity: Resource}; `Identity` is (group, kind, namespace,
name) with group = apiVersion before '/', '' for core; `Resource` holds the plain body and its
file path inside the environment folder. `tree.images[env]` is that environment's parsed
`images.yaml`; `kustomization.yaml` is not read. A tree compiled from specs also carries each
object's provenance (emit/provenance.py: the spec file:line behind a field) and the GPU budget.
Stages: load/git_source → match (pairs, renames) → normalize/fields (noise-free field changes) →
redact → causes (compare.with_causes) → facts/summary → collapse (identical changes across
services) and gpu_budget → compare (the runner) → report_* (text, markdown, json).
"""

from .compare import diff_trees
from .drift import diff_environments
from .git_source import default_base_ref, load_tree_at_ref
from .load import load_tree_from_folder, tree_from_rendered
from .model import Identity, Resource, Tree
from .report_json import render_json
from .report_markdown import render_markdown
from .report_text import render_text
from .result import (
    DiffResult,
    EnvironmentDiff,
    FieldChange,
    ResourceChange,
    SummaryItem,
)

__all__ = [
    "DiffResult",
    "EnvironmentDiff",
    "FieldChange",
    "Identity",
    "Resource",
    "ResourceChange",
    "SummaryItem",
    "Tree",
    "default_base_ref",
    "diff_environments",
    "diff_trees",
    "load_tree_at_ref",
    "load_tree_from_folder",
    "render_json",
    "render_markdown",
    "render_text",
    "tree_from_rendered",
]
