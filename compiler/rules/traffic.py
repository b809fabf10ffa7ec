"""Traffic rules: versions, canaries and the routes Inferplane renders (serving-rules §1.5, §4, §7).

The mechanism is decided once, by `traffic_plan.strategy`; these rules check that the spec's
versions and exposure make sense for it before anything is emitted. docs/traffic.md explains the
mechanisms.
"""

from __future__ import annotations

from typing import Iterator

from .. import naming, upstream
from ..plan.endpoints import ENDPOINT_MODES
from ..plan.graph import MODE as GRAPH
from ..plan.traffic import (
    RESERVED_VERSION_NAMES,
    ROUTED_MODES,
    VERSION_LABEL,
    has_route_settings,
    plan_traffic,
    strategy,
)
from .registry import Finding, RuleContext, rule

VERSIONS = ("spec", "versions")
EXPOSURE = ("spec", "exposure")


def _routed(ctx: RuleContext) -> bool:
    return ctx.service.spec.mode in ROUTED_MODES


@rule("KS-13", "Knative's canary splits two revisions; Standard mode before v0.20 has no canary of its own", source="serving-rules §1.5; kserve#5335, kserve#2649")
def knative_canary(ctx: RuleContext) -> Iterator[Finding]:
    """With versions in Knative mode, the InferenceService's predictor is the newest (last)
    version with `canaryTrafficPercent` set to its weight (0-100): Knative gives that revision the
    weight and the previous revision rolled out at 100% the rest. That is two revisions, so a
    native canary lists exactly two versions. In Standard mode KServe ignores
    canaryTrafficPercent, and before v0.20 has no spec.canary either: `canaryStrategy: native`
    there would change nothing, so use `auto` or `split` (an Istio VirtualService of ours)."""
    spec = ctx.service.spec
    if not _routed(ctx) or not spec.versions:
        return
    if spec.mode == "standard" and spec.canary_strategy == "native" and not ctx.release.has("spec-canary") and len(spec.versions) > 1:
        yield Finding(("spec", "canaryStrategy"), f"canaryStrategy native in Standard mode needs KServe v0.20's spec.canary; this environment runs {ctx.environment.spec.versions.kserve} (canaryTrafficPercent is ignored in Standard mode)", "use `canaryStrategy: auto` or `split` (one InferenceService per version behind a VirtualService)")
    if strategy(ctx.service, ctx.environment) == "native" and len(spec.versions) > 2:
        yield Finding(VERSIONS, f"a Knative canary splits traffic between two revisions, but {len(spec.versions)} versions are listed", "keep the rolled-out version and the new one, or set `canaryStrategy: split`")
    # A weight outside 0-100 never gets here: the spec's type rejects it (SPEC-TYPE).


@rule("KS-14", "spec.canary (Standard mode, KServe v0.20+) gets what KServe's webhook accepts", source="KServe inference_service_validation.go validateCanarySpecs (kserve#5672)")
def standard_canary(ctx: RuleContext) -> Iterator[Finding]:
    """In Standard mode on KServe v0.20+, versions after the first become `spec.canary[]`
    entries: `predictor.name` is the version (required, unique, not the stable predictor's) and
    `trafficPercent` its weight (0-100, at most 100 in total); the stable predictor takes the
    rest. KServe rejects a canary with workerSpec, maxReplicas, scaleTarget, scaleMetric or
    autoScaling (the compiler never writes them: a canary inherits the stable predictor's
    scaling and derives its replicas from its share) and any canary while the stable predictor
    is a custom container: every version needs `model`. Each canary runs as Deployment and
    Service `<isvc>-<version>-predictor`, which must fit a DNS label with the namespace."""
    spec = ctx.service.spec
    if not _routed(ctx) or strategy(ctx.service, ctx.environment) != "canary":
        return
    if not ctx.release.has("spec-canary"):
        return  # KS-13 explains that this KServe has no spec.canary
    names = [version.name for version in spec.versions]
    for index, version in enumerate(spec.versions):
        where = VERSIONS + (index,)
        if version.predictor.model is None:
            role = "the stable predictor" if index == 0 else "a canary"
            yield Finding(where + ("predictor",), f"version {version.name!r} is {role} without `model`: KServe accepts spec.canary only for model predictors", "serve the versions with `model`, or set `canaryStrategy: split`")
        if index and names.count(version.name) > 1:
            yield Finding(where + ("name",), f"canary name {version.name!r} is duplicated", "give every version its own name")
        label = f"{ctx.service.metadata.name}-{version.name}-predictor-{ctx.environment.spec.namespace}"
        if index and len(label) > upstream.DNS_LABEL_MAX:
            yield Finding(where + ("name",), f"the canary's host label {label!r} is {len(label)} characters (max {upstream.DNS_LABEL_MAX})", "shorten the version or service name")
    if sum(version.weight or 0 for version in spec.versions[1:]) > 100:
        yield Finding(VERSIONS, "the canaries' traffic adds up to more than 100", "lower the canaries' weights")


