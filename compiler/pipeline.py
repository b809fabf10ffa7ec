"""The compile pipeline: load → resolve → check → lower → emit → validate → render.

A small runner over the stage modules. It returns results as data; the CLI decides what to
print and write. Nothing here touches the rendered tree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .emit.manifest import Manifest, duplicates
from .emit.provenance import Provenance, environment_provenance
from .plan.budget import BudgetLine, budget_diagnostics, gpu_budget
from .spec.check import check_model
from .emit import emit_all
from .emit import companions as companion_objects
from .source.companions import companion_folders, companions_of
from .emit.gitops import with_repository_path
from .emit.gitops_fleet import shared_objects
from .output.layout import fleet_tree, split_tree
from .errors import Diagnostic, Location, UsageError, has_errors, sorted_unique, unknown_names
from .source.parse_cache import ParseCache, reading_through
from .source.git_trees import worktree_ids
from .source.unit_cache import BudgetCache, RenderedText, UnitCache
from .source.load import YAML_SUFFIXES, ProjectSources, display_path, load_project
from .source.repository import repository_prefix
from .plan.service import ServicePlan
from .plan.versions import lower_service_plans
from .output.patch import apply_patches
from .output.safety import unsafe_identities
from .source.resolve import Layer, resolve_service
from .rules import RuleContext, run_rules
from .rules.manifests import check_manifests
from .rules.versions import check_versions
from .spec.models import Environment, ModelService
from .validate.stage import SchemaRegistryCache, one_missing_schema_notice, validate_manifests
from .output.write import render_tree


CACHE_DIR = ".inferplane-cache"


@dataclass(frozen=True)
class CompileOptions:
    crd_paths: tuple[Path, ...] = ()
    strict: bool = False  # a custom resource with no schema is an error, not a notice
    cache_dir: Path | None = None  # where parsed schemas are cached (default: <project>/.inferplane-cache)
    cache: bool = True  # parsed spec files by content (source/parse_cache.py); compile --no-cache: False
    # How the environments are compiled: compile_environment over each name, in order (the
    # compile command passes commands/parallel.py's, which uses worker processes). None: here.
    run_environments: Callable[..., list[EnvironmentResult]] | None = None


@dataclass
class EnvironmentResult:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)
    manifests: list[Manifest] = field(default_factory=list)
    plans: list[ServicePlan] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    environment: Environment | None = None
    gpu_budget: list[BudgetLine] = field(default_factory=list)
    # identity (and service name) → where each field came from (emit/provenance.py), for review comments
    provenance: dict[tuple | str, Provenance] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


@dataclass
class CompileResult:
    root: Path
    environments: list[EnvironmentResult]
    diagnostics: list[Diagnostic]  # every diagnostic of the run, sorted and de-duplicated
    fleet_files: dict[str, bytes] = field(default_factory=dict)  # rendered/_gitops/ (ApplicationSet)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)


def _source_name(sources: ProjectSources, service: str) -> str:
    """The service file relative to the project root, as rendered headers name it."""
    doc_path = Path(sources.services[service].path)
    try:
        return doc_path.resolve().relative_to(sources.root.resolve()).as_posix()
    except ValueError:
        return doc_path.name


def _plan_services(sources: ProjectSources, env_name: str, env: Environment, units: UnitCache | None = None) -> tuple[list[ServicePlan], list[Diagnostic]]:
    env_doc = sources.environments[env_name]
    env_layer = Layer(env_doc.data, env_doc.positions, env_doc.path)
    defaults = Layer.of(env_doc, ("spec", "defaults"))
    plans: list[ServicePlan] = []
    diagnostics: list[Diagnostic] = []
    for name in sorted(sources.services):
        overlay = sources.overlays.get((env_name, name))
        key = units.key(env_name, env_doc, sources.services[name], overlay) if units is not None else None
        cached = units.lookup(key) if units is not None else None
        if cached is None:
            cached = _plan_service(sources, name, env_name, env, env_layer, defaults, overlay)
            if units is not None:
                units.remember(key, cached)
        diagnostics.extend(cached[0])
        plans.extend(cached[1])
    return plans, diagnostics


def _plan_service(sources: ProjectSources, name: str, env_name: str, env: Environment, env_layer: Layer, defaults: Layer, overlay) -> tuple[list[Diagnostic], list[ServicePlan]]:
    """One service's diagnostics and plans in one environment: a function of the documents
    source/unit_cache.py keys it on, and of nothing else."""
    layer = resolve_service(sources.services[name], defaults, overlay)
    service, errors = check_model(layer, ModelService, "ModelService")
    diagnostics = _in_env(_once_per_mistake(errors), env_name)
    if service is None or not service.runs_in(env_name):
        return diagnostics, []  # invalid, or spec.environments leaves this environment out
    findings = list(run_rules(RuleContext(service, env, layer, env_name, env_layer=env_layer)))
    diagnostics.extend(findings)
    if has_errors(findings):
        return diagnostics, []
    return diagnostics, lower_service_plans(service, env, layer, _source_name(sources, name))


def _shared_key_path(key_path: tuple) -> tuple:
    """spec.versions[i].predictor.<rest> as the spec.predictor.<rest> it may have inherited."""
    if key_path[:2] == ("spec", "versions") and len(key_path) > 3 and key_path[3] == "predictor":
        return ("spec", "predictor") + key_path[4:]
    return key_path


def _once_per_mistake(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """A version's predictor is spec.predictor with the version's changes merged on
    (source.resolve.expand_versions), so a mistake in the shared predictor is checked again in every
    version that inherits it, at the same file position, with the version in its message. Each is
    the same mistake: keep one, spec.predictor's. A version's own key has its own position: kept."""
    kept: dict[tuple, Diagnostic] = {}
    for diag in diagnostics:
        key = (diag.rule, diag.severity, diag.location, _shared_key_path(diag.key_path))
        first = kept.setdefault(key, diag)
        if first is not diag and _shared_key_path(diag.key_path) == diag.key_path:
            kept[key] = diag  # spec.predictor's own words, whatever order the check found them in
    return list(kept.values())


def _in_env(diagnostics: list[Diagnostic], env_name: str) -> list[Diagnostic]:
    return [Diagnostic(d.rule, d.message, d.hint, d.location, d.severity, d.key_path, env_name) for d in diagnostics]


def _duplicate_diagnostics(manifests: list[Manifest], env_name: str) -> list[Diagnostic]:
    found = []
    for first, second in duplicates(manifests):
        location = second.origin_of("") or Location(f"environments/{env_name}.yaml")
        found.append(
            Diagnostic(
                "OUT-DUPLICATE",
                f"{second.display_name} (from {second.service or 'the environment'}) clashes with {first.display_name} (from {first.service or 'the environment'})",
                "rename one of the services: two objects may not share a kind, namespace and name",
                location,
                environment=env_name,
            )
        )
    return found


def compile_environment(sources: ProjectSources, env_name: str, options: CompileOptions, schemas: SchemaRegistryCache, units: UnitCache | None = None, texts: RenderedText | None = None) -> EnvironmentResult:
    result = EnvironmentResult(env_name)
    env_doc = sources.environments[env_name]
    env_layer = Layer(env_doc.data, env_doc.positions, env_doc.path)
    env, errors = check_model(env_layer, Environment, "Environment")
    result.diagnostics.extend(_in_env(errors, env_name))
    if env is None:
        return result
    env = with_repository_path(env, repository_prefix(sources.root))
    result.environment = env
    versions = check_versions(env, env_layer, env_name)
    result.diagnostics.extend(versions)
    if has_errors(versions):
        return result  # what to render depends on the releases: nothing more can be decided
    plans, diagnostics = _plan_services(sources, env_name, env, units)
    result.diagnostics.extend(diagnostics)
    result.plans = plans
    result.gpu_budget = gpu_budget(plans, env)
    result.diagnostics.extend(budget_diagnostics(result.gpu_budget, env_layer))
    rendered_services = {plan.service or plan.name for plan in plans}
    companions = companion_objects.emit(companions_of(sources.companions, env_name, rendered_services), env)
    manifests = emit_all(plans, env, companions)
    manifests, patch_diagnostics = apply_patches(manifests, sources.patch_files.get(env_name, []))
    result.diagnostics.extend(_in_env(patch_diagnostics, env_name))
    result.diagnostics.extend(_in_env(unsafe_identities(manifests), env_name))
    result.diagnostics.extend(_duplicate_diagnostics(manifests, env_name))
    failed = frozenset(name for name, doc in sources.services.items() if any(d.is_error and d.location and d.location.path == doc.path for d in result.diagnostics))
    result.diagnostics.extend(check_manifests(manifests, env, env_layer, env_name, failed))
    # Validate what could be rendered even when other parts failed: every error in one run.
    env_dir = Path(env_doc.path).parent
    result.diagnostics.extend(validate_manifests(manifests, env, env_dir, options, schemas))
    result.manifests = manifests
    result.provenance = environment_provenance(manifests, plans, env_layer, str(sources.root))
    if result.ok:
        # Objects name their service (routes) or their InferenceService (the rest): both map to the file.
        service_files = {key: plan.source for plan in plans for key in (plan.service, plan.name) if key}
        service_files.update({m.service: m.service for m in companions if m.service})  # headed by their own file
        synced, extra = split_tree(env_name, manifests, env, service_files)
        result.files = render_tree(env_name, synced, service_files, extra, texts.dump) if texts is not None else render_tree(env_name, synced, service_files, extra)
    return result


def _entries_that_are_not_files(root: Path) -> list[Diagnostic]:
    """Entries named like input files that load_project passes over because they are not regular
    files: a folder called iris.yaml, a symbolic link to nothing, a FIFO. Passed over in silence, a
    service would vanish from the rendered tree; each is one error at its path instead."""
    folders = [(root / "services", YAML_SUFFIXES), (root / "environments", YAML_SUFFIXES)]
    overlays = root / "overlays"
    for env_dir in sorted(p for p in overlays.iterdir() if p.is_dir()) if overlays.is_dir() else []:
        folders += [(env_dir, YAML_SUFFIXES), (env_dir / "patches", YAML_SUFFIXES + (".json",))]
    folders += [(folder, YAML_SUFFIXES) for folder in companion_folders(root)]
    found = []
    for folder, suffixes in folders:
        for path in sorted(folder.iterdir()) if folder.is_dir() else []:
            if path.suffix not in suffixes or path.is_file():
                continue
            if path.is_symlink() and not path.exists():
                what, fix = f"a symbolic link to {os.readlink(path)}, which does not exist", "point the link at the file or remove it"
            elif path.is_dir():
                what, fix = "a folder, not a file", f"files ending {path.suffix} in {folder.name}/ are read as inputs: rename the folder or move it out"
            else:
                what, fix = "not a regular file", "replace it with the YAML file"
            found.append(Diagnostic("IO-READ", what, fix, Location(display_path(path))))
    return found


def plan_budgets(root: Path, env_names: list[str] | None) -> dict[str, list[BudgetLine]]:
    """Each valid environment's GPU budget, from the specs alone (no emit, no validation): what a
    review compares with when the base side is a committed rendered tree, which holds no budget."""
    sources = load_project(root)
    budgets = {}
    for name in sorted(sources.environments) if env_names is None else env_names:
        if name not in sources.environments:
            continue
        env_doc = sources.environments[name]
        env, _ = check_model(Layer(env_doc.data, env_doc.positions, env_doc.path), Environment, "Environment")
        if env is not None:
            budgets[name] = gpu_budget(_plan_services(sources, name, env)[0], env)
    return budgets


def compile_project(root: Path, env_names: list[str] | None, options: CompileOptions) -> CompileResult:
    """Compile the named environments (None: all). Raises UsageError for an unknown one."""
    parsed = ParseCache(options.cache_dir or root / CACHE_DIR) if options.cache else None
    trees = worktree_ids(root) if options.cache else None  # before reading: what a budget is recorded under
    with reading_through(parsed):
        sources = load_project(root)
    not_files = _entries_that_are_not_files(root)
    sources.diagnostics.extend(not_files)
    if sources.refused or not_files:
        # Any later finding could come from what a refused file held: report the loading errors,
        # nothing derived from its absence.
        return CompileResult(root, [], sorted_unique(sources.diagnostics))
    if not sources.environments and not any(d.is_error for d in sources.diagnostics):
        raise UsageError(f"no environments found in {display_path(root / 'environments')}: is {display_path(root)} an Inferplane project?")
    names = sorted(sources.environments) if env_names is None else env_names
    unknown = [name for name in names if name not in sources.environments]
    if unknown:
        raise unknown_names("environment", unknown, sources.environments)
    schemas = SchemaRegistryCache(options.cache_dir or root / CACHE_DIR)
    units = UnitCache(options.cache_dir or root / CACHE_DIR, parsed, root, repository_prefix(root)) if parsed is not None else None
    texts = RenderedText(options.cache_dir or root / CACHE_DIR) if parsed is not None else None
    if options.run_environments is not None:
        results = options.run_environments(sources, names, options, schemas, units, texts)
    else:
        results = [compile_environment(sources, name, options, schemas, units, texts) for name in names]
    fleet_files, fleet_diagnostics = fleet_tree(sources)
    shared = shared_objects([(r.environment, r.manifests) for r in results if r.environment is not None])
    fleet_diagnostics += [replace(d, location=sources.environments[d.environment].locate(d.key_path)) for d in shared if d.environment]
    everything = list(sources.diagnostics) + [d for r in results for d in r.diagnostics] + fleet_diagnostics
    result = CompileResult(root, results, one_missing_schema_notice(sorted_unique(everything)), fleet_files)
    if parsed is not None and result.ok:
        parsed.save()  # a run with errors writes nothing, not even its cache
    if units is not None and texts is not None and result.ok:
        units.save()
        texts.save()
        _record_budgets(root, env_names, options, trees, results)
    return result


def _record_budgets(root: Path, env_names: list[str] | None, options: CompileOptions, trees, results: list[EnvironmentResult]) -> None:
    """This run's GPU budgets under git's ids of its inputs (BudgetCache), unless an input changed
    while it ran (the ids after the run differ: the budgets may be of either version)."""
    if trees is None or worktree_ids(root) != trees:
        return
    budgets = BudgetCache(options.cache_dir or root / CACHE_DIR)
    budgets.put(budgets.key(trees, env_names), {r.name: r.gpu_budget for r in results if r.environment is not None})
    budgets.save()
