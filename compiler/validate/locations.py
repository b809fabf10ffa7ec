"""kubeconform-style `--schema-location` templates: folders read from disk, URLs read from the cache.

The variables mean what kubeconform's registry.schemaPath gives them (pkg/registry/registry.go):
- {{.ResourceKind}}: the kind, lower-cased;
- {{.ResourceAPIVersion}}: the version part of apiVersion (`v1beta1`);
- {{.Group}}: the part of apiVersion before '/'; for the core group ("v1") that is "v1" itself;
- {{.KindSuffix}}: "-<first label of group>-<version>", or "-<version>" for the core group;
- {{.StrictSuffix}}: "-strict" (we always validate strictly);
- {{.NormalizedKubernetesVersion}}: "v" + the version, or "master".
`default` stands for kubeconform's default location, and a location that does not end in "json" gets
the kubernetes-json-schema layout appended, as kubeconform does. One deliberate difference: a
two-part version ("1.33") is padded to "v1.33.0", the folder name every schema repository uses.

URL locations are never fetched while validating: `pull_schemas` (the `schemas pull` command)
downloads what a set of manifests needs into the cache, and validation reads only the cache.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from .cache import DiskCache

DEFAULT_LOCATION = (
    "https://raw.githubusercontent.com/yannh/kubernetes-json-schema/master/"
    "{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
_KUBERNETES_JSON_SCHEMA_LAYOUT = "/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
_VARIABLE = re.compile(r"\{\{\s*\.(\w+)\s*\}\}")
_ANY_ACTION = re.compile(r"\{\{.*?\}\}")
VARIABLES = ("Group", "ResourceKind", "ResourceAPIVersion", "NormalizedKubernetesVersion", "StrictSuffix", "KindSuffix")


def normalize_location(location: str) -> str:
    if location == "default":
        return DEFAULT_LOCATION
    if not location.endswith("json"):
        return location.rstrip("/") + _KUBERNETES_JSON_SCHEMA_LAYOUT
    return location


def normalized_kubernetes_version(version: str) -> str:
    if version == "master":
        return version
    version = version[1:] if version.startswith("v") else version
    if re.fullmatch(r"\d+\.\d+", version):
        version += ".0"
    return "v" + version


def template_values(api_version: str, kind: str, kubernetes_version: str, strict: bool = True) -> dict[str, str]:
    group_parts = api_version.split("/")
    kind_suffix = "-" + group_parts[0].split(".")[0].lower()
    if len(group_parts) > 1:
        kind_suffix += "-" + group_parts[1].lower()
    return {
        "NormalizedKubernetesVersion": normalized_kubernetes_version(kubernetes_version),
        "StrictSuffix": "-strict" if strict else "",
        "ResourceKind": kind.lower(),
        "ResourceAPIVersion": group_parts[-1],
        "Group": group_parts[0],
        "KindSuffix": kind_suffix,
    }


def expand(template: str, api_version: str, kind: str, kubernetes_version: str, strict: bool = True) -> str:
    values = template_values(api_version, kind, kubernetes_version, strict)

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise ValueError(f"schema location {template!r}: unknown variable .{name}; known: {', '.join(VARIABLES)}")
        return values[name]

    expanded = _VARIABLE.sub(substitute, template)
    leftover = _ANY_ACTION.search(expanded)
    if leftover:
        raise ValueError(f"schema location {template!r}: unsupported template action {leftover.group(0)}; only {{{{ .Variable }}}} is supported")
    return expanded


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


@dataclass(frozen=True)
class SchemaLocation:
    template: str

    @classmethod
    def parse(cls, location: str) -> "SchemaLocation":
        template = normalize_location(location)
        expand(template, "apps/v1", "Deployment", "master")  # fail now, not at the first resource
        return cls(template)

    @property
    def remote(self) -> bool:
        return is_url(self.template)

    def read(self, api_version: str, kind: str, kubernetes_version: str, cache: DiskCache | None) -> tuple[str, bytes] | None:
        """(where, content) of the schema for this kind, or None when this location has none."""
        target = expand(self.template, api_version, kind, kubernetes_version)
        if self.remote:
            content = cache.read_schema(target) if cache else None
            return (target, content) if content is not None else None
        path = Path(target)
        return (target, path.read_bytes()) if path.is_file() else None


# ---------------------------------------------------------------- pulling (the only network access)

Fetch = Callable[[str], bytes | None]  # body, or None for "not found"; raises on other failures


def urllib_fetch(url: str, timeout: float = 30.0) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - the user's own location
            return response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


@dataclass
class PullReport:
    fetched: list[tuple[str, str]] = field(default_factory=list)  # (url, sha256)
    cached: list[str] = field(default_factory=list)
    not_found: list[tuple[str, str]] = field(default_factory=list)  # (apiVersion, kind) found nowhere
    failed: list[tuple[str, str]] = field(default_factory=list)  # (url, error)

    @property
    def ok(self) -> bool:
        return not self.failed


def pull_schemas(
    locations: Iterable[str],
    resources: Iterable[tuple[str, str]],
    cache_dir: Path,
    kubernetes_version: str = "master",
    fetch: Fetch = urllib_fetch,
) -> PullReport:
    """Download the schema of each (apiVersion, kind) from the first location that has it.

    Local folder locations are consulted too (a kind found there needs no download), in the order
    given, as validation will consult them.
    """
    cache = DiskCache(cache_dir)
    parsed = [SchemaLocation.parse(location) for location in locations]
    report = PullReport()
    for api_version, kind in sorted(set(resources)):
        failed_here = False
        for location in parsed:
            target = expand(location.template, api_version, kind, kubernetes_version)
            if not location.remote:
                if Path(target).is_file():
                    break
                continue
            if cache.has_schema(target) and cache.read_schema(target) is not None:
                report.cached.append(target)
                break
            try:
                body = fetch(target)
            except Exception as error:  # noqa: BLE001 - any transport failure is reported, not raised
                report.failed.append((target, str(error)))
                failed_here = True
                continue
            if body is None:
                continue
            try:
                json.loads(body)
            except ValueError as error:
                report.failed.append((target, f"not JSON: {error}"))
                failed_here = True
                continue
            report.fetched.append((target, cache.store_schema(target, body)))
            break
        else:
            if not failed_here:
                report.not_found.append((api_version, kind))
    return report


def pull_crd_files(urls: Iterable[str], cache_dir: Path, fetch: Fetch = urllib_fetch) -> PullReport:
    """Download CRD files (an environment's validation.kserveCrds URLs) into the cache, where
    compile reads them as CRD sources. Each must hold a CustomResourceDefinition."""
    cache = DiskCache(cache_dir)
    report = PullReport()
    for url in sorted(set(urls)):
        if cache.read_schema(url) is not None:
            report.cached.append(url)
            continue
        try:
            body = fetch(url)
        except Exception as error:  # noqa: BLE001 - any transport failure is reported, not raised
            report.failed.append((url, str(error)))
            continue
        if body is None:
            report.failed.append((url, "not found"))
        elif b"CustomResourceDefinition" not in body:
            report.failed.append((url, "not a CustomResourceDefinition"))
        else:
            report.fetched.append((url, cache.store_schema(url, body)))
    return report