@rule("IS-02", "version weights are whole percents that sum to 100", source="istio/api VirtualService HTTPRouteDestination.weight; serving-rules §4")
def weights_sum(ctx: RuleContext) -> Iterator[Finding]:
    """Weights are integers from 0 to 100 and the versions' weights sum to exactly 100 (one
    version may leave its weight out and take the rest):
    current Istio treats route weights as relative, but older istiod rejected other totals, and
    KServe's canary percentages are absolute. Blue/green is 100 and 0."""
    versions = ctx.service.spec.versions
    if not versions:
        return
    unweighted = [version.name for version in versions if version.weight is None]
    if unweighted:
        yield Finding(VERSIONS, f"versions {', '.join(unweighted)} have no weight", "give every version but one a weight; the one left out takes the rest of 100")
        return
    total = sum(version.weight for version in versions)
    if total != 100:
        listed = ", ".join(f"{version.name} {version.weight}" for version in versions)
        yield Finding(VERSIONS, f"version weights sum to {total} ({listed}), not 100", "make the weights add up to 100 (`inferplane promote` keeps them so)")


@rule("IS-03", "every subset a route names exists and selects its version's pods", source="Istio IST0173 (referenced subset not found); serving-rules §4")
def subsets_exist(ctx: RuleContext) -> Iterator[Finding]:
    """In Standard mode each version's route goes to a subset of a DestinationRule for that
    version's Service; a subset that is not defined, or selects no pods, makes Istio answer 503.
    The subset selects the label `inferplane.dev/version: <version>`, which the compiler puts on
    the version's predictor pods: a predictor label of that name with another value would leave
    the subset empty. DestinationRules are applied before VirtualServices (apply order and Argo
    CD sync waves), so a route never names a subset Istio does not know yet."""
    spec = ctx.service.spec
    if spec.mode != "standard" or not spec.versions:
        return  # Knative routes by revision or through knative-local-gateway: no subsets
    for index, version in enumerate(spec.versions):
        written = version.predictor.labels.get(VERSION_LABEL)
        if written is not None and written != version.name:
            yield Finding(VERSIONS + (index, "predictor", "labels", VERSION_LABEL), f"predictor label {VERSION_LABEL}={written!r} would hide version {version.name!r} from its route's subset", f"remove the label: the compiler writes {VERSION_LABEL}={version.name}")
    traffic = plan_traffic(ctx.service, ctx.environment)
    defined = {(rule_.host, rule_.subset) for rule_ in traffic.subset_rules}
    for destination in traffic.destinations:
        if destination.subset is not None and (destination.host, destination.subset) not in defined:
            yield Finding(VERSIONS, f"the route to version {destination.version!r} names subset {destination.subset!r} of {destination.host}, which no DestinationRule defines", "report this as a compiler bug")


@rule("TRAFFIC-01", "version names are unique and make valid object names", source="KServe IsvcNameFmt; serving-rules §4 (IS-01)")
def version_names(ctx: RuleContext) -> Iterator[Finding]:
    """Each version needs its own name: it names the DestinationRule subset, the canary's
    Deployment or, when versions are split, the InferenceService `<service>-<version>` (whose
    `<service>-<version>-predictor-<namespace>` must fit a 63-character DNS label). `route` is
    reserved: InferenceService `<service>-route` would give KServe's VirtualService the name of
    the service's own route."""
    spec = ctx.service.spec
    seen: set[str] = set()
    split = _routed(ctx) and strategy(ctx.service, ctx.environment) == "split"
    for index, version in enumerate(spec.versions):
        where = VERSIONS + (index, "name")
        if version.name in seen:
            yield Finding(where, f"version name {version.name!r} is listed twice", "give every version its own name (overlays merge versions by name)")
        seen.add(version.name)
        if version.name in RESERVED_VERSION_NAMES:
            yield Finding(where, f"version name {version.name!r} is reserved", "use another name, e.g. v1")
        if split:
            isvc = naming.version_isvc_name(ctx.service.metadata.name, version.name)
            label = f"{ctx.release.predictor_name(isvc)}-{ctx.environment.spec.namespace}"
            if len(label) > upstream.DNS_LABEL_MAX:
                yield Finding(where, f"host label {label!r} of the version's InferenceService is {len(label)} characters (max {upstream.DNS_LABEL_MAX})", "shorten the version or service name")


