"""Trees to review: what the specs compile to now, and what they compiled to at a git ref.

`inferplane diff` compares these. The head is always compiled from the working specs (so a
reviewer never reads a stale tree); the base is the committed rendered tree at the ref, or,
with `compile_base`, the ref's own specs compiled by this compiler.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

import yaml

from ..diff import Tree, load_tree_at_ref
from ..diff.load import parsing_through, tree_from_texts
from ..errors import InputError, UsageError
from ..pipeline import CACHE_DIR, CompileOptions, CompileResult, compile_project, plan_budgets
from ..plan.budget import BudgetLine
from ..source.git_trees import commit_ids
from ..source.unit_cache import BudgetCache, ParsedTexts


def texts_of(result: CompileResult) -> dict[str, dict[str, str]]:
    return {env.name: {path: content.decode("utf-8") for path, content in env.files.items()} for env in result.environments}


def budget_figures(lines: list[BudgetLine]) -> dict[str, tuple[int | str, int | None]]:
    """GPU class → (demand at most replicas or "unbounded", quota), as the diff compares them."""
    return {line.gpu_class: ("unbounded" if line.demand is None else line.demand, line.quota) for line in lines}


def with_compile_facts(tree: Tree, result: CompileResult) -> Tree:
    """The tree with what only compile knows: each field's spec place and each GPU budget."""
    for env in result.environments:
        tree.provenance[env.name] = env.provenance
        tree.gpu_budget[env.name] = budget_figures(env.gpu_budget)
    return tree


def compiled_tree(project: Path, envs: list[str] | None, options: CompileOptions, label: str) -> Tree:
    result = compile_project(project, envs, options)
    if not result.ok:
        raise InputError([d for d in result.diagnostics if d.is_error])
    tree = tree_from_texts(texts_of(result), label=label, prefixes={env.name: f"rendered/{env.name}" for env in result.environments})
    return with_compile_facts(tree, result)


def _git_toplevel(project: Path) -> tuple[Path, str]:
    """The repository root and the project's folder inside it (posix, '' at the root)."""
    try:
        top = subprocess.run(["git", "-C", str(project), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise UsageError(f"{project} is not inside a git repository: {exc}") from exc
    inside = project.resolve().relative_to(Path(top).resolve()).as_posix()
    return Path(top), "" if inside == "." else inside


def _at_commit(project: Path, sha: str, work):
    """`work(base_project)` on the commit's files, extracted into a temporary folder."""
    top, inside = _git_toplevel(project)
    archive = subprocess.run(["git", "-C", str(top), "archive", "--format=tar", sha], capture_output=True, check=True).stdout
    with tempfile.TemporaryDirectory(prefix="inferplane-base-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        return work(Path(tmp) / inside)


def compile_at_commit(project: Path, envs: list[str] | None, options: CompileOptions, compiled: list[CompileResult] | None = None):
    """A `render_base` for load_tree_at_ref: extract the commit's files and compile them
    (the compile result is appended to `compiled`, for what only compile knows)."""

    def compile_there(base_project: Path) -> dict:
        result = compile_project(base_project, envs, options)
        if not result.ok:
            raise InputError([d for d in result.diagnostics if d.is_error])
        if compiled is not None:
            compiled.append(result)
        # Same files as the head (images.yaml included), parsed: kustomizations are not resources.
        return {
            env.name: {path: yaml.safe_load(content) for path, content in env.files.items() if not path.endswith("kustomization.yaml")}
            for env in result.environments
        }

    return lambda sha: _at_commit(project, sha, compile_there)


def base_tree(project: Path, ref: str | None, envs: list[str] | None, options: CompileOptions, compile_base: bool) -> Tree:
    """The base side. Its GPU budget comes from its specs, so that the review can say how it moves;
    a base whose specs do not plan (or a folder outside git) simply has no budget to compare."""
    compiled: list[CompileResult] = []
    shas: list[str] = []
    render = compile_at_commit(project, envs, options, compiled) if compile_base else None
    tree = load_tree_at_ref(project, ref, render_base=render, on_commit=shas.append)
    if compiled:
        return with_compile_facts(tree, compiled[0])
    if shas:
        budgets = _base_budgets(project, shas[0], envs, options)
        tree.gpu_budget.update({name: budget_figures(lines) for name, lines in budgets.items()})
    return tree


def _base_budgets(project: Path, sha: str, envs: list[str] | None, options: CompileOptions) -> dict[str, list[BudgetLine]]:
    """The base commit's GPU budgets: recorded under git's ids of its input folders by a compile of
    the same inputs (source/unit_cache.BudgetCache), else planned from the extracted commit."""
    cache = BudgetCache(options.cache_dir or project / CACHE_DIR) if options.cache else None
    try:
        top, inside = _git_toplevel(project)
        trees = commit_ids(top, sha, inside)
    except UsageError:
        trees = None
    key = cache.key(trees, envs) if cache is not None and trees is not None else None
    found = cache.get(key) if cache is not None and key is not None else None
    if isinstance(found, dict):
        cache.save()
        return found
    try:
        budgets = _at_commit(project, sha, lambda base_project: plan_budgets(base_project, envs))
    except (InputError, UsageError, OSError, subprocess.CalledProcessError):
        return {}  # the base's specs do not load: no budget to compare with
    if cache is not None and key is not None:
        cache.put(key, budgets)
        cache.save()
    return budgets


def parsed_texts(project: Path, options: CompileOptions):
    """Parse both sides' rendered texts through the project's cache of parsed texts (not with --no-cache)."""
    return parsing_through(ParsedTexts(options.cache_dir or project / CACHE_DIR) if options.cache else None)
