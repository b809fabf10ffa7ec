"""The ASM schema extension: the seed's dynamic-subset fields fail upstream Istio's schemas and pass
with the extension, which still rejects what ASM would not take; compile uses it for ASM only."""

from __future__ import annotations

import copy

import pytest

from compiler.spec.models import Environment
from compiler.validate import SchemaRegistry, ValidationInput, validate_objects
from compiler.validate.asm import ASM_EXTENSIONS
from compiler.validate.stage import SchemaRegistryCache, mesh_extensions
from tests.conftest import SHARED_CRDS, needs_shared
from tests.helpers import BASE_ENV, patched
from tests.test_emit_modelmesh import SEED_DESTINATION_RULE_SPEC, SEED_VIRTUAL_SERVICE_SPEC


def seed_object(kind: str, version: str = "v1beta1") -> dict:
    spec = SEED_DESTINATION_RULE_SPEC if kind == "DestinationRule" else SEED_VIRTUAL_SERVICE_SPEC
    return {"apiVersion": f"networking.istio.io/{version}", "kind": kind, "metadata": {"name": "modelmesh-serving", "namespace": "modelmesh-serving"}, "spec": copy.deepcopy(spec)}


def pointers(body: dict, extensions=()) -> list[str]:
    registry = SchemaRegistry("1.33", crd_paths=[SHARED_CRDS / "istio"], extensions=extensions)
    return [issue.pointer for issue in validate_objects([ValidationInput(body, "object.yaml")], registry).issues]


@needs_shared
@pytest.mark.parametrize("version", ["v1beta1", "v1"])
def test_seed_destination_rule_fails_upstream_and_passes_with_the_extension(version):
    rule = seed_object("DestinationRule", version)
    assert pointers(rule) == ["/spec/trafficPolicy/loadBalancer/dynamicSubset"]
    assert pointers(rule, ASM_EXTENSIONS) == []


@needs_shared
@pytest.mark.parametrize("version", ["v1beta1", "v1"])
def test_seed_virtual_service_fails_upstream_and_passes_with_the_extension(version):
    service = seed_object("VirtualService", version)
    assert pointers(service) == ["/spec/http/0/headerToDynamicSubsetKey"]
    assert pointers(service, ASM_EXTENSIONS) == []


@needs_shared
def test_the_extension_still_rejects_what_asm_would_not_take():
    rule = seed_object("DestinationRule")
    selector = rule["spec"]["trafficPolicy"]["loadBalancer"]["dynamicSubset"]["subsetSelectors"][0]
    selector["fallbackPolicy"] = "ANYWHERE"
    selector["key"] = selector.pop("keys")
    assert sorted(pointers(rule, ASM_EXTENSIONS)) == [
        "/spec/trafficPolicy/loadBalancer/dynamicSubset/subsetSelectors/0/fallbackPolicy",
        "/spec/trafficPolicy/loadBalancer/dynamicSubset/subsetSelectors/0/key",
        "/spec/trafficPolicy/loadBalancer/dynamicSubset/subsetSelectors/0/keys",  # required
    ]
    service = seed_object("VirtualService")
    service["spec"]["http"][0]["headerToDynamicSubsetKey"][0]["defaultValue"] = "tf-mnist"
    assert pointers(service, ASM_EXTENSIONS) == ["/spec/http/0/headerToDynamicSubsetKey/0/defaultValue"]


def test_only_asm_environments_get_the_extension():
    asm = Environment.model_validate(patched(BASE_ENV, {"spec": {"mesh": {"provider": "asm"}}}))
    istio = Environment.model_validate(patched(BASE_ENV, {"spec": {"mesh": {}}}))
    assert mesh_extensions(asm) == ASM_EXTENSIONS
    assert mesh_extensions(istio) == () and mesh_extensions(Environment.model_validate(BASE_ENV)) == ()


def test_registry_cache_keeps_extended_and_upstream_schemas_apart():
    cache = SchemaRegistryCache()
    upstream = cache.get("1.33", (), ())
    extended = cache.get("1.33", (), (), ASM_EXTENSIONS)
    assert upstream is not extended and upstream.extensions == () and extended.extensions == ASM_EXTENSIONS
    assert cache.get("1.33", (), (), ASM_EXTENSIONS) is extended


def test_extensions_are_named_and_cover_every_served_version():
    names = [extension.name for extension in ASM_EXTENSIONS]
    assert len(set(names)) == len(names) == 6
    assert {(e.kind, e.version) for e in ASM_EXTENSIONS} == {(kind, version) for kind in ("DestinationRule", "VirtualService") for version in ("v1alpha3", "v1beta1", "v1")}
