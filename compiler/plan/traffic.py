"""Traffic decisions: which mechanism splits a service's versions, and what its routes look like.

Pure functions of the typed spec and environment. Lowering attaches the result to the service's
plans; emit/routing.py, emit/knative.py and emit/kserve.py only arrange it into manifests; the
traffic rules check the same decisions before anything is lowered. docs/traffic.md explains them.

Mechanisms (`Strategy`):
  single  one InferenceService with one predictor (no versions, or one version listed)
  native  Knative mode: one InferenceService whose predictor is the newest (last) version, with
          `canaryTrafficPercent`; Knative splits between that revision and the previous one
          rolled out at 100% (serving-rules §1.5)
  canary  Standard mode on KServe >= v0.20: one InferenceService, the first version as the stable
          predictor and the others in `spec.canary[]`, each its own Deployment and Service
          `<isvc>-<version>-predictor` (kserve#5672)
  split   one InferenceService per version, `<service>-<version>`, weighted by a VirtualService of
          ours: the whole split is in git, at the price of a mesh and one workload per version
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .. import naming
from .kserve_runtimes import default_runtimes, select_runtime
from ..spec.models import Environment, ModelService, Predictor, parse_version
from .kserve_versions import KServeRelease, release_of

Strategy = Literal["single", "native", "canary", "split"]
# Modes whose traffic this module plans; ModelMesh routes through its own shared Service.
ROUTED_MODES = ("knative", "standard")

# ---------------------------------------------------------------- upstream facts

# KServe's ingress config `localGatewayService` (default): in Knative mode KServe's own
# VirtualService reaches a Knative Service through this gateway with the Host header set to the
# service's cluster-local name; so do ours (iter8's KServe templates route the same way).
KNATIVE_LOCAL_GATEWAY = "knative-local-gateway.istio-system.svc.cluster.local"
KNATIVE_LOCAL_GATEWAY_PORT = 80
# KServe's Standard-mode Service `<isvc>-predictor` listens on 80 and forwards to the model server.
PREDICTOR_SERVICE_PORT = 80
MODEL_SERVER_PORT = 8080
# Istio's reserved gateway name for the sidecars of the mesh.
MESH_GATEWAY = "mesh"
# The pod label a DestinationRule subset selects a version's pods by. The compiler writes it on
# each version's predictor; IS-03 reports a spec that sets it to something else.
VERSION_LABEL = "inferplane.dev/version"
# KServe runtimes started with `--model_name={{.Name}}` (config/runtimes/kserve-*.yaml): the model
# is named after its InferenceService. KServe appends the predictor's args to the runtime's
# (MergeRuntimeContainers), and the last `--model_name` wins, so a split version can keep the
# service's name and clients keep calling /v1/models/<service>.
MODEL_NAMED_AFTER_ISVC = ("kserve-sklearnserver", "kserve-xgbserver", "kserve-lgbserver", "kserve-tensorflow-serving", "kserve-huggingfaceserver")
# Version names that would make our objects collide with KServe's: in split mode version `route`
# is InferenceService `<service>-route`, whose KServe VirtualService would be our route's name.
RESERVED_VERSION_NAMES = ("route",)


def cluster_host(name: str, namespace: str) -> str:
    return f"{name}.{namespace}.svc.cluster.local"


def route_name(service: str) -> str:
    """Our VirtualService: never `<isvc>`, the name KServe's own VirtualService has in Knative mode."""
    return f"{service}-route"


def destination_rule_name(service: str, version: str) -> str:
    return f"{service}-{version}"


# ---------------------------------------------------------------- the mechanism


def has_native_canary(service: ModelService, env: Environment) -> bool:
    """KServe splits versions itself: Knative mode always, Standard mode from v0.20."""
    # Before spec.canary (kserve_versions) Standard mode ignores canaryTrafficPercent (kserve#5335).
    return service.spec.mode == "knative" or release_of(env).has("spec-canary")


def strategy(service: ModelService, env: Environment) -> Strategy:
    spec = service.spec
    if not spec.versions:
        return "single"
    requested = spec.canary_strategy
    # Without KServe's own mechanism, `auto` splits even one listed version, so that InferenceService
    # names stay `<service>-<version>` for as long as versions are listed (no rename on promotion).
    if requested == "split" or (requested == "auto" and not has_native_canary(service, env)):
        return "split"
    if len(spec.versions) == 1:
        return "single"
    return "native" if spec.mode == "knative" else "canary"


# ---------------------------------------------------------------- routes


@dataclass(frozen=True)
class Destination:
    version: str | None
    weight: int
    host: str
    port: int
    subset: str | None = None  # a DestinationRule subset (Standard mode)
    host_header: str | None = None  # Knative: the Host knative-local-gateway routes on


@dataclass(frozen=True)
class SubsetRule:
    """One DestinationRule: the host of one version's Service and that version's subset."""

    name: str
    host: str
    subset: str
    labels: dict[str, str]
    version_index: int  # where the version sits in spec.versions (for locations)


