"""Build a `Tree` from a rendered folder, from file texts, or from a renderer's output.

A folder is either `rendered/` (one subfolder per environment) or one environment's folder.
Git refs (see `git_source.py`) and folders both end in `tree_from_texts`, so the two paths
parse, skip and complain alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
import pickle
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, InputError, Location, has_errors
from ..source.unit_cache import ParsedTexts
from ..validate.loader import Problem, iter_documents
from .model import EnvironmentResources, Identity, Resource, Tree

YAML_SUFFIXES = (".yaml", ".yml")
# Kustomize accepts these three names; the file only lists resources the diff reads anyway.
KUSTOMIZATION_FILES = {"kustomization.yaml", "kustomization.yml", "Kustomization"}
IMAGES_FILE = "images.yaml"


def load_tree_from_folder(folder: str | Path) -> Tree:
    """Read `rendered/` (one subfolder per environment) or a single environment folder."""
    root = Path(folder)
    if not root.is_dir():
        raise InputError([Diagnostic("DIFF-NO-TREE", "not a folder", "pass the rendered/ folder or one environment's folder; `inferplane compile` creates it", Location(str(root)))])
    folders = _environment_folders(root)
    texts: dict[str, dict[str, str]] = {}
    for environment, env_folder in folders.items():
        files = {}
        for path in sorted(env_folder.rglob("*")):
            if path.is_file() and (path.suffix in YAML_SUFFIXES or path.name in KUSTOMIZATION_FILES):
                files[path.relative_to(env_folder).as_posix()] = path.read_text(encoding="utf-8")
        texts[environment] = files
    prefixes = {environment: str(path) for environment, path in folders.items()}
    return tree_from_texts(texts, label=str(root), prefixes=prefixes)


def _is_environment(folder: Path) -> bool:
    """An environment folder has a kustomization or image list, or resources at most one folder deep."""
    if any((folder / name).is_file() for name in (*KUSTOMIZATION_FILES, IMAGES_FILE)):
        return True
    if any(p.is_file() and p.suffix in YAML_SUFFIXES for p in folder.iterdir()):
        return True
    deeper = (p for suffix in YAML_SUFFIXES for p in folder.glob(f"*/*/*{suffix}"))
    return next(deeper, None) is None


def _environment_folders(root: Path) -> dict[str, Path]:
    if _is_environment(root):
        return {root.resolve().name: root}
    return {child.name: child for child in sorted(root.iterdir()) if child.is_dir() and not child.name.startswith(".")}


def load_documents(text: str, shown_path: str) -> tuple[list[Any], list[Diagnostic]]:
    """Every non-empty document of a rendered file, read as kubectl, Argo CD and Flux read it.

    Uses the validator's libyaml loader (the cluster's YAML 1.1 scalars, duplicate keys refused):
    a diff should show what would be applied. Problems come back as located diagnostics.
    """
    store = _STORES[-1] if _STORES else None
    key = store.key(text) if store is not None else ""
    known = store.get(key) if store is not None else _PARSED.get(text)
    if known is not None:
        return (known if store is not None else pickle.loads(known)), []
    documents, diagnostics = [], []
    for item in iter_documents(text):
        if isinstance(item, Problem):
            location = Location(shown_path, item.line or 0, item.column or 0)
            message = item.message.removeprefix(f"{item.rule}: ").split(" — ")[0]
            diagnostics.append(Diagnostic(item.rule, message, item.hint, location))
        else:
            documents.append(item.data)
    if not diagnostics and store is not None:
        store.put(key, documents)
    elif not diagnostics:
        _PARSED[text] = pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL)
    return documents, diagnostics


# A text's documents, by the text: the two sides of a diff are mostly the same files (one service
# changed: all but a few), so each text is parsed once per process. Kept pickled and unpickled per
# use, so one side's later changes to its documents cannot reach the other's; only texts without
# problems (a problem names the file it was found in).
_PARSED: dict[str, bytes] = {}
_STORES: list[ParsedTexts] = []


@contextmanager
def parsing_through(store: ParsedTexts | None) -> Iterator[None]:
    """Within the block, texts are parsed through `store` (kept across runs, source/unit_cache.py),
    saved when the block ends without an error; None: the in-process memo above only."""
    if store is None:
        yield
        return
    _STORES.append(store)
    try:
        yield
    finally:
        _STORES.remove(store)
    store.save()


def tree_from_texts(
    texts: Mapping[str, Mapping[str, str]],
    label: str = "",
    prefixes: Mapping[str, str] | None = None,
) -> Tree:
    """Parse {environment: {path inside the environment: YAML text}} into a Tree.

    `prefixes` maps an environment to the folder shown before its paths in messages
    (default: the environment name).

    Raises InputError when a file is not valid YAML or two documents claim one identity:
    the diff of an ambiguous tree would be a guess.
    """
    tree = Tree(label=label)
    problems: list[Diagnostic] = []
    for environment in sorted(texts):
        resources: EnvironmentResources = {}
        for rel_path in sorted(texts[environment]):
            name = rel_path.rsplit("/", 1)[-1]
            if name in KUSTOMIZATION_FILES and "/" not in rel_path:
                continue
            shown = f"{(prefixes or {}).get(environment, environment)}/{rel_path}"
            documents, diagnostics = load_documents(texts[environment][rel_path], shown)
            problems.extend(diagnostics)
            if rel_path == IMAGES_FILE:
                tree.images[environment] = documents[0] if documents else None
                continue
            for document in documents:
                _add(resources, document, rel_path, shown, environment, tree.diagnostics, problems)
        tree.environments[environment] = resources
    if has_errors(problems):
        raise InputError(problems)
    return tree


def tree_from_rendered(rendered: Mapping[str, Any], label: str = "") -> Tree:
    """Build a Tree from a renderer's output (the `render_base` extension point).

    Accepted shapes per environment: a list of manifest bodies or `compiler.bundle.Manifest`s,
    or a mapping {file path: body}. `images.yaml` data may be given under the path `images.yaml`.
    """
    tree = Tree(label=label)
    problems: list[Diagnostic] = []
    for environment in sorted(rendered):
        resources: EnvironmentResources = {}
        for rel_path, body in _bodies(rendered[environment]):
            if rel_path == IMAGES_FILE:
                tree.images[environment] = body
                continue
            _add(resources, body, rel_path, f"{environment}/{rel_path}", environment, tree.diagnostics, problems)
        tree.environments[environment] = resources
    if has_errors(problems):
        raise InputError(problems)
    return tree


def _bodies(items: Any) -> Iterable[tuple[str, Any]]:
    if isinstance(items, Mapping):
        for path in sorted(items):
            yield path, _plain_body(items[path])
        return
    for item in items:
        body = _plain_body(item)
        yield _file_name(body), body


def _plain_body(item: Any) -> Any:
    # A compiler.bundle.Manifest carries its body; duck typing keeps this module free of that import.
    return getattr(item, "body", item)


def _file_name(body: Any) -> str:
    if not isinstance(body, Mapping):
        return ""
    identity = Resource.from_body(dict(body)).identity
    return f"{identity.namespace or '_cluster'}/{identity.kind.lower()}-{identity.name}.yaml"


def _add(
    resources: EnvironmentResources,
    body: Any,
    rel_path: str,
    shown: str,
    environment: str,
    skipped: list[Diagnostic],
    problems: list[Diagnostic],
) -> None:
    if not isinstance(body, Mapping) or not body.get("kind") or not (body.get("metadata") or {}).get("name"):
        skipped.append(
            Diagnostic(
                "DIFF-NOT-A-RESOURCE",
                "document has no kind or metadata.name; it is left out of the diff",
                "remove the file from the rendered tree, or give it kind and metadata.name",
                Location(shown),
                severity="warning",
                environment=environment,
            )
        )
        return
    resource = Resource.from_body(dict(body), rel_path)
    if resource.identity in resources:
        problems.append(_duplicate(resource.identity, resources[resource.identity].path, shown, environment))
        return
    resources[resource.identity] = resource


def _duplicate(identity: Identity, first: str, shown: str, environment: str) -> Diagnostic:
    return Diagnostic(
        "DIFF-DUPLICATE-RESOURCE",
        f"{identity.display} is defined twice (also in {first})",
        "keep one definition per group/kind/namespace/name; re-run `inferplane compile`",
        Location(shown),
        environment=environment,
    )
