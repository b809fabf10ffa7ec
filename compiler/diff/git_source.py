"""Read the rendered tree committed at a git ref, without touching the working tree.

One `git ls-tree` lists the files and one `git cat-file --batch` reads them all: a tree of
thousands of resources costs two processes, not one per file.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from .load import (
    KUSTOMIZATION_FILES,
    YAML_SUFFIXES,
    tree_from_rendered,
    tree_from_texts,
)
from .model import Tree

RENDERED_DIR = "rendered"
# Tried in order when no base is given: the remote's default branch, then the usual local names.
DEFAULT_BRANCHES = ("origin/HEAD", "main", "master")


def load_tree_at_ref(
    repo: str | Path,
    ref: str | None,
    render_base: Callable[[str], dict] | None = None,
    rendered_dir: str = RENDERED_DIR,
    on_commit: Callable[[str], None] | None = None,
) -> Tree:
    """The rendered tree at `ref` (default: `default_base_ref(repo)`).

    With `render_base`, the tree is whatever `render_base(commit_sha)` returns (see
    `load.tree_from_rendered` for the accepted shapes): the caller compiles that commit's specs,
    so the diff stays honest when the committed tree was stale. Without it, the committed
    `rendered/` at the ref is read. A ref without `rendered/` gives an empty tree: everything
    in the head then shows as added.
    """
    prefix = _repo_prefix(repo)  # first: "not a git repository" says more than "unknown ref"
    shown = ref or "merge base"
    ref = ref or default_base_ref(repo)
    sha = _git(
        repo,
        "rev-parse",
        "--verify",
        "--quiet",
        f"{ref}^{{commit}}",
        hint=f"unknown git ref {ref!r} — pass a branch, tag or commit that exists here (fetch it first if only the remote has it)",
    ).strip()
    label = f"{shown} ({sha[:12]})" if not sha.startswith(shown) else sha[:12]
    if on_commit is not None:
        on_commit(sha)  # the caller may read more of this commit (its specs' GPU budget)
    if render_base is not None:
        return tree_from_rendered(render_base(sha), label=label)
    base_path = prefix + rendered_dir.strip("/")
    texts = _read_rendered(repo, sha, base_path)
    prefixes = {environment: f"{sha[:12]}:{rendered_dir.strip('/')}/{environment}" for environment in texts}
    return tree_from_texts(texts, label=label, prefixes=prefixes)


def default_base_ref(repo: str | Path) -> str:
    """The merge base of HEAD with the default branch: what a pull request is compared against."""
    for branch in DEFAULT_BRANCHES:
        result = subprocess.run(
            ["git", "-C", str(repo), "merge-base", "HEAD", branch],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    raise UsageError(
        f"cannot find a base to diff against in {repo}: none of {', '.join(DEFAULT_BRANCHES)} shares history with HEAD"
        " — pass --base REF"
    )


def _read_rendered(repo: str | Path, sha: str, base_path: str) -> dict[str, dict[str, str]]:
    """{environment: {path inside it: text}} for the YAML files under base_path at sha."""
    listing = _git(repo, "ls-tree", "-r", "-z", "--full-tree", sha, "--", base_path + "/", hint=f"cannot list {base_path}/ at {sha}")
    blobs: list[tuple[str, str, str]] = []  # (environment, path inside it, blob sha)
    for entry in filter(None, listing.split("\0")):
        meta, path = entry.split("\t", 1)
        _mode, kind, blob = meta.split()
        parts = path[len(base_path) + 1 :].split("/", 1)
        if kind != "blob" or len(parts) != 2:
            continue  # files directly in rendered/ belong to no environment
        name = parts[1].rsplit("/", 1)[-1]
        if name.endswith(YAML_SUFFIXES) or name in KUSTOMIZATION_FILES:
            blobs.append((parts[0], parts[1], blob))
    contents = _cat_blobs(repo, [blob for _, _, blob in blobs])
    texts: dict[str, dict[str, str]] = {}
    for environment, rel_path, blob in blobs:
        texts.setdefault(environment, {})[rel_path] = contents[blob]
    return texts


def _cat_blobs(repo: str | Path, blobs: list[str]) -> dict[str, str]:
    if not blobs:
        return {}
    unique = sorted(set(blobs))
    result = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input=("\n".join(unique) + "\n").encode(),
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise UsageError(f"git cat-file failed in {repo}: {result.stderr.decode(errors='replace').strip()}")
    out = result.stdout
    contents: dict[str, str] = {}
    position = 0
    for _ in unique:
        # Each answer is "<sha> <type> <size>\n<content>\n".
        header_end = out.index(b"\n", position)
        blob, _kind, size = out[position:header_end].decode().split()
        start = header_end + 1
        contents[blob] = out[start : start + int(size)].decode("utf-8", errors="replace")
        position = start + int(size) + 1
    return contents


def _repo_prefix(repo: str | Path) -> str:
    """Where `repo` sits inside its git work tree ('' at the top), so `rendered/` is found from a subfolder too."""
    return _git(repo, "rev-parse", "--show-prefix", hint="not a git repository — run inside the repository, or diff two folders").strip()


def _git(repo: str | Path, *args: str, hint: str) -> str:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise UsageError("git is not installed — install git, or diff two folders instead") from exc
    if result.returncode != 0:
        detail = result.stderr.strip()
        raise UsageError(f"{repo}: {hint}" + (f" ({detail})" if detail else ""))
    return result.stdout