@dataclass(frozen=True)
class MeshService:
    """The Service that gives a split service's in-mesh host its DNS name (`<service>`)."""

    name: str
    external_name: str | None = None  # Knative: an alias of knative-local-gateway, as KServe's own
    selector: dict[str, str] | None = None  # Standard: every version's predictor pods
    target_port: int | None = None


@dataclass(frozen=True)
class TrafficPlan:
    service: str
    namespace: str
    mode: str
    strategy: Strategy
    weights: tuple[tuple[str, int], ...]  # (version, weight) as listed
    destinations: tuple[Destination, ...]
    subset_rules: tuple[SubsetRule, ...]
    hosts: tuple[str, ...]  # public host first, then the in-mesh host
    gateways: tuple[str, ...]
    virtual_service: bool  # whether we render a VirtualService
    timeout_seconds: int | None
    retries: dict | None
    match_headers: tuple[dict, ...]
    mesh_service: MeshService | None
    custom_domain: str | None
    domain_mapping_target: str | None  # the Knative Service a DomainMapping points at

    @property
    def route_name(self) -> str:
        return route_name(self.service)


def _destination_host(service: str, version: str, index: int, chosen: Strategy, namespace: str, release: KServeRelease) -> str:
    """Standard mode: the Service KServe makes for the version's predictor."""
    if chosen == "canary" and index == 0:
        return cluster_host(release.predictor_name(service), namespace)  # the stable predictor is unnamed
    # spec.canary names a canary's Deployment and Service `<isvc>-<name>-predictor`; a split
    # version's InferenceService `<service>-<version>` has the predictor of its own name.
    return cluster_host(release.predictor_name(f"{service}-{version}"), namespace)


def _knative_destinations(service: ModelService, chosen: Strategy, namespace: str, release: KServeRelease) -> tuple[Destination, ...]:
    name = service.metadata.name
    if chosen == "split":
        versions = [(v.name, v.weight, naming.version_isvc_name(name, v.name)) for v in service.spec.versions]
    else:
        # One Knative Service; Knative itself splits between its revisions (native canary).
        versions = [(None, 100, name)]
    return tuple(
        Destination(version, weight, KNATIVE_LOCAL_GATEWAY, KNATIVE_LOCAL_GATEWAY_PORT, host_header=cluster_host(release.predictor_name(isvc), namespace))
        for version, weight, isvc in versions
    )


def _standard_destinations(service: ModelService, chosen: Strategy, namespace: str, release: KServeRelease) -> tuple[tuple[Destination, ...], tuple[SubsetRule, ...]]:
    name = service.metadata.name
    if chosen in ("single", "native"):
        return (Destination(None, 100, cluster_host(release.predictor_name(name), namespace), PREDICTOR_SERVICE_PORT),), ()
    destinations, rules = [], []
    for index, version in enumerate(service.spec.versions):
        host = _destination_host(name, version.name, index, chosen, namespace, release)
        destinations.append(Destination(version.name, version.weight, host, PREDICTOR_SERVICE_PORT, subset=version.name))
        rules.append(SubsetRule(destination_rule_name(name, version.name), host, version.name, {VERSION_LABEL: version.name}, index))
    return tuple(destinations), tuple(rules)


def _server_port(predictor: Predictor) -> int:
    if predictor.container and predictor.container.ports:
        return predictor.container.ports[0].container_port
    return MODEL_SERVER_PORT


def _mesh_service(service: ModelService, namespace: str) -> MeshService:
    name = service.metadata.name
    if service.spec.mode == "knative":
        return MeshService(name, external_name=KNATIVE_LOCAL_GATEWAY)
    # KServe labels every predictor pod `component: predictor`; the compiler labels them with the
    # service's name, so this selects the pods of every version and of no other service.
    first = service.spec.versions[0].predictor
    return MeshService(name, selector={"app.kubernetes.io/name": name, "component": "predictor"}, target_port=_server_port(first))


def _mesh_host(service: ModelService, chosen: Strategy, namespace: str, release: KServeRelease) -> str | None:
    """The cluster-local host our VirtualService answers for callers inside the mesh.

    Knative mode with one InferenceService: none. KServe's own VirtualService already serves
    `<isvc>.<namespace>.svc.cluster.local`, and two VirtualServices for one host do not merge."""
    name = service.metadata.name
    if chosen == "split":
        return cluster_host(name, namespace)
    if service.spec.mode == "knative":
        return None
    return cluster_host(release.predictor_name(name), namespace)


def _retries(service: ModelService) -> dict | None:
    retries = service.spec.exposure.retries
    if retries is None:
        return None
    body: dict = {"attempts": retries.attempts}
    if retries.per_try_timeout_seconds is not None:
        body["perTryTimeout"] = f"{retries.per_try_timeout_seconds}s"
    if retries.retry_on:
        body["retryOn"] = retries.retry_on
    return body


def _header_match(exposure) -> tuple[dict, ...]:
    matches = []
    for header in exposure.match_headers:
        condition = {key: value for key, value in (("exact", header.exact), ("prefix", header.prefix), ("regex", header.regex)) if value is not None}
        matches.append({"name": header.name, "condition": condition})
    return tuple(matches)


