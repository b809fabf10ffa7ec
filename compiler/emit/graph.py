"""Emit KServe's InferenceGraph (serving.kserve.io/v1alpha1) of a `mode: graph` service: nodes
with routerType and steps (serviceName of a fleet service, or nodeName), router replicas and
timeout (CRD ../shared/crds/kserve/serving.kserve.io_inferencegraphs.yaml)."""

from __future__ import annotations

from ..errors import Location
from ..plan.graph import API_VERSION, GraphPlan
from ..plan.service import ServicePlan
from ..spec.graph import GraphStep
from ..spec.models import Environment
from .manifest import Manifest, drop_empty

KIND = "InferenceGraph"


def _step(step: GraphStep) -> dict:
    return drop_empty(
        {
            "name": step.name,
            "serviceName": step.service,
            "nodeName": step.node,
            "weight": step.weight,
            "condition": step.condition,
            "data": step.data,
            "dependency": step.dependency,
        }
    )


def _origins(plan: ServicePlan, graph: GraphPlan) -> dict[str, Location]:
    at = ("spec", "graph", "nodes")
    origins = {"": plan.locate(), "/metadata": plan.locate("metadata"), "/spec": plan.locate("spec", "graph")}
    for name, node in graph.spec.nodes.items():
        origins[f"/spec/nodes/{name}"] = plan.locate(*at, name)
        origins[f"/spec/nodes/{name}/routerType"] = plan.locate(*at, name, "routerType")
        for index, _step in enumerate(node.steps):
            origins[f"/spec/nodes/{name}/steps/{index}"] = plan.locate(*at, name, "steps", index)
            for key, spec_key in (("serviceName", "service"), ("nodeName", "node"), ("weight", "weight"), ("condition", "condition")):
                origins[f"/spec/nodes/{name}/steps/{index}/{key}"] = plan.locate(*at, name, "steps", index, spec_key)
    for key, spec_key in (("minReplicas", "minReplicas"), ("maxReplicas", "maxReplicas"), ("timeout", "timeoutSeconds")):
        origins[f"/spec/{key}"] = plan.locate("spec", "graph", spec_key)
    return origins


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    graph: GraphPlan | None = plan.graph
    if graph is None:
        return []
    spec = graph.spec
    body = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": drop_empty({"name": plan.name, "namespace": plan.namespace, "labels": dict(graph.labels), "annotations": dict(plan.annotations)}),
        "spec": drop_empty(
            {
                "nodes": {name: drop_empty({"routerType": node.router_type, "steps": [_step(step) for step in node.steps]}) for name, node in spec.nodes.items()},
                "minReplicas": spec.min_replicas,
                "maxReplicas": spec.max_replicas,
                "timeout": spec.timeout_seconds,
            }
        ),
    }
    return [Manifest(body, service=plan.name, origins=_origins(plan, graph))]
