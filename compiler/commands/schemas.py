"""`inferplane schemas pull --env ENV`: what an environment's validation settings fetch."""

from __future__ import annotations

from pathlib import Path

from ..pipeline import EnvironmentResult
from ..validate import PullReport, pull_schemas
from ..validate.locations import is_url, pull_crd_files
from ..validate.stage import kserve_crd_targets


def pull_environment(env: EnvironmentResult, cache_dir: Path) -> PullReport:
    """The schemas of the kinds the environment renders, from its URL schema locations, and the
    tagged CRDs of its KServe release (validation.kserveCrds URLs), into the cache."""
    kinds = sorted({(m.api_version, m.kind) for m in env.manifests})
    spec = env.environment.spec
    pulled = pull_schemas(spec.validation.schema_locations, kinds, cache_dir, kubernetes_version=spec.versions.kubernetes)
    crds = pull_crd_files([target for target in kserve_crd_targets(env.environment) if is_url(target)], cache_dir)
    pulled.fetched.extend(crds.fetched)
    pulled.cached.extend(crds.cached)
    pulled.failed.extend(crds.failed)
    return pulled