def _carried_by_http_route(exposure) -> bool:
    """Our HTTPRoute (emit/httproute.py) carries the timeout and header matches; retries it cannot."""
    return exposure.gateway_api is not None and exposure.retries is None


@rule("TRAFFIC-02", "routes Inferplane renders have a mesh, a domain and somewhere to apply", source="serving-rules §4; docs/traffic.md")
def routes_have_a_mesh(ctx: RuleContext) -> Iterator[Finding]:
    """Splitting versions with `split` (chosen, or `auto` in Standard mode before KServe v0.20),
    `exposure.public`, and the route settings `timeoutSeconds`, `retries` and `matchHeaders` are
    an Istio VirtualService of ours: they need the environment's `mesh` (and `domain` for a
    public host). In Knative mode with one InferenceService, the in-mesh host belongs to
    KServe's own VirtualService, so route settings apply to the public route only: use
    `predictor.timeoutSeconds` for the revision's timeout. With `exposure.gatewayApi` and no
    mesh, the HTTPRoute carries the timeout and header matches (not retries). A header match
    needs exactly one of exact, prefix or regex."""
    spec = ctx.service.spec
    if not _routed(ctx) and spec.mode not in ENDPOINT_MODES:  # a graph's router and a Ray Serve app are routed too
        return
    env = ctx.environment
    chosen = strategy(ctx.service, env)
    if env.spec.mesh is None:
        if chosen == "split":
            reason = "canaryStrategy split" if spec.canary_strategy == "split" else f"Standard mode on KServe {env.spec.versions.kserve} (no spec.canary before v0.20)"
            yield Finding(VERSIONS, f"versions are split by an Istio VirtualService ({reason}), but environment {env.metadata.name!r} has no mesh", "add `mesh:` to the environment, or remove the versions")
        if spec.exposure.public:
            yield Finding(EXPOSURE + ("public",), f"a public service is routed through the environment's Istio gateway, but environment {env.metadata.name!r} has no mesh", "add `mesh:` to the environment")
        elif has_route_settings(ctx.service) and not _carried_by_http_route(ctx.service.spec.exposure):
            yield Finding(EXPOSURE, f"route settings need an Istio VirtualService, but environment {env.metadata.name!r} has no mesh", "add `mesh:` to the environment, or remove timeoutSeconds, retries and matchHeaders")
    elif spec.mode in ("knative", GRAPH) and chosen in ("single", "native") and not spec.exposure.public and has_route_settings(ctx.service):
        yield Finding(EXPOSURE, "in Knative mode route settings apply to the public route, and this service is not public", "set `exposure.public: true`, or use `predictor.timeoutSeconds` for the revision's timeout")
    if spec.exposure.public and not env.spec.domain:
        yield Finding(EXPOSURE + ("public",), f"a public service is served at <host>.<domain>, but environment {env.metadata.name!r} has no domain", "set `domain:` in the environment")
    for index, header in enumerate(spec.exposure.match_headers):
        conditions = [value for value in (header.exact, header.prefix, header.regex) if value is not None]
        if len(conditions) != 1:
            yield Finding(EXPOSURE + ("matchHeaders", index), f"header match {header.name!r} has {len(conditions)} conditions", "give exactly one of exact, prefix or regex")


@rule("TRAFFIC-03", "a custom domain is served where the service is served", source="Knative DomainMapping (serving.knative.dev/v1beta1); docs/traffic.md")
def custom_domain(ctx: RuleContext) -> Iterator[Finding]:
    """`exposure.customDomain` is an extra host of the service's route on the environment's
    gateway (with the gateway's certificate) when the service is public. A Knative service that
    is not public gets a DomainMapping instead, which points at its Knative Service
    `<isvc>-predictor`: that needs one InferenceService (no split). A Standard service, or a
    split one, that is not public has nowhere to serve the domain."""
    spec = ctx.service.spec
    if not _routed(ctx) or spec.exposure.custom_domain is None or spec.exposure.public:
        return
    chosen = strategy(ctx.service, ctx.environment)
    if spec.mode == "standard" or chosen == "split":
        yield Finding(EXPOSURE + ("customDomain",), f"customDomain {spec.exposure.custom_domain!r} is served on the environment's gateway, but the service is not public", "set `exposure.public: true` (a Knative DomainMapping needs Knative mode and one InferenceService)")
