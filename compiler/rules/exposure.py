"""Exposure rules: an Ingress or HTTPRoute is served the way it is asked for, one owner renders a
service's HTTPRoute, a cluster-internal service has nothing at the edge, and an autoscaler's
metric has a source (an External metric counted at an ingress or gateway needs the service
exposed there)."""

from __future__ import annotations

from typing import Iterator

from ..plan.access import requested_access
from ..plan.traffic import PREDICTOR_SERVICE_PORT
from ..spec.scaling import ExternalMetric
from .registry import Finding, RuleContext, rule

EXPOSURE = ("spec", "exposure")
INGRESS = EXPOSURE + ("ingress",)
GATEWAY_API = EXPOSURE + ("gatewayApi",)
EXTERNAL = ("spec", "scaling", "external")
ADDITIONAL = ("spec", "scaling", "additionalMetrics")
# Alibaba's ingress QPS series are labelled with the route `<namespace>-<service>-<port>` (ACK
# "Elastic inference based on ECI", the sls.ingress.route parameter of its HPA).
SLS_ROUTE_LABEL = "sls.ingress.route"


def _counted_at(metric: str) -> str | None:
    """Where an External metric counts requests, judged by its name: 'ingress', 'gateway' or None."""
    name = metric.lower()
    if "ingress" in name:
        return "ingress"
    if "gateway" in name or name.startswith("istio_"):
        return "gateway"
    return None


@rule("EXPOSE-01", "an Ingress or HTTPRoute exposes a Standard-mode service", source="KServe Standard mode: the predictor Service <isvc>-predictor (port 80); Knative routes through its own ingress")
def ingress_mode(ctx: RuleContext) -> Iterator[Finding]:
    """`exposure.ingress` renders a networking.k8s.io/v1 Ingress, and `exposure.gatewayApi` a
    Gateway API HTTPRoute, to KServe's Standard-mode predictor Service (`<isvc>-predictor`, port
    80). In Knative mode requests must go through Knative's own ingress (the mesh gateway and
    `exposure.public`, or Knative's net-gateway-api), and ModelMesh serves through its shared
    Service: there the setting would render a route to nothing."""
    spec = ctx.service.spec
    if spec.mode == "standard":
        return
    mode = spec.mode or "knative"
    if spec.exposure.ingress is not None:
        yield Finding(INGRESS, f"exposure.ingress needs mode standard; this service runs in {mode} mode", "use `mode: standard`, or expose the service on the mesh gateway with `exposure.public: true`")
    if spec.exposure.gateway_api is not None:
        yield Finding(GATEWAY_API, f"exposure.gatewayApi needs mode standard; this service runs in {mode} mode", "use `mode: standard`, or expose the service through Knative's own ingress (`exposure.public: true` on the mesh gateway)")


@rule("EXPOSE-03", "one owner renders a service's HTTPRoute, with matches Gateway API can express", source="KServe's Gateway API migration guide (enableGatewayApi, v0.15); Gateway API v1 HTTPHeaderMatch (Exact, RegularExpression)")
def one_route_owner(ctx: RuleContext) -> Iterator[Finding]:
    """With `kserveGatewayApi: true` in the environment, KServe (0.15 or later, `enableGatewayApi`
    in its ingress config) creates an HTTPRoute for every Standard-mode InferenceService on its
    own `kserveIngressGateway`: a route of ours beside it would be a second owner of the same
    hosts, each undoing the other's weights. Then `exposure.gatewayApi` is an error: KServe's
    route is the one. A header match by prefix has no Gateway API spelling (Exact and
    RegularExpression only), so it would be dropped from the HTTPRoute: an error too."""
    spec = ctx.service.spec
    if spec.exposure.gateway_api is None:
        return
    if ctx.environment.spec.kserve_gateway_api:
        yield Finding(GATEWAY_API, f"environment {ctx.env_name!r} lets KServe create this service's HTTPRoute (kserveGatewayApi): a second route of ours would fight it for the same hosts", "remove exposure.gatewayApi (KServe's route on its kserveIngressGateway serves the service), or set kserveGatewayApi: false and turn off enableGatewayApi in KServe's ingress config")
    for index, header in enumerate(spec.exposure.match_headers):
        if header.prefix is not None:
            yield Finding(EXPOSURE + ("matchHeaders", index, "prefix"), f"header {header.name!r} is matched by prefix, which a Gateway API HTTPRoute cannot express", "match it `exact`, or with a `regex` such as ^value")


