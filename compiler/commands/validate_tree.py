"""`inferplane validate`: which schemas judge which paths.

A folder of the project's rendered tree (`rendered/<env>/`, or `rendered/` as a whole: one group
per environment) is validated with its environment's own settings — Kubernetes version,
`spec.validation` (crds, kserveCrds for the KServe release, schemaLocations) and the mesh's schema
extensions — the same registry compile used, so a tree compile accepted validates here without
flags. The fleet's `rendered/_gitops/` (ApplicationSets over all environments; compile does not
validate it) takes the settings of the first environment by name. Anything else (a hand-written
folder, standard input) uses the command line's sources only; `--env ENV` applies an environment's
settings to every path.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, InputError, UsageError, unknown_names
from ..output import GITOPS_DIR
from ..source.load import load_environments
from ..source.resolve import Layer
from ..spec.check import check_model
from ..spec.models import Environment
from ..validate import SchemaExtension, SchemaRegistry, ValidationReport, validate_content, validate_paths
from ..validate.asm import ASM_EXTENSIONS
from ..validate.stage import SchemaRegistryCache, environment_registry

RENDERED = "rendered"
STDIN = Path("-")
STDIN_NAME = "<stdin>"


@dataclass(frozen=True)
class CommandLineSources:
    """What the command line names: used alone for paths outside a rendered tree, added to an
    environment's own sources inside one."""

    kubernetes_version: str | None
    crd_paths: tuple[Path, ...]
    locations: tuple[str, ...]
    cache_dir: Path
    mesh: str | None
    strict: bool = False  # the SchemaOptions protocol of validate/stage.py


@dataclass
class Group:
    """Paths judged by one registry: an environment's (root, name) or the command line's (None)."""

    environment: tuple[Path, str] | None
    paths: list[Path] = field(default_factory=list)


def _rendered_root(path: Path) -> tuple[Path, list[str]] | None:
    """(project root, parts below rendered/) when `path` is inside a project's rendered tree."""
    resolved = path.resolve()
    for ancestor in [resolved, *resolved.parents]:
        if ancestor.name == RENDERED and (ancestor.parent / "environments").is_dir():
            return ancestor.parent, list(resolved.relative_to(ancestor).parts)
    return None


def _environment_names(root: Path) -> set[str]:
    folder = root / "environments"
    return {p.stem for p in folder.iterdir() if p.suffix in (".yaml", ".yml")} if folder.is_dir() else set()


def group_paths(paths: tuple[Path, ...], project: Path, env_name: str | None) -> list[Group]:
    """Each path with the environment whose settings validate it, in the order given."""
    groups: dict[tuple[Path, str] | None, Group] = {}

    def add(key: tuple[Path, str] | None, path: Path) -> None:
        groups.setdefault(key, Group(key)).paths.append(path)

    for path in paths:
        if env_name is not None:
            add((project.resolve(), env_name), path)
            continue
        found = None if path == STDIN else _rendered_root(path)
        if found is None:
            add(None, path)
            continue
        root, parts = found
        known = _environment_names(root)
        if parts:
            add(_owner(root, parts[0], known), path)
        elif path.is_dir():
            # rendered/ itself: each environment's folder with its own settings.
            for child in sorted(path.iterdir()):
                add(_owner(root, child.name, known) if child.is_dir() else None, child)
        else:
            add(None, path)
    return list(groups.values())


def _owner(root: Path, folder: str, known: set[str]) -> tuple[Path, str] | None:
    """The environment whose settings judge rendered/<folder>/."""
    if folder in known:
        return root, folder
    if folder == GITOPS_DIR and known:
        return root, sorted(known)[0]
    return None


def load_environment(root: Path, name: str) -> tuple[Environment, Path]:
    """The checked Environment `name` of the project at `root` and its file's folder."""
    sources = load_environments(root)
    if name not in sources.environments:
        env_errors = [d for d in sources.diagnostics if d.location and "environments/" in d.location.path]
        if env_errors:
            raise InputError(env_errors)
        raise unknown_names("environment", [name], sources.environments)
    doc = sources.environments[name]
    env, errors = check_model(Layer(doc.data, doc.positions, doc.path), Environment, "Environment")
    if env is None:
        raise InputError(errors)
    return env, Path(doc.path).parent


def _extensions(mesh: str | None) -> tuple[SchemaExtension, ...]:
    return ASM_EXTENSIONS if mesh == "asm" else ()


@dataclass
class Validation:
    report: ValidationReport
    notices: list[Diagnostic]  # sources an environment names that are missing (warnings)
    registries: list[SchemaRegistry]  # for kubeconform's second opinion


def validate(paths: tuple[Path, ...], project: Path, env_name: str | None, sources: CommandLineSources, ignore_missing_schemas: bool) -> Validation:
    cache = SchemaRegistryCache(sources.cache_dir)
    report = ValidationReport()
    notices: list[Diagnostic] = []
    registries: list[SchemaRegistry] = []
    for group in group_paths(paths, project, env_name):
        if group.environment is None:
            registry = cache.get(sources.kubernetes_version or "1.33", sources.crd_paths, sources.locations, _extensions(sources.mesh))
        else:
            env, env_dir = load_environment(*group.environment)
            explicit_mesh = _extensions(sources.mesh) if sources.mesh else None
            registry, found = environment_registry(env, env_dir, sources, cache, sources.locations, sources.kubernetes_version, explicit_mesh)
            notices.extend(found)
        registries.append(registry)
        files = [p for p in group.paths if p != STDIN]
        if files:
            report = report.merged(validate_paths(files, registry, ignore_missing_schemas=ignore_missing_schemas))
        if STDIN in group.paths:
            report = report.merged(validate_content(sys.stdin.buffer.read(), STDIN_NAME, registry, ignore_missing_schemas=ignore_missing_schemas))
    return Validation(report, sorted(set(notices), key=Diagnostic.sort_key), registries)


def check_stdin_once(paths: tuple[Path, ...]) -> None:
    if paths.count(STDIN) > 1:
        raise UsageError("'-' (standard input) can be read once: give it at most once")



def opinion_lines(opinion) -> list[str]:
    """kubeconform's second opinion: each disagreement, then the tally."""
    lines = [f"{d.file}: {d.kind} {d.name}: inferplane says {d.ours}, kubeconform says {d.theirs}: {d.their_message or '; '.join(d.our_messages)}" for d in opinion.disagreements]
    return lines + [f"kubeconform: {opinion.agreed} agreed, {len(opinion.disagreements)} disagreed, {opinion.no_opinion} without an opinion"]
