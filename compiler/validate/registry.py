"""Where the schema of a kind comes from, compiled once per (apiVersion, kind).

Precedence: CRD files first (the cluster's own truth), then schema locations in the order given,
then the built-in kinds of the chosen Kubernetes version. A group can be pinned to CRD files of its
own (`pinned_crds`: the KServe release an environment runs): its kinds then come from those files
only, and a kind they do not define has no schema, however many other sources define it. Extensions are applied to whichever
schema was found, before it is compiled.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import crd
from .cache import DiskCache
from .core import CoreSchemas, LoadedSchema
from .crdsource import CrdSource, SchemaSourceError
from .engine import CompiledSchema, make_engine
from .extensions import SchemaExtension
from .formats import crd_dialect
from .listtypes import ListTypeChecker
from .locations import SchemaLocation

__all__ = ["SchemaRegistry", "KindSchema", "SchemaSourceError"]


@dataclass
class KindSchema:
    """Everything needed to check objects of one apiVersion/kind."""

    api_version: str
    kind: str
    source: str
    schema: dict
    compiled: CompiledSchema
    list_types: ListTypeChecker
    cel_schema: dict | None = None  # the raw openAPIV3Schema, when it has x-kubernetes-validations
    _cel: Any = field(default=None, repr=False)
    _cel_error: str | None = field(default=None, repr=False)

    def cel_validator(self) -> tuple[Any, str | None]:
        """(validator, None), or (None, why not): CEL is another module and may not be installed yet."""
        if self.cel_schema is None:
            return None, None
        if self._cel is None and self._cel_error is None:
            try:
                from .cel import CelValidator  # noqa: PLC0415 - optional, lands separately
            except ImportError:
                self._cel_error = "CEL support is not installed (compiler.validate.cel)"
            else:
                try:
                    self._cel = CelValidator.from_schema(self.cel_schema)
                except Exception as error:  # noqa: BLE001 - a rule we cannot compile is skipped, not fatal
                    self._cel_error = f"CEL rules could not be compiled: {error}"
        return self._cel, self._cel_error


def _split(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


class SchemaRegistry:
    def __init__(
        self,
        kubernetes_version: str = "1.33",
        crd_paths: Iterable[Path] = (),
        schema_locations: Iterable[str] = (),
        cache_dir: Path | None = None,
        extensions: Iterable[SchemaExtension] = (),
        engine: str = "auto",
        pinned_crds: Iterable[tuple[str, tuple[Path, ...]]] = (),
    ):
        self.kubernetes_version = kubernetes_version
        self.crd_paths = tuple(Path(p) for p in crd_paths)
        self.schema_locations = tuple(schema_locations)
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self.extensions = tuple(extensions)
        self.engine_name = engine
        self.pinned_crds = tuple((group, tuple(Path(p) for p in paths)) for group, paths in pinned_crds)
        self._setup()

    def _setup(self) -> None:
        self._cache = DiskCache(self.cache_dir) if self.cache_dir else None
        self._core = CoreSchemas(self.kubernetes_version)
        self._crds = CrdSource(self.crd_paths, self._cache)
        self._pinned = {group: CrdSource(paths, self._cache) for group, paths in self.pinned_crds}
        self._locations = [SchemaLocation.parse(location) for location in self.schema_locations]
        self._engine = make_engine(self.engine_name)
        self._crd_formats = crd_dialect(self.kubernetes_version)
        self._kinds: dict[tuple[str, str], KindSchema | None] = {}
        self._why_missing: dict[tuple[str, str], str] = {}

    # Worker processes get the registry by pickling on platforms without fork: send the settings,
    # rebuild the (unpicklable) compiled validators lazily on the other side.
    def __getstate__(self) -> dict:
        keys = ("kubernetes_version", "crd_paths", "schema_locations", "cache_dir", "extensions", "engine_name", "pinned_crds")
        return {key: getattr(self, key) for key in keys}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._setup()

    @property
    def engine(self) -> str:
        return self._engine.name

    @property
    def core_version(self) -> str:
        return self._core.version

    # ------------------------------------------------------------ lookups

    def lookup(self, api_version: str, kind: str) -> KindSchema | None:
        key = (api_version, kind)
        if key not in self._kinds:
            self._kinds[key] = self._compile(api_version, kind)
        return self._kinds[key]

    def is_pinned(self, api_version: str) -> bool:
        """Whether the group's kinds come only from its own CRD files (a kind missing there does not exist)."""
        return _split(api_version)[0] in self._pinned

    def missing_reason(self, api_version: str, kind: str) -> str:
        return self._why_missing.get((api_version, kind), f"no schema for {kind} ({api_version})")

    def load_schema(self, api_version: str, kind: str) -> tuple[LoadedSchema, dict | None] | None:
        """The JSON schema for a kind before compiling, and the raw CRD schema when it came from a CRD."""
        group, version = _split(api_version)
        not_served = None
        crds = self._pinned.get(group, self._crds)
        if group and crds.files:
            definition = crds.find(group, kind)
            if definition is not None:
                entry = definition.versions.get(version)
                if entry is not None and entry.served:
                    schema = crd.root_schema(entry.openapi, group, version, kind)
                    return LoadedSchema(schema, {}, f"CRD {definition.source}", self._crd_formats), entry.openapi
                served = ", ".join(definition.served_versions) or "none"
                not_served = f"the CRD in {definition.source} does not serve {version} (served: {served})"
        if group in self._pinned:
            where = ", ".join(str(path) for path in dict(self.pinned_crds)[group])
            self._why_missing[(api_version, kind)] = f"no schema for {kind} ({api_version}): " + (not_served or f"the CRDs of this group ({where}) do not define it")
            return None
        for location in self._locations:
            found = location.read(api_version, kind, self.kubernetes_version, self._cache)
            if found is not None:
                where, content = found
                try:
                    schema = json.loads(content)
                except ValueError as error:
                    raise SchemaSourceError(f"{where}: not a JSON schema: {error}") from error
                return LoadedSchema(crd.harden(schema), {}, where, self._crd_formats), None
        loaded = self._core.load(api_version, kind)
        if loaded is not None:
            return loaded, None
        self._why_missing[(api_version, kind)] = self._describe_missing(api_version, kind, not_served)
        return None

    def _describe_missing(self, api_version: str, kind: str, not_served: str | None) -> str:
        if not_served:
            return f"no schema for {kind} ({api_version}): {not_served}"
        remote = [loc.template for loc in self._locations if loc.remote]
        hint = " (URL locations are read from the cache only: run `inferplane schemas pull`)" if remote else ""
        searched = ["CRD files" if self.crd_paths else "", "schema locations" if self._locations else "", f"Kubernetes {self.core_version} built-ins"]
        return f"no schema for {kind} ({api_version}) in {', '.join(s for s in searched if s)}{hint}"

    def _compile(self, api_version: str, kind: str) -> KindSchema | None:
        found = self.load_schema(api_version, kind)
        if found is None:
            return None
        loaded, openapi = found
        schema = loaded.schema
        for extension in self.extensions:
            if extension.matches(api_version, kind):
                schema = extension.apply(schema)
        schema, formats = loaded.dialect.prepare(schema)
        if loaded.documents:  # $refs may reach any format of the dialect (the built-in kinds' definitions hold both)
            formats = dict(loaded.dialect.checkers)
        return KindSchema(
            api_version=api_version,
            kind=kind,
            source=loaded.source,
            schema=schema,
            compiled=self._engine.compile(schema, loaded.documents, formats),
            list_types=ListTypeChecker(schema, loaded.documents),
            cel_schema=openapi if openapi is not None and crd.has_cel_rules(openapi) else None,
        )

    def crd_definitions(self):
        """Every CRD of every CRD file (parses them all)."""
        return self._crds.all()