@rule("EXPOSE-04", "a cluster-internal service is exposed nowhere", source="spec/traffic.py Exposure.internal")
def internal_only(ctx: RuleContext) -> Iterator[Finding]:
    """`exposure.internal: true` says the service is reached only from inside the cluster (or by
    `kubectl port-forward`): nothing for the edge is rendered, access policies still are. A
    setting that exposes it at the edge contradicts that, whether the service or the
    environment's defaults set it: each is an error at its key."""
    exposure = ctx.service.spec.exposure
    if not exposure.internal:
        return
    edges = (("public", exposure.public or None), ("ingress", exposure.ingress), ("gatewayApi", exposure.gateway_api), ("customDomain", exposure.custom_domain))
    for key, value in edges:
        if value is not None:
            yield Finding(EXPOSURE + (key,), f"exposure.{key} exposes the service at the edge, but exposure.internal keeps it cluster-internal", f"remove `{key}` (`{key}: null` in an overlay), or set `internal: false`")


def _external_metrics(ctx: RuleContext) -> Iterator[tuple[tuple, ExternalMetric]]:
    """Every External metric by name that drives the service's HPA, with its key path."""
    scaling = ctx.service.spec.scaling
    if scaling.metric == "external" and scaling.external is not None and scaling.external.name:
        yield EXTERNAL, scaling.external
    for index, extra in enumerate(scaling.additional_metrics):
        if extra.metric == "external" and extra.external is not None and extra.external.name:
            yield ADDITIONAL + (index, "external"), extra.external


def _gateway_exposed(ctx: RuleContext) -> bool:
    exposure = ctx.service.spec.exposure
    return (exposure.public and ctx.environment.spec.mesh is not None) or exposure.gateway_api is not None


def _metric_source(ctx: RuleContext, at: tuple, external: ExternalMetric) -> Iterator[Finding]:
    spec = ctx.service.spec
    where = _counted_at(external.name)
    if where is None:
        return
    if spec.exposure.internal:
        yield Finding(at + ("name",), f"metric {external.name!r} counts requests at {'an ingress' if where == 'ingress' else 'a gateway'}, but the service is cluster-internal (exposure.internal): no request passes there and the HPA never scales", "scale on cpu or memory, or expose the service there (`internal: false`)")
        return
    if where == "gateway":
        if not _gateway_exposed(ctx):
            yield Finding(at + ("name",), f"metric {external.name!r} counts requests at the mesh gateway, but the service is not exposed there: the metric never moves and the HPA never scales", "set `exposure.public: true` (the environment needs a mesh and a domain) or `exposure.gatewayApi`, or scale on a metric the service's own traffic moves")
        elif _edge_refused(ctx, spec.exposure.gateway_api) and not spec.exposure.public:
            yield Finding(GATEWAY_API, "the service accepts only the callers `access` names and the gateway's proxies are not among them: requests through the HTTPRoute are refused and the metric never moves", "set `exposure.gatewayApi.controllerNamespace` to the namespace of the gateway's proxy pods (they must run in the mesh)")
        return
    ingress = spec.exposure.ingress
    if ingress is None:
        yield Finding(at + ("name",), f"metric {external.name!r} counts requests through an ingress, but the service has no exposure.ingress: no request is ever counted and the HPA never scales", "expose it with `exposure.ingress: {className: nginx}` (the controller whose QPS the metric reports), or scale on cpu or memory")
        return
    expected = f"{ctx.environment.spec.namespace}-{ctx.release.predictor_name(ctx.service.metadata.name)}-{PREDICTOR_SERVICE_PORT}"
    route = external.selector.get(SLS_ROUTE_LABEL)
    if route is not None and route != expected:
        yield Finding(at + ("selector", SLS_ROUTE_LABEL), f"{SLS_ROUTE_LABEL} {route!r} is not the route of this service's Ingress ({expected!r}): the HPA follows another route's traffic", f"set `{SLS_ROUTE_LABEL}: {expected}`")
    if _edge_refused(ctx, ingress):
        yield Finding(INGRESS, "the service accepts only the callers `access` names and the ingress controller is not one of them: requests through the Ingress are refused and the metric never moves", "set `exposure.ingress.controllerNamespace` to the controller's namespace (its pods must run in the mesh)")


