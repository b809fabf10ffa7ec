"""Where the project sits in its Git repository: the prefix of its rendered/ tree in repo paths.

Argo CD's `source.path` and Flux's Kustomization `path` are relative to the repository root, so a
project in a monorepo subfolder (`ml/serving/`) syncs `ml/serving/rendered/prod`, not
`rendered/prod`. The root is found by walking up from the project to the first folder holding a
`.git` entry (a folder, or the file of a worktree or submodule): the files decide, as
`git rev-parse --show-toplevel` would, without running git or reading its state, so a compile stays
offline and the same checkout always renders the same bytes. A project copied without its `.git`
renders paths relative to the project itself; `gitops.path` pins the path in either case.
"""

from __future__ import annotations

from pathlib import Path


def repository_prefix(root: Path) -> str:
    """The project root relative to its repository root, as a POSIX path ("" at the top or outside any repository)."""
    project = root.resolve()
    for folder in (project, *project.parents):
        if (folder / ".git").exists():
            return project.relative_to(folder).as_posix().strip(".")
    return ""
