"""Alibaba Service Mesh (ASM) fields on upstream Istio kinds: dynamic subset routing.

Upstream Istio's DestinationRule and VirtualService schemas reject these fields; an ASM control
plane accepts them. Validation of an environment with `mesh.provider: asm` extends the upstream
schemas by exactly them (validate_stage.py), so a misspelt key inside them is still an error.

Sources:
- Alibaba Cloud ASM, "Dynamic subset routing" (ASM >= 1.18):
  https://www.alibabacloud.com/help/en/asm/sidecar/dynamic-subset-routing — DestinationRule
  `spec.trafficPolicy.loadBalancer.dynamicSubset.subsetSelectors[].keys`, the fallback when no
  subset matches, and VirtualService `http[].headerToDynamicSubsetKey[]` mapping a request header
  to a subset key;
- "Use dynamic subset routing to accelerate inference in ModelMesh" (ASM >= 1.21.6.47), the seed
  ../shared/seeds/001_*.txt: `subsetSelectors: [{fallbackPolicy: ANY_ENDPOINT, keys:
  [modelmesh.asm.alibabacloud.com]}]` and `headerToDynamicSubsetKey: [{header: model, key:
  modelmesh.asm.alibabacloud.com}]`;
- the fallback policy names are Envoy's subset load balancer's
  (LbSubsetSelector.LbSubsetSelectorFallbackPolicy: NO_FALLBACK, ANY_ENDPOINT, DEFAULT_SUBSET),
  which ASM's dynamic subsets configure.

Left out, as neither source shows them: a `defaultValue` for a missing header and a selector-level
`defaultSubset`. Add them here, with their source, when ASM's reference confirms them.
"""

from __future__ import annotations

from .extensions import SchemaExtension

GROUP = "networking.istio.io"
# The versions Istio's CRDs serve (ASM 1.21, on Istio 1.21, serves v1alpha3 and v1beta1).
VERSIONS = ("v1alpha3", "v1beta1", "v1")
FALLBACK_POLICIES = ("NO_FALLBACK", "ANY_ENDPOINT", "DEFAULT_SUBSET")

# CRD-style OpenAPI (dialect "openapi"): converted like the CRD around it, so objects are closed.
DYNAMIC_SUBSET = {
    "type": "object",
    "description": "ASM: group the host's endpoints into subsets by the values of these label keys.",
    "properties": {
        "subsetSelectors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["keys"],
                "properties": {
                    "keys": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                    "fallbackPolicy": {"type": "string", "enum": list(FALLBACK_POLICIES)},
                },
            },
        },
    },
}
HEADER_TO_DYNAMIC_SUBSET_KEY = {
    "type": "array",
    "description": "ASM: take a subset key's value from a request header.",
    "items": {
        "type": "object",
        "required": ["header", "key"],
        "properties": {"header": {"type": "string"}, "key": {"type": "string"}},
    },
}


def _destination_rule(version: str) -> SchemaExtension:
    path = "/properties/spec/properties/trafficPolicy/properties/loadBalancer/properties/dynamicSubset"
    return SchemaExtension(GROUP, "DestinationRule", version, ops=({"op": "add", "path": path, "value": DYNAMIC_SUBSET},), dialect="openapi", name=f"asm-dynamic-subset/DestinationRule/{version}")


def _virtual_service(version: str) -> SchemaExtension:
    path = "/properties/spec/properties/http/items/properties/headerToDynamicSubsetKey"
    return SchemaExtension(GROUP, "VirtualService", version, ops=({"op": "add", "path": path, "value": HEADER_TO_DYNAMIC_SUBSET_KEY},), dialect="openapi", name=f"asm-dynamic-subset/VirtualService/{version}")


ASM_EXTENSIONS: tuple[SchemaExtension, ...] = tuple(make(version) for version in VERSIONS for make in (_destination_rule, _virtual_service))