def _gateway_hosts(service: ModelService, env: Environment) -> list[str]:
    """The hosts a public service answers on the environment's gateway: its public host, then its
    custom domain. One TLS termination point per host: the gateway's certificate covers both, and
    no second gateway (Knative's, through a DomainMapping) claims them. Not public: none."""
    exposure = service.spec.exposure
    if not exposure.public or not env.spec.domain:
        return []
    hosts = [naming.public_host(service.metadata.name, exposure.host, env)]
    if exposure.custom_domain and exposure.custom_domain not in hosts:
        hosts.append(exposure.custom_domain)
    return hosts


def has_route_settings(service: ModelService) -> bool:
    exposure = service.spec.exposure
    return exposure.timeout_seconds is not None or exposure.retries is not None or bool(exposure.match_headers)


def renders_virtual_service(service: ModelService, env: Environment) -> bool:
    if env.spec.mesh is None:
        return False
    chosen = strategy(service, env)
    if chosen in ("split", "canary"):
        # canary: KServe weights its canaries only in Gateway API HTTPRoutes (kserve#5912); traffic
        # through Istio needs our route to reach them.
        return True
    if service.spec.exposure.public:
        return True
    return service.spec.mode == "standard" and has_route_settings(service)


def plan_traffic(service: ModelService, env: Environment) -> TrafficPlan:
    spec = service.spec
    name = service.metadata.name
    namespace = env.spec.namespace
    chosen = strategy(service, env)
    release = release_of(env)
    if spec.mode == "knative":
        destinations, rules = _knative_destinations(service, chosen, namespace, release), ()
    else:
        destinations, rules = _standard_destinations(service, chosen, namespace, release)
    public = _gateway_hosts(service, env)
    mesh_host = _mesh_host(service, chosen, namespace, release)
    hosts = tuple(public) + ((mesh_host,) if mesh_host else ())
    gateways = []
    if public and env.spec.mesh is not None:
        gateways.append(naming.gateway_ref(env))
    if mesh_host:
        gateways.append(MESH_GATEWAY)
    single_isvc = chosen in ("single", "native")
    return TrafficPlan(
        service=name,
        namespace=namespace,
        mode=spec.mode or "knative",
        strategy=chosen,
        weights=tuple((version.name, version.weight) for version in spec.versions),
        destinations=destinations,
        subset_rules=rules,
        hosts=hosts,
        gateways=tuple(gateways),
        virtual_service=renders_virtual_service(service, env),
        timeout_seconds=spec.exposure.timeout_seconds,
        retries=_retries(service),
        match_headers=_header_match(spec.exposure),
        mesh_service=_mesh_service(service, namespace) if chosen == "split" else None,
        custom_domain=spec.exposure.custom_domain,
        domain_mapping_target=release.predictor_name(name) if spec.mode == "knative" and single_isvc and spec.exposure.custom_domain and not spec.exposure.public else None,
    )


def endpoint_traffic(service: ModelService, env: Environment, destination: Destination, mesh_host: str | None) -> TrafficPlan:
    """The routes of a workload that is not an InferenceService but has one HTTP endpoint (an
    InferenceGraph's router, a Ray Serve app: plan/endpoints.py): the same TrafficPlan as a
    service's single predictor, so the same emitters render its route, gateway host and certificate."""
    spec = service.spec
    public = _gateway_hosts(service, env)
    hosts = tuple(public) + ((mesh_host,) if mesh_host else ())
    gateways = ([naming.gateway_ref(env)] if public and env.spec.mesh is not None else []) + ([MESH_GATEWAY] if mesh_host else [])
    routed = spec.exposure.public or (mesh_host is not None and has_route_settings(service))
    return TrafficPlan(
        service=service.metadata.name,
        namespace=env.spec.namespace,
        mode=spec.mode or "",
        strategy="single",
        weights=(),
        destinations=(destination,),
        subset_rules=(),
        hosts=hosts,
        gateways=tuple(gateways),
        virtual_service=env.spec.mesh is not None and routed,
        timeout_seconds=spec.exposure.timeout_seconds,
        retries=_retries(service),
        match_headers=_header_match(spec.exposure),
        mesh_service=None,
        custom_domain=spec.exposure.custom_domain,
        domain_mapping_target=None,
    )


# ---------------------------------------------------------------- model names in a split


def model_named_after_isvc(predictor: Predictor, env: Environment, namespace: str) -> bool:
    """Whether KServe's runtime for this predictor names the model after the InferenceService."""
    model = predictor.model
    if model is None:
        return False
    body = {"modelFormat": {"name": model.format, "version": model.format_version}, "runtime": model.runtime, "protocolVersion": model.protocol_version}
    runtime = select_runtime(body, namespace, list(default_runtimes(parse_version(env.spec.versions.kserve))))
    return runtime is not None and runtime.name in MODEL_NAMED_AFTER_ISVC
