"""Exposure and access of the workloads that are not an InferenceService but answer HTTP at one
endpoint: an InferenceGraph's router and a Ray Serve application. Each gets the TrafficPlan and
AccessPlan a single-predictor service gets (plan/traffic.py endpoint_traffic, plan/access.py), so
the same emitters render its VirtualService, gateway host and certificate, and its
AuthorizationPolicies (docs/workloads.md)."""

from __future__ import annotations

from dataclasses import replace

from .. import upstream
from .access import plan_access
from .graph import MODE as GRAPH
from .ray import CLUSTER_LABEL, MODE as RAY, SERVE_PORT, RayPlan
from .service import ServicePlan
from ..spec.models import Environment, ModelService
from .traffic import KNATIVE_LOCAL_GATEWAY, KNATIVE_LOCAL_GATEWAY_PORT, Destination, cluster_host, endpoint_traffic

ENDPOINT_MODES = (GRAPH, RAY)


def with_endpoint(plan: ServicePlan, service: ModelService, env: Environment, ray: RayPlan | None) -> ServicePlan:
    """The plan with its routes and access policies, for a graph or a Ray Serve app."""
    name, namespace = service.metadata.name, env.spec.namespace
    if service.spec.mode == GRAPH:
        # The router is a Knative Service named like the graph (KServe's default Serverless mode):
        # reached through knative-local-gateway by its cluster-local Host, like a Knative predictor.
        # Its in-mesh host is net-istio's VirtualService's, and two for one host do not merge.
        destination = Destination(None, 100, KNATIVE_LOCAL_GATEWAY, KNATIVE_LOCAL_GATEWAY_PORT, host_header=cluster_host(name, namespace))
        mesh_host, selector, guarded = None, {upstream.INFERENCEGRAPH_POD_LABEL: name}, ()
    elif ray is not None:
        host = cluster_host(ray.serve_service(name), namespace)
        destination, mesh_host = Destination(None, 100, host, SERVE_PORT), host
        # A shared cluster's pods carry only KubeRay's labels: the policies cover the whole cluster.
        selector = {CLUSTER_LABEL: ray.shared_cluster} if ray.shared_cluster else None
        # Ray's pods call each other, and KubeRay's operator their dashboard, on the other ports.
        guarded = (str(SERVE_PORT),)
    else:
        return plan
    traffic = endpoint_traffic(service, env, destination, mesh_host)
    return replace(plan, traffic=traffic, exposure=service.spec.exposure, access=plan_access(service, env, selector, guarded))
