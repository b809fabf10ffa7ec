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
from ..pipeline import CompileOptions, CompileResult, compile_project


def texts_of(result: CompileResult) -> dict[str, dict[str, str]]:
    return {env.name: {path: content.decode("utf-8") for path, content in env.files.items()} for env in result.environments}


def compiled_tree(project: Path, envs: list[str] | None, options: CompileOptions, label: str) -> Tree:
    result = compile_project(project, envs, options)
    if not result.ok:
        raise InputError([d for d in result.diagnostics if d.is_error])
    return tree_from_texts(texts_of(result), label=label, prefixes={env.name: f"rendered/{env.name}" for env in result.environments})


def _git_toplevel(project: Path) -> tuple[Path, str]:
    """The repository root and the project's folder inside it (posix, '' at the root)."""
    try:
        top = subprocess.run(["git", "-C", str(project), "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError) as exc:
        raise UsageError(f"{project} is not inside a git repository: {exc}") from exc
    inside = project.resolve().relative_to(Path(top).resolve()).as_posix()
    return Path(top), "" if inside == "." else inside


def compile_at_commit(project: Path, envs: list[str] | None, options: CompileOptions):
    """A `render_base` for load_tree_at_ref: extract the commit's files and compile them."""

    def render(sha: str) -> dict:
        top, inside = _git_toplevel(project)
        archive = subprocess.run(["git", "-C", str(top), "archive", "--format=tar", sha], capture_output=True, check=True).stdout
        with tempfile.TemporaryDirectory(prefix="inferplane-base-") as tmp:
            with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
                tar.extractall(tmp, filter="data")
            base_project = Path(tmp) / inside
            result = compile_project(base_project, envs, options)
            if not result.ok:
                raise InputError([d for d in result.diagnostics if d.is_error])
            # Same files as the head (images.yaml included), parsed: kustomizations are not resources.
            return {
                env.name: {path: yaml.safe_load(content) for path, content in env.files.items() if not path.endswith("kustomization.yaml")}
                for env in result.environments
            }

    return render


def base_tree(project: Path, ref: str | None, envs: list[str] | None, options: CompileOptions, compile_base: bool) -> Tree:
    render = compile_at_commit(project, envs, options) if compile_base else None
    return load_tree_at_ref(project, ref, render_base=render)