def _edge_refused(ctx: RuleContext, edge) -> bool:
    """`access` limits the callers in a mesh and the edge's proxies are not named among them."""
    return edge is not None and requested_access(ctx.service.spec) is not None and ctx.environment.spec.mesh is not None and not edge.controller_namespace


@rule("SCALE-03", "an autoscaler's External metric is measured where the service is exposed", source="ACK elastic inference on ECI (sls_ingress_qps, sls.ingress.route); Istio istio_requests_total")
def metric_has_source(ctx: RuleContext) -> Iterator[Finding]:
    """An HPA on an External metric (`metric: external`, or one of `additionalMetrics`) that
    counts requests at an ingress (a name with `ingress`, e.g. Alibaba's `sls_ingress_qps`) or at
    a gateway (a name with `gateway`, or Istio's `istio_…`) only moves when requests reach the
    service that way. Without `exposure.ingress` (or `exposure.public` on a mesh, or
    `exposure.gatewayApi`), or with `exposure.internal`, no request is ever counted: the metric
    stays at zero and the HPA never scales, silently. With an Ingress, an `sls.ingress.route`
    selector must name its route (`<namespace>-<isvc>-predictor-80`), and when `access` limits
    the callers in a mesh the ingress controller (or the gateway's proxies) must be one of them
    (`controllerNamespace`): else every request through it is refused and the metric again never
    moves. (Knative's rps and concurrency in Standard mode are KS-10's.)"""
    reported: list[Finding] = []
    for at, external in _external_metrics(ctx):
        for finding in _metric_source(ctx, at, external):
            if finding not in reported:  # one refused edge, however many of its metrics
                reported.append(finding)
                yield finding


@rule("EXPOSE-02", "plain HTTP in a production environment", severity="warning", source="Istio Gateway servers (HTTP on port 80); Ingress spec.tls; Gateway API listener protocol HTTP; the KServe-on-ASM seed's plain-HTTP gateway")
def plain_http_in_production(ctx: RuleContext) -> Iterator[Finding]:
    """`mesh.gateway.plainHttp` serves exposed services over plain HTTP, and so do an Ingress
    without `tlsSecretName` and an HTTPRoute on a listener marked `plainHttp`: fine on a test
    cluster (the seeds call their models over HTTP), but requests and responses cross the
    network readable and unauthenticated. In an environment marked `production: true` each
    service exposed that way gets a warning, for each provider."""
    spec, env = ctx.service.spec, ctx.environment.spec
    if not env.production:
        return
    if spec.exposure.public and env.mesh is not None and env.mesh.gateway.plain_http:
        yield Finding(EXPOSURE + ("public",), f"production environment {ctx.env_name!r} serves this service over plain HTTP on the mesh gateway (mesh.gateway.plainHttp)", "add `tls` to the environment and set mesh.gateway.plainHttp: false")
    if spec.exposure.ingress is not None and not spec.exposure.ingress.tls_secret_name:
        yield Finding(INGRESS, f"production environment {ctx.env_name!r} serves this service's Ingress over plain HTTP", "set `exposure.ingress.tlsSecretName` to the Secret of the host's certificate")
    if spec.exposure.gateway_api is not None and spec.exposure.gateway_api.plain_http:
        yield Finding(GATEWAY_API + ("plainHttp",), f"production environment {ctx.env_name!r} serves this service's HTTPRoute on a plain-HTTP listener", "attach the route to an HTTPS listener (`sectionName`) and set plainHttp: false")
