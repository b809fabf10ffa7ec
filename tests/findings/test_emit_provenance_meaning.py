"""emit/provenance.py, whole: the spec file:line a review comment names as the cause of a rendered
field (the emitter's origin, then the deepest key of the resolved spec below it), what kind of
file that is, and the map of one environment's objects to their causes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from compiler.emit.provenance import Provenance, environment_provenance, source_kind
from compiler.errors import Location
from compiler.source.resolve import Layer

SERVICE = Location("services/a.yaml", 16, 5)
LIMITS = Location("services/a.yaml", 18, 7)
DEFAULTS = Location("environments/prod.yaml", 24, 28)


def test_the_cause_is_the_deepest_spec_key_below_the_origin():
    provenance = Provenance(
        origins={"/spec/predictor/model/resources": SERVICE},
        positions={
            ("spec", "predictor", "resources"): SERVICE,
            ("spec", "predictor", "resources", "limits"): LIMITS,
            ("spec", "predictor", "resources", "limits", "memory"): DEFAULTS,
        },
    )
    assert provenance.cause("/spec/predictor/model/resources/limits/memory") == DEFAULTS
    assert provenance.cause("/spec/predictor/model/resources/limits/cpu") == LIMITS  # the nearest key the spec has
    assert provenance.cause("/spec/predictor/model/resources") == SERVICE
    assert provenance.cause("/spec/predictor/model/resources/requests") == SERVICE


def test_of_two_spec_keys_at_the_origin_the_deeper_match_wins_whichever_comes_first():
    deep, shallow = Location("services/a.yaml", 30, 9), Location("services/a.yaml", 20, 7)
    positions = {("a",): SERVICE, ("b",): SERVICE, ("a", "x", "y"): deep, ("b", "x"): shallow}
    for ordered in (positions, dict(reversed(list(positions.items())))):
        assert Provenance({"/o": SERVICE}, ordered).cause("/o/x/y") == deep


def test_no_origin_above_the_pointer_is_unknown_and_the_root_origin_covers_all():
    assert Provenance({"/spec": SERVICE}).cause("/metadata/name") is None
    assert Provenance({"/spec": SERVICE}).cause("") is None
    assert Provenance({"": SERVICE}).cause("/metadata/name") == SERVICE
    assert Provenance({"/spec": SERVICE}).describe("/metadata") == ("", "")


def test_pointer_tokens_are_unescaped_and_list_indexes_are_numbers():
    slash, tilde, item = Location("s/a.yaml", 2, 1), Location("s/a.yaml", 3, 1), Location("s/a.yaml", 4, 1)
    positions = {("m",): SERVICE, ("m", "a/b"): slash, ("m", "c~d"): tilde, ("m", "list", 0): item}
    provenance = Provenance({"/m": SERVICE}, positions)
    assert provenance.cause("/m/a~1b") == slash
    assert provenance.cause("/m/c~0d") == tilde
    assert provenance.cause("/m/list/0") == item


def test_describe_names_the_file_line_and_kind():
    service = Provenance({"": SERVICE})
    assert service.describe("/spec") == ("services/a.yaml:16", "service")
    # the environment file reaches a service's objects only through its defaults
    assert Provenance({"": DEFAULTS}).describe("/spec") == ("environments/prod.yaml:24", "defaults")
    assert Provenance({"": DEFAULTS}, of_environment=True).describe("/spec") == ("environments/prod.yaml:24", "environment")
    # a location without a line (a whole file) is the path alone
    assert Provenance({"": Location("services/a.yaml")}).describe("/spec") == ("services/a.yaml", "service")


def test_describe_shows_a_path_inside_the_project_root(tmp_path):
    inside = Location(str(tmp_path / "services" / "a.yaml"), 3, 1)
    assert Provenance({"": inside}, root=str(tmp_path)).describe("") == ("services/a.yaml:3", "service")
    outside = Location("/elsewhere/services/a.yaml", 3, 1)
    assert Provenance({"": outside}, root=str(tmp_path)).describe("") == ("/elsewhere/services/a.yaml:3", "service")


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("overlays/prod/patches/iris.yaml", "patch"),
        ("overlays/prod/iris.yaml", "overlay"),
        ("environments/prod.yaml", "environment"),
        ("services/iris.yaml", "service"),
        ("services\\iris.yaml", "service"),  # a Windows path
        ("iris.yaml", "spec"),
        # only folders count, never the file's own name
        ("patches", "spec"), ("overlays", "spec"), ("environments", "spec"), ("services", "spec"),
    ],
)
def test_source_kind_by_folder(path, kind):
    assert source_kind(Location(path, 1, 1)) == kind


def _plan(name: str, service: str, positions: dict, at: Location):
    return SimpleNamespace(name=name, service=service, layer=SimpleNamespace(positions=positions), locate=lambda: at)


def _manifest(kind: str, name: str, service: str | None, origins: dict):
    return SimpleNamespace(kind=kind, identity=("", kind, "ml-prod", name), service=service, origins=origins)


def test_environment_provenance_maps_each_object_and_each_service_to_its_cause():
    v1_positions = {("spec",): Location("services/iris.yaml", 5, 1)}
    plans = [_plan("iris-v1", "iris", v1_positions, Location("services/iris.yaml", 1, 1)), _plan("bare", "", {}, Location("services/bare.yaml", 1, 1))]
    env_layer = Layer({}, {("spec", "mesh", "gateway"): Location("environments/prod.yaml", 9, 5), ("spec",): Location("environments/prod.yaml", 5, 1)}, "environments/prod.yaml")
    manifests = [
        _manifest("InferenceService", "iris-v1", "iris-v1", {"": Location("services/iris.yaml", 6, 3)}),
        _manifest("VirtualService", "iris", "iris", {"": Location("services/iris.yaml", 7, 3)}),
        _manifest("Gateway", "gw", None, {}),
        _manifest("ConfigMap", "settings", None, {}),  # no block of its own: the environment's spec
        _manifest("Secret", "orphan", "gone", {"": Location("services/gone.yaml", 2, 1)}),
    ]
    found = environment_provenance(manifests, plans, env_layer, root="/project")
    assert set(found) == {"iris-v1", "iris", "bare", *(m.identity for m in manifests)}
    # a service, by either of its names, is its file's top, for objects a change no longer renders
    assert found["iris-v1"] == Provenance({"": Location("services/iris.yaml", 1, 1)}, {}, root="/project")
    assert found["iris"] == found["iris-v1"] and found["bare"] == Provenance({"": Location("services/bare.yaml", 1, 1)}, {}, root="/project")
    isvc, virtual, gateway, config, orphan = (found[m.identity] for m in manifests)
    assert isvc == Provenance(manifests[0].origins, v1_positions, root="/project")
    assert virtual == Provenance(manifests[1].origins, v1_positions, root="/project")  # by the service's name
    assert gateway == Provenance({"": Location("environments/prod.yaml", 9, 5)}, env_layer.positions, of_environment=True, root="/project")
    assert config == Provenance({"": Location("environments/prod.yaml", 5, 1)}, env_layer.positions, of_environment=True, root="/project")
    assert orphan == Provenance(manifests[4].origins, {}, root="/project")


def test_an_environment_object_with_origins_of_its_own_keeps_them():
    env_layer = Layer({}, {}, "environments/prod.yaml")
    manifest = _manifest("Gateway", "gw", None, {"": DEFAULTS})
    assert environment_provenance([manifest], [], env_layer)[manifest.identity] == Provenance({"": DEFAULTS}, {})
