"""Validate stage of compile: rendered manifests against upstream schemas before anything is written.

Fail closed: a manifest the API server would reject or silently prune is an error that names the
service-spec field which produced it. The schema machinery lives in `compiler.validate`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import Diagnostic, Location
from ..source.load import display_path
from ..spec.models import Environment
from . import SchemaExtension, SchemaRegistry, ValidationInput, validate_objects
from .asm import ASM_EXTENSIONS
from .cache import DiskCache
from .locations import is_url

if TYPE_CHECKING:  # `validate` runs without the emit stage (its import is 45 ms)
    from ..emit.manifest import Manifest


class SchemaOptions(Protocol):
    """What the command line adds to an environment's own schema sources (the pipeline's
    CompileOptions is one): declared here so this stage never imports the runner that calls it."""

    crd_paths: tuple[Path, ...]
    strict: bool  # a custom resource with no schema is an error, not a notice


class SchemaRegistryCache:
    """One registry per set of schema sources: environments that share them share the cache."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._registries: dict[tuple, SchemaRegistry] = {}
        self._cache_dir = cache_dir  # parsed CRDs by content hash: a cold compile skips re-parsing

    @property
    def cache_dir(self) -> Path | None:
        return self._cache_dir

    def get(self, kubernetes_version: str, crd_paths: tuple[Path, ...], schema_locations: tuple[str, ...], extensions: tuple[SchemaExtension, ...] = (), pinned_crds: tuple[tuple[str, tuple[Path, ...]], ...] = ()) -> SchemaRegistry:
        # Extensions hold dicts (unhashable): the key names them.
        key = (kubernetes_version, crd_paths, schema_locations, tuple(extension.name for extension in extensions), pinned_crds)
        if key not in self._registries:
            self._registries[key] = SchemaRegistry(
                kubernetes_version=kubernetes_version,
                crd_paths=list(crd_paths),
                schema_locations=list(schema_locations),
                cache_dir=self._cache_dir,
                extensions=extensions,
                pinned_crds=pinned_crds,
            )
        return self._registries[key]


def mesh_extensions(env: Environment) -> tuple[SchemaExtension, ...]:
    """Vendor fields the environment's mesh accepts on upstream kinds: Alibaba ASM's dynamic
    subsets (validate/asm.py). Upstream Istio gets its schemas unchanged."""
    return ASM_EXTENSIONS if env.spec.mesh is not None and env.spec.mesh.provider == "asm" else ()


def schema_sources(env: Environment, env_dir: Path, options: SchemaOptions) -> tuple[tuple[Path, ...], list[Diagnostic]]:
    """CRD paths of the environment (relative to its file) and of --crd; missing ones are noticed."""
    paths: list[Path] = []
    notices: list[Diagnostic] = []
    for index, entry in enumerate(env.spec.validation.crds):
        path = (env_dir / entry).resolve()
        if path.exists():
            paths.append(path)
        else:
            notices.append(
                Diagnostic(
                    "VAL-SOURCE",
                    f"CRD source {entry!r} does not exist",
                    "custom resources of kinds it would define are not validated; fix the path or pass --crd",
                    Location(f"{display_path(env_dir / (env.metadata.name + '.yaml'))}"),
                    "warning",
                    ("spec", "validation", "crds", index),
                    env.metadata.name,
                )
            )
    paths.extend(path.resolve() for path in options.crd_paths)
    return tuple(dict.fromkeys(paths)), notices


KSERVE_GROUP = "serving.kserve.io"
KSERVE_VERSION_VARIABLE = "{{.KServeVersion}}"


def kserve_tag(env: Environment) -> str:
    """`{{.KServeVersion}}` of validation.kserveCrds: the release's tag, v0.15.2 for 0.15.2."""
    version = env.spec.versions.kserve
    return version if version.startswith("v") else f"v{version}"


def kserve_crd_targets(env: Environment) -> list[str]:
    """validation.kserveCrds with the environment's release filled in (paths stay relative)."""
    return [entry.replace(KSERVE_VERSION_VARIABLE, kserve_tag(env)) for entry in env.spec.validation.kserve_crds]


def kserve_crd_sources(env: Environment, env_dir: Path, cache_dir: Path | None) -> tuple[tuple[tuple[str, tuple[Path, ...]], ...], list[Diagnostic]]:
    """The CRD files of the environment's own KServe release (validation.kserveCrds): KServe's
    kinds are pinned to them, so a field or kind that release lacks fails validation even when
    another CRD source (a newer snapshot) has it. URLs come from the cache `schemas pull` fills."""
    paths: list[Path] = []
    notices: list[Diagnostic] = []
    cache = DiskCache(cache_dir) if cache_dir else None
    for index, target in enumerate(kserve_crd_targets(env)):
        if is_url(target):
            found = cache.schema_file(target) if cache else None
            why = f"KServe CRDs {target!r} are not in the cache: KServe's kinds are validated against the other CRD sources"
            fix = f"run `inferplane schemas pull --env {env.metadata.name}`"
        else:
            found = (env_dir / target).resolve()
            found = found if found.exists() else None
            why = f"KServe CRD source {target!r} does not exist: KServe's kinds are validated against the other CRD sources"
            fix = "fix the path to the CRDs of the environment's KServe release"
        if found is not None:
            paths.append(found)
            continue
        notices.append(Diagnostic("VAL-SOURCE", why, fix, Location(display_path(env_dir / (env.metadata.name + ".yaml"))), "warning", ("spec", "validation", "kserveCrds", index), env.metadata.name))
    if not env.spec.validation.kserve_crds or notices:
        return (), notices  # pin only to the complete set: a partial one would drop kinds
    return ((KSERVE_GROUP, tuple(paths)),), notices


