"""Version rules: the environment names releases Inferplane knows (VERSION), and nothing a service
or the environment asks for is missing from the environment's KServe release (KS-24).

Both read the tables in plan/kserve_versions.py and plan/kubernetes_versions.py. VERSION runs
once per environment before any service is planned (`check_versions`): with an unknown release
nothing else can be decided, so it is the only error that environment reports.
"""

from __future__ import annotations

from typing import Iterator

from ..errors import Diagnostic
from ..plan.kserve_versions import RELEASE_TAGS, Feature, KServeRelease, known_minors, parse_minor, spelled
from ..plan.kubernetes_versions import OLDEST_VALIDATED
from ..plan.modelmesh import MODE as MODELMESH
from ..source.resolve import Layer
from ..spec.models import Environment
from .manifests import EnvironmentContext, EnvironmentFinding
from .registry import Finding, RuleContext, rule

VERSIONS_SCOPE = "versions"
VERSIONS = ("spec", "versions")
MODEL = ("spec", "predictor", "model")


def check_versions(env: Environment, env_layer: Layer, env_name: str) -> list[Diagnostic]:
    """Rule VERSION and the environment's own KServe features, before any service is planned."""
    from .registry import registered_rules  # noqa: PLC0415 - the registry is filled by importing compiler.rules

    context = EnvironmentContext([], env, env_layer, env_name)
    return [
        Diagnostic(current.id, finding.message, finding.hint, finding.location, current.severity, finding.key_path, env_name)
        for current in registered_rules()
        if current.scope == VERSIONS_SCOPE
        for finding in current.check(context)
    ]


def _range() -> str:
    minors = known_minors()
    return f"{spelled(minors[0])} to {spelled(minors[-1])}"


