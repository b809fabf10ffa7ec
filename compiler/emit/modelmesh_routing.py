"""Emit the route from a mesh gateway to ModelMesh's `modelmesh-serving` Service, once per
namespace: every ModelMesh model of the namespace is served behind that one Service.

On Alibaba ASM (MM-04) the route uses dynamic subsets, in the exact shape of the seed
(../shared/seeds/001_*.txt, step 3): a DestinationRule groups the runtime pods by the label
`modelmesh.asm.alibabacloud.com`, which ModelMesh keeps set to the models each pod has loaded, and
the VirtualService turns the request header naming the model into that subset key, so a request
reaches a pod that has its model instead of being forwarded inside the mesh. Upstream Istio
rejects both fields; there the VirtualService routes to the Service without them.

The names carry `modelmesh-serving-` so they never meet the per-service routes (named after
services and their versions).
"""

from __future__ import annotations

from .manifest import Manifest
from ..plan.service import ServicePlan
from ..plan.modelmesh import ASM_MODEL_LABEL, SERVICE_NAME, is_modelmesh, routing_kind
from ..spec.modelmesh import ModelMeshRouting
from ..spec.models import Environment
from .modelmesh import environment_labels

# v1beta1 as in the seed: served by ASM 1.21 (Istio 1.21 has no v1) and by current Istio.
API_VERSION = "networking.istio.io/v1beta1"
DESTINATION_RULE_NAME = f"{SERVICE_NAME}-dynamic-subset"
# The gateways the route binds to come with the mesh's ModelMesh setup (the seed's grpc-gateway),
# not from this tree: declared so cross-reference checks (XREF-01) know they are external.
EXTERNAL_REFERENCES_ANNOTATION = "inferplane.dev/external-references"
VIRTUAL_SERVICE_NAME = f"{SERVICE_NAME}-gateway"
COMPONENT = "modelmesh-routing"


def destination_rule(routing: ModelMeshRouting, env: Environment) -> dict:
    assert routing.dynamic_subset is not None
    name = routing.adopt.destination_rule or DESTINATION_RULE_NAME
    selector = {"fallbackPolicy": routing.dynamic_subset.fallback_policy, "keys": [ASM_MODEL_LABEL]}
    return {
        "apiVersion": API_VERSION,
        "kind": "DestinationRule",
        "metadata": {"name": name, "namespace": env.spec.namespace, "labels": environment_labels(name, COMPONENT, env)},
        "spec": {"host": SERVICE_NAME, "trafficPolicy": {"loadBalancer": {"dynamicSubset": {"subsetSelectors": [selector]}}}},
    }


def _gateway_targets(routing: ModelMeshRouting, namespace: str) -> str:
    """`Gateway <namespace>/<name>` of each gateway; a bare name is in the route's namespace."""
    targets = {f"Gateway {g if '/' in g else f'{namespace}/{g}'}" for g in routing.gateways if g != "mesh"}
    return ",".join(sorted(targets))


def virtual_service(routing: ModelMeshRouting, env: Environment, dynamic: bool) -> dict:
    route: dict = {
        "name": "default",
        "match": [{"port": routing.port}],
        "route": [{"destination": {"host": SERVICE_NAME, "port": {"number": routing.service_port}}}],
    }
    if dynamic:
        assert routing.dynamic_subset is not None
        route["headerToDynamicSubsetKey"] = [{"header": routing.dynamic_subset.header, "key": ASM_MODEL_LABEL}]
    name = routing.adopt.virtual_service or VIRTUAL_SERVICE_NAME
    metadata = {"name": name, "namespace": env.spec.namespace, "labels": environment_labels(name, COMPONENT, env)}
    external = _gateway_targets(routing, env.spec.namespace)
    if external:
        metadata["annotations"] = {EXTERNAL_REFERENCES_ANNOTATION: external}
    return {
        "apiVersion": API_VERSION,
        "kind": "VirtualService",
        "metadata": metadata,
        "spec": {"gateways": list(routing.gateways), "hosts": list(routing.hosts), "http": [route]},
    }


def emit(plans: list[ServicePlan], env: Environment) -> list[Manifest]:
    """The route, when the environment asks for one and serves at least one ModelMesh model."""
    kind = routing_kind(env)
    if kind is None or not any(is_modelmesh(plan.mode) for plan in plans):
        return []
    routing = env.spec.modelmesh.routing  # type: ignore[union-attr]  # routing_kind checked it
    dynamic = kind == "dynamic-subset"
    manifests = [Manifest(virtual_service(routing, env, dynamic))]
    if dynamic:
        manifests.insert(0, Manifest(destination_rule(routing, env)))
    return manifests