def _resolve_location(location: str, env_dir: Path) -> str:
    """Folder templates are relative to the environment file, like its CRD paths; URLs stay."""
    if "://" in location or location == "default" or Path(location).is_absolute():
        return location
    return str((env_dir / location).resolve())


def environment_registry(env: Environment, env_dir: Path, options: SchemaOptions, cache: SchemaRegistryCache, extra_locations: tuple[str, ...] = (), kubernetes_version: str | None = None, extensions: tuple[SchemaExtension, ...] | None = None) -> tuple[SchemaRegistry, list[Diagnostic]]:
    """The registry an environment's validation settings describe (its Kubernetes version, CRDs,
    KServe release's CRDs, schema locations, mesh extensions), plus --crd and --schema-location;
    compile and `validate rendered/<env>` both use it, so they judge a tree alike."""
    crd_paths, diagnostics = schema_sources(env, env_dir, options)
    pinned, notices = kserve_crd_sources(env, env_dir, cache.cache_dir)
    diagnostics.extend(notices)
    locations = tuple(_resolve_location(location, env_dir) for location in env.spec.validation.schema_locations) + extra_locations
    chosen_extensions = mesh_extensions(env) if extensions is None else extensions
    return cache.get(kubernetes_version or env.spec.versions.kubernetes, crd_paths, locations, chosen_extensions, pinned), diagnostics


def validate_manifests(manifests: list[Manifest], env: Environment, env_dir: Path, options: SchemaOptions, cache: SchemaRegistryCache) -> list[Diagnostic]:
    env_name = env.metadata.name
    registry, diagnostics = environment_registry(env, env_dir, options, cache)
    inputs = [ValidationInput(body=m.body, file=f"rendered/{env_name}/{m.file_name}", document=0) for m in manifests]
    report = validate_objects(inputs, registry, ignore_missing_schemas=True)
    by_file = {f"rendered/{env_name}/{m.file_name}": m for m in manifests}
    for issue in report.issues:
        manifest = by_file[issue.file]
        location = manifest.origin_of(issue.pointer) or Location(issue.file)
        diagnostics.append(
            Diagnostic(
                "VAL-CEL" if issue.keyword == "x-kubernetes-validations" else "VAL-SCHEMA",
                f"{manifest.display_name}: {issue.pointer or '/'}: {issue.message}",
                "the API server would reject this object; fix the spec field that produced it (or the overlay patch)",
                location,
                environment=env_name,
            )
        )
    for api_version, kind in report.missing_schemas:
        if registry.is_pinned(api_version):
            # The environment's own KServe release has no such kind: the cluster would reject it.
            diagnostics.append(Diagnostic("VAL-NO-SCHEMA", f"{registry.missing_reason(api_version, kind)}: KServe {env.spec.versions.kserve} would reject it", "render nothing of this kind for this KServe release, or fix validation.kserveCrds", None, "error", environment=env_name))
            continue
        diagnostics.append(
            Diagnostic(
                "VAL-NO-SCHEMA",
                f"no schema for {kind} ({api_version}): not validated",
                "name its CRD in the environment's validation.crds or pass --crd PATH",
                None,
                "error" if options.strict else "warning",
                environment=env_name,
            )
        )
    return diagnostics


def one_missing_schema_notice(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The kinds no schema source could validate, as ONE notice for the run (how many, which, the
    environment's sources that do not exist, and how to get the schemas) instead of one per kind
    and environment: on a machine without the environments' CRD folders every custom kind is
    missing, and a wall of lines hides the fix. Errors (--strict, a kind the KServe release lacks)
    stay one per kind: each must be fixed."""
    missing = [d for d in diagnostics if d.rule == "VAL-NO-SCHEMA" and not d.is_error]
    if not missing:
        return diagnostics
    absent = [d for d in diagnostics if d.rule == "VAL-SOURCE" and not d.is_error]
    kinds = sorted({d.message.split(" (")[0].removeprefix("no schema for ") for d in missing})
    envs = sorted({name for d in missing + absent for name in (d.environment or "").split(",") if name})
    sources: dict[str, set[str]] = {}
    for d in absent:
        sources.setdefault(d.message.split("'")[1], set()).update((d.environment or "").split(","))
    message = f"{len(kinds)} kind{'s' if len(kinds) != 1 else ''} not validated, no schema found: {', '.join(kinds)}"
    if sources:
        message += "; schema sources that do not exist: " + ", ".join(f"{source!r} ({', '.join(sorted(names))})" for source, names in sorted(sources.items()))
    env = envs[0] if len(envs) == 1 else "ENV"
    notice = Diagnostic(
        "VAL-NO-SCHEMA",
        message,
        f"get the schemas with `inferplane schemas pull --env {env}` (URL sources), a folder named in the environment's spec.validation (crds, kserveCrds, schemaLocations), or --crd PATH",
        None,
        "warning",
        environment=",".join(envs) or None,
    )
    return sorted([d for d in diagnostics if d not in missing and d not in absent] + [notice], key=Diagnostic.sort_key)