@rule("VERSION", "the environment's Kubernetes and KServe versions are releases Inferplane knows", source="plan/kserve_versions.py, plan/kubernetes_versions.py; kubernetes-validate's schema sets", scope=VERSIONS_SCOPE)
def known_releases(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """`versions.kubernetes` must be 1.25 or later: the oldest release whose core-kind schemas
    kubernetes-validate ships, so the oldest Inferplane can validate for (older releases are out
    of support; their API removals differ). `versions.kserve` must be a release of the version
    table, 0.7 to 0.20, written as the cluster runs it (e.g. 0.15.2): a word like `latest`, a
    release older than 0.7 or newer than the table cannot be rendered for, because what it
    accepts is unknown. Any patch release of a known minor is accepted."""
    versions = ctx.environment.spec.versions
    kubernetes = parse_minor(versions.kubernetes)
    at = VERSIONS + ("kubernetes",)
    if kubernetes is None:
        yield EnvironmentFinding(ctx.at_environment(*at), f"Kubernetes version {versions.kubernetes!r} names no release", "write the cluster's release, e.g. \"1.33\"", at)
    elif kubernetes < OLDEST_VALIDATED:
        oldest = spelled(OLDEST_VALIDATED)
        yield EnvironmentFinding(ctx.at_environment(*at), f"Kubernetes {versions.kubernetes} is older than {oldest}, the oldest release Inferplane validates for", f"upgrade the cluster and set versions.kubernetes to {oldest} or later", at)
    kserve = parse_minor(versions.kserve)
    at = VERSIONS + ("kserve",)
    if kserve is None:
        yield EnvironmentFinding(ctx.at_environment(*at), f"KServe version {versions.kserve!r} names no release: what the manifests may contain depends on it", f"write the release the cluster runs, e.g. \"0.15.2\" (Inferplane knows {_range()})", at)
    elif kserve not in RELEASE_TAGS:
        side = "older than" if kserve < known_minors()[0] else "newer than"
        yield EnvironmentFinding(ctx.at_environment(*at), f"KServe {versions.kserve} is {side} every release Inferplane knows ({_range()})", f"set versions.kserve to the cluster's release; Inferplane renders for KServe {_range()}", at)


def _needs(feature: Feature, release: str, where: str, what: str = "") -> str:
    return f"{what or feature.what} needs KServe {spelled(feature.since)} or later; the environment runs KServe {release} ({where})"


def _upgrade(feature: Feature) -> str:
    return f"upgrade KServe to {spelled(feature.since)} or later"


@rule("KS-24", "everything a service asks for exists in the environment's KServe release", source="plan/kserve_versions.py (each feature cites its CRD or pull request)")
def service_features(ctx: RuleContext) -> Iterator[Finding]:
    """Some spec fields have no spelling in older KServe releases, and the API server of such a
    release prunes or misroutes them: ModelMesh models and `model.runtime`/`formatVersion`
    (ServingRuntimes, v0.8), `model.storage` (v0.9), Prometheus scraping of a Knative-mode model
    server (queue-proxy's metric aggregation, v0.10), format `huggingface` (v0.12), `storageUris`
    (v0.16). Each is an
    error at the field that asks for it, naming the environment's `versions.kserve` line and the
    first release that has it. What older releases spell differently (the framework field before
    v0.8, annotations before v0.9 and v0.11, `-default` names before v0.11) is rendered their way."""
    release = ctx.release
    written = ctx.environment.spec.versions.kserve
    where = ctx.version_line()
    spec = ctx.service.spec
    if spec.mode == MODELMESH and (missing := release.lacking("serving-runtime")):
        yield Finding(("spec", "mode"), "a ModelMesh model is served by a ServingRuntime: " + _needs(missing, written, where), _upgrade(missing))
    prometheus = ctx.environment.spec.observability.prometheus
    if spec.mode == "knative" and prometheus.enabled and spec.observability.metrics.enabled and (missing := release.lacking("metric-aggregation")):
        yield Finding(("spec", "mode"), f"environment {ctx.env_name!r} scrapes every model server with Prometheus: " + _needs(missing, written, where), f"{_upgrade(missing)}, or set `observability: {{metrics: {{enabled: false}}}}` in this service")
    model = spec.predictor.model
    if model is None:
        return
    if model.storage is not None and (missing := release.lacking("model-storage")):
        yield Finding(MODEL + ("storage",), _needs(missing, written, where), f"{_upgrade(missing)}, or give the model a `storageUri`")
    if missing := release.lacking("model-format"):
        for key, value in (("runtime", model.runtime), ("formatVersion", model.format_version)):
            if value is not None:
                yield Finding(MODEL + (key,), _needs(missing, written, where, f"model.{key} (it picks a ServingRuntime)"), f"{_upgrade(missing)}, or remove `{key}` (KServe {written} picks the server by the format's field)")
    if model.format == "huggingface" and (missing := release.lacking("huggingface")):
        yield Finding(MODEL + ("format",), _needs(missing, written, where), f"{_upgrade(missing)}, or serve the model with a custom `container`")
    if model.storage_uris and (missing := release.lacking("storage-uris")):
        yield Finding(MODEL + ("storageUris",), _needs(missing, written, where), f"{_upgrade(missing)}, or use one `storageUri`")


@rule("KS-25", "the environment's ModelMesh runtimes and KServe settings use only what its KServe release has", source="CRDs v0.8.0, v0.9.0, v0.11.2 ServingRuntime; KServe's Gateway API migration guide (v0.15) (plan/kserve_versions.py)", scope=VERSIONS_SCOPE)
def runtime_features(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """`modelmesh.runtimes` become ServingRuntimes, a kind KServe serves from v0.8;
    `supportedModelFormats[].priority` arrived in v0.11 and `protocolVersions` in v0.9 (written
    by hand; the default is left out before v0.9). `kserveGatewayApi` says KServe creates
    HTTPRoutes itself, which it does from v0.15 (`enableGatewayApi`). Each is an error at the
    environment field, naming its `versions.kserve` line and the first release that has it."""
    minor = parse_minor(ctx.environment.spec.versions.kserve)
    if minor not in RELEASE_TAGS:
        return  # VERSION
    release = KServeRelease(minor)
    written = ctx.environment.spec.versions.kserve
    where = str(ctx.at_environment(*VERSIONS, "kserve"))
    key = ("spec", "kserveGatewayApi")
    if ctx.environment.spec.kserve_gateway_api and (missing := release.lacking("gateway-api")):
        yield EnvironmentFinding(ctx.at_environment(*key), _needs(missing, written, where), f"{_upgrade(missing)}, or remove `kserveGatewayApi` and route with `exposure.gatewayApi`", key)
    settings = ctx.environment.spec.modelmesh
    if settings is None or not settings.runtimes:
        return
    runtimes = ("spec", "modelmesh", "runtimes")
    if missing := release.lacking("serving-runtime"):
        yield EnvironmentFinding(ctx.at_environment(*runtimes), "modelmesh.runtimes are rendered as ServingRuntimes: " + _needs(missing, written, where), _upgrade(missing), runtimes)
        return
    for index, runtime in enumerate(settings.runtimes):
        at = runtimes + (index,)
        for position, supported in enumerate(runtime.supported_model_formats):
            if supported.priority is not None and (missing := release.lacking("runtime-priority")):
                key = at + ("supportedModelFormats", position, "priority")
                yield EnvironmentFinding(ctx.at_environment(*key), _needs(missing, written, where), f"{_upgrade(missing)}, or remove `priority`", key)
        key = at + ("protocolVersions",)
        if key in ctx.layer.positions and (missing := release.lacking("runtime-protocol-versions")):
            yield EnvironmentFinding(ctx.at_environment(*key), _needs(missing, written, where), f"{_upgrade(missing)}, or remove `protocolVersions`", key)
