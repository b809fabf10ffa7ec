"""Exposure rules: an Ingress is served the way it is asked for, and an autoscaler's metric has a
source (an External metric counted at an ingress or gateway needs the service exposed there)."""

from __future__ import annotations

from typing import Iterator

from ..plan.access import requested_access
from ..plan.traffic import PREDICTOR_SERVICE_PORT
from .registry import Finding, RuleContext, rule

INGRESS = ("spec", "exposure", "ingress")
EXTERNAL = ("spec", "scaling", "external")
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


@rule("EXPOSE-01", "an Ingress exposes a Standard-mode service", source="KServe Standard mode: the predictor Service <isvc>-predictor (port 80); Knative routes through its own ingress")
def ingress_mode(ctx: RuleContext) -> Iterator[Finding]:
    """`exposure.ingress` renders a networking.k8s.io/v1 Ingress to KServe's Standard-mode
    predictor Service (`<isvc>-predictor`, port 80). In Knative mode requests must go through
    Knative's own ingress (the mesh gateway and `exposure.public`), and ModelMesh serves through
    its shared Service: there the setting would render an Ingress to nothing."""
    if ctx.service.spec.exposure.ingress is not None and ctx.service.spec.mode != "standard":
        mode = ctx.service.spec.mode or "knative"
        yield Finding(INGRESS, f"exposure.ingress needs mode standard; this service runs in {mode} mode", "use `mode: standard`, or expose the service on the mesh gateway with `exposure.public: true`")


@rule("SCALE-03", "an autoscaler's External metric is measured where the service is exposed", source="ACK elastic inference on ECI (sls_ingress_qps, sls.ingress.route); Istio istio_requests_total")
def metric_has_source(ctx: RuleContext) -> Iterator[Finding]:
    """An HPA on an External metric that counts requests at an ingress (a name with `ingress`,
    e.g. Alibaba's `sls_ingress_qps`) or at the mesh gateway (a name with `gateway`, or Istio's
    `istio_…`) only moves when requests reach the service that way. Without `exposure.ingress`
    (or `exposure.public` on a mesh), no request is ever counted: the metric stays at zero and
    the HPA never scales, silently. With an Ingress, an `sls.ingress.route` selector must name
    its route (`<namespace>-<isvc>-predictor-80`), and when `access` limits the callers in a mesh
    the ingress controller must be one of them (`exposure.ingress.controllerNamespace`): else
    every request through it is refused and the metric again never moves. (Knative's rps and
    concurrency in Standard mode are KS-10's.)"""
    spec = ctx.service.spec
    external = spec.scaling.external
    if spec.scaling.metric != "external" or external is None or not external.name:
        return
    where = _counted_at(external.name)
    if where == "gateway" and not (spec.exposure.public and ctx.environment.spec.mesh is not None):
        yield Finding(EXTERNAL + ("name",), f"metric {external.name!r} counts requests at the mesh gateway, but the service is not exposed there: the metric never moves and the HPA never scales", "set `exposure.public: true` (the environment needs a mesh and a domain), or scale on a metric the service's own traffic moves")
    if where != "ingress":
        return
    ingress = spec.exposure.ingress
    if ingress is None:
        yield Finding(EXTERNAL + ("name",), f"metric {external.name!r} counts requests through an ingress, but the service has no exposure.ingress: no request is ever counted and the HPA never scales", "expose it with `exposure.ingress: {className: nginx}` (the controller whose QPS the metric reports), or scale on cpu or memory")
        return
    expected = f"{ctx.environment.spec.namespace}-{ctx.release.predictor_name(ctx.service.metadata.name)}-{PREDICTOR_SERVICE_PORT}"
    route = external.selector.get(SLS_ROUTE_LABEL)
    if route is not None and route != expected:
        yield Finding(EXTERNAL + ("selector", SLS_ROUTE_LABEL), f"{SLS_ROUTE_LABEL} {route!r} is not the route of this service's Ingress ({expected!r}): the HPA follows another route's traffic", f"set `{SLS_ROUTE_LABEL}: {expected}`")
    if requested_access(spec) is not None and ctx.environment.spec.mesh is not None and not ingress.controller_namespace:
        yield Finding(INGRESS, "the service accepts only the callers `access` names and the ingress controller is not one of them: requests through the Ingress are refused and the metric never moves", "set `exposure.ingress.controllerNamespace` to the controller's namespace (its pods must run in the mesh)")


@rule("EXPOSE-02", "plain HTTP in a production environment", severity="warning", source="Istio Gateway servers (HTTP on port 80); the KServe-on-ASM seed's plain-HTTP gateway")
def plain_http_in_production(ctx: RuleContext) -> Iterator[Finding]:
    """`mesh.gateway.plainHttp` serves exposed services over plain HTTP, and an Ingress without
    `tlsSecretName` does too: fine on a test cluster (the seeds call their models over HTTP), but
    requests and responses cross the network readable and unauthenticated. In an environment
    marked `production: true` each public service exposed that way gets a warning."""
    spec, env = ctx.service.spec, ctx.environment.spec
    if not env.production:
        return
    if spec.exposure.public and env.mesh is not None and env.mesh.gateway.plain_http:
        yield Finding(("spec", "exposure", "public"), f"production environment {ctx.env_name!r} serves this service over plain HTTP on the mesh gateway (mesh.gateway.plainHttp)", "add `tls` to the environment and set mesh.gateway.plainHttp: false")
    if spec.exposure.ingress is not None and not spec.exposure.ingress.tls_secret_name:
        yield Finding(INGRESS, f"production environment {ctx.env_name!r} serves this service's Ingress over plain HTTP", "set `exposure.ingress.tlsSecretName` to the Secret of the host's certificate")
