"""Emit a service's Istio routes (networking.istio.io/v1): its VirtualService, the DestinationRules
its route's subsets live in, and the Service that gives a split service's in-mesh host a name.

All decisions are in traffic_plan.TrafficPlan; this module only arranges them. The VirtualService is
`<service>-route`, never `<isvc>`: in Knative mode KServe owns a VirtualService of that name for
the InferenceService's own hosts (IS-01). DestinationRules sort before routes in the apply order
and in Argo CD's sync waves (manifest.apply_rank), so no route names a subset Istio does not know (IS-03).
"""

from __future__ import annotations

from .manifest import Manifest
from ..plan.service import ServicePlan
from ..spec.models import Environment
from ..plan.traffic import Destination, MeshService, SubsetRule, TrafficPlan

API_VERSION = "networking.istio.io/v1"


def _destination(destination: Destination, weighted: bool) -> dict:
    target: dict = {"host": destination.host, "port": {"number": destination.port}}
    if destination.subset is not None:
        target["subset"] = destination.subset
    body: dict = {"destination": target}
    if weighted:
        body["weight"] = destination.weight
    if destination.host_header is not None:
        # knative-local-gateway picks the Knative Service by Host, as KServe's own route does.
        body["headers"] = {"request": {"set": {"Host": destination.host_header}}}
    return body


def http_route(traffic: TrafficPlan) -> dict:
    weighted = len(traffic.destinations) > 1
    route: dict = {"name": "versions" if weighted else "predictor", "route": [_destination(d, weighted) for d in traffic.destinations]}
    if traffic.match_headers:
        # One match block: every header must match (Istio ANDs the fields of one block).
        route["match"] = [{"headers": {header["name"]: dict(header["condition"]) for header in traffic.match_headers}}]
    if traffic.timeout_seconds is not None:
        route["timeout"] = f"{traffic.timeout_seconds}s"
    if traffic.retries is not None:
        route["retries"] = dict(traffic.retries)
    return route


def virtual_service(traffic: TrafficPlan, labels: dict[str, str]) -> dict:
    return {
        "apiVersion": API_VERSION,
        "kind": "VirtualService",
        "metadata": {"name": traffic.route_name, "namespace": traffic.namespace, "labels": dict(labels)},
        "spec": {"hosts": list(traffic.hosts), "gateways": list(traffic.gateways), "http": [http_route(traffic)]},
    }


def destination_rule(rule: SubsetRule, namespace: str, labels: dict[str, str]) -> dict:
    return {
        "apiVersion": API_VERSION,
        "kind": "DestinationRule",
        "metadata": {"name": rule.name, "namespace": namespace, "labels": dict(labels)},
        "spec": {"host": rule.host, "subsets": [{"name": rule.subset, "labels": dict(rule.labels)}]},
    }


def mesh_service(service: MeshService, namespace: str, labels: dict[str, str]) -> dict:
    spec: dict
    if service.external_name is not None:
        spec = {"type": "ExternalName", "externalName": service.external_name}
    else:
        spec = {"selector": dict(service.selector or {})}
    # Named `http` so Istio routes it as HTTP; the ExternalName alias needs the port for the same reason.
    port: dict = {"name": "http", "port": 80, "protocol": "TCP"}
    if service.target_port is not None:
        port["targetPort"] = service.target_port
    spec["ports"] = [port]
    # The component label tells this Service from KServe's (which copy the ISVC's labels).
    metadata_labels = {**labels, "app.kubernetes.io/component": "route"}
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": service.name, "namespace": namespace, "labels": metadata_labels}, "spec": spec}


def service_routes(plan: ServicePlan, traffic: TrafficPlan) -> list[Manifest]:
    if not traffic.virtual_service:
        return []
    versions = plan.locate("spec", "versions") if traffic.weights else plan.locate("spec", "exposure")
    origins = {
        "": plan.locate("spec", "exposure"),
        "/spec/hosts": plan.locate("spec", "exposure", "public"),
        "/spec/http/0/route": versions,
        "/spec/http/0/match": plan.locate("spec", "exposure", "matchHeaders"),
        "/spec/http/0/timeout": plan.locate("spec", "exposure", "timeoutSeconds"),
        "/spec/http/0/retries": plan.locate("spec", "exposure", "retries"),
    }
    if len(traffic.destinations) == len(traffic.weights):  # one destination per version, in order
        for index, _ in enumerate(traffic.weights):
            origins[f"/spec/http/0/route/{index}"] = plan.locate("spec", "versions", index, "weight")
    manifests = [Manifest(virtual_service(traffic, plan.labels), service=traffic.service, origins=origins)]
    for rule in traffic.subset_rules:
        manifests.append(Manifest(destination_rule(rule, traffic.namespace, plan.labels), service=traffic.service, origins={"": plan.locate("spec", "versions", rule.version_index)}))
    if traffic.mesh_service is not None:
        manifests.append(Manifest(mesh_service(traffic.mesh_service, traffic.namespace, plan.labels), service=traffic.service, origins={"": versions}))
    return manifests


def emit(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    """Once per service: the plans of a split service share one TrafficPlan."""
    manifests: list[Manifest] = []
    seen: set[str] = set()
    for plan in plans:
        traffic = plan.traffic
        if traffic is None or traffic.service in seen:
            continue
        seen.add(traffic.service)
        manifests.extend(service_routes(plan, traffic))
    return manifests
