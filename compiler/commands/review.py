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
from ..diff.load import tree_from_texts
from ..errors import InputError, UsageError
from ..pipeline import CompileOptions, CompileResult, compile_project, plan_budgets
from ..plan.budget import BudgetLine


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
        try:
            budgets = _at_commit(project, shas[0], lambda base_project: plan_budgets(base_project, envs))
        except (InputError, UsageError, OSError, subprocess.CalledProcessError):
            budgets = {}  # the base's specs do not load: no budget to compare with
        tree.gpu_budget.update({name: budget_figures(lines) for name, lines in budgets.items()})
    return tree
