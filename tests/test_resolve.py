"""Each merge rule of overlays, one case per line of the README's table."""

from compiler.errors import Location
from compiler.source.resolve import Layer, merge, resolve_service
from compiler.source.yaml_io import parse_documents


def layer(text: str, path: str) -> Layer:
    docs, errors = parse_documents(text, path)
    assert not errors
    return Layer(docs[0].data, docs[0].positions, path)


def merged(base: str, over: str) -> Layer:
    return merge(layer(base, "base.yaml"), layer(over, "over.yaml"))


def test_maps_merge_deeply():
    result = merged("a: {b: 1, c: {d: 2, e: 3}}", "a: {c: {e: 4, f: 5}}")
    assert result.data == {"a": {"b": 1, "c": {"d": 2, "e": 4, "f": 5}}}


def test_scalar_replaced_and_position_points_at_overlay():
    result = merged("a:\n  b: 1\n  c: 2\n", "a:\n  c: 9\n")
    assert result.data["a"]["c"] == 9
    assert result.locate(("a", "c")) == Location("over.yaml", 2, 3)
    assert result.locate(("a", "b")) == Location("base.yaml", 2, 3)


def test_null_deletes_key():
    assert merged("a: {b: 1, c: 2}", "a: {b: null}").data == {"a": {"c": 2}}


def test_named_lists_merge_by_name_and_append_new_names():
    base = "env:\n- {name: A, value: '1'}\n- {name: B, value: '2'}\n"
    over = "env:\n- {name: C, value: '3'}\n- {name: B, value: '20'}\n"
    assert merged(base, over).data["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "20"},
        {"name": "C", "value": "3"},
    ]


def test_named_list_item_position_tracks_overlay():
    base = "env:\n- {name: A, value: '1'}\n"
    over = "\n\nenv:\n- {name: A, value: '2'}\n"
    result = merged(base, over)
    assert result.locate(("env", 0, "value")).path == "over.yaml"


def test_plain_lists_are_replaced_whole():
    assert merged("args: [a, b]", "args: [c]").data == {"args": ["c"]}


def test_type_change_overlay_wins():
    assert merged("a: {b: 1}", "a: 5").data == {"a": 5}


def test_neither_input_is_changed():
    base, over = layer("a: {b: 1}", "b.yaml"), layer("a: {c: 2}", "o.yaml")
    merge(base, over)
    assert base.data == {"a": {"b": 1}} and over.data == {"a": {"c": 2}}


def test_resolve_order_defaults_then_service_then_overlay():
    env, _ = parse_documents("spec:\n  defaults:\n    mode: standard\n    scaling: {minReplicas: 2, maxReplicas: 4}\n", "environments/x.yaml")
    service, _ = parse_documents("spec:\n  scaling: {minReplicas: 1}\n", "services/s.yaml")
    overlay, _ = parse_documents("spec:\n  scaling: {maxReplicas: 9}\n", "overlays/x/s.yaml")
    result = resolve_service(service[0], Layer.of(env[0], ("spec", "defaults")), overlay[0])
    assert result.data["spec"] == {"mode": "standard", "scaling": {"minReplicas": 1, "maxReplicas": 9}}
    assert result.locate(("spec", "mode")).path == "environments/x.yaml"
    assert result.locate(("spec", "scaling", "maxReplicas")).path == "overlays/x/s.yaml"
    assert result.locate(()).path == "services/s.yaml"


def test_null_in_service_removes_environment_default():
    env, _ = parse_documents("spec:\n  defaults:\n    scaling: {maxReplicas: 4}\n", "e.yaml")
    service, _ = parse_documents("spec:\n  scaling: {maxReplicas: null}\n", "s.yaml")
    result = resolve_service(service[0], Layer.of(env[0], ("spec", "defaults")), None)
    assert result.data["spec"]["scaling"] == {}


def test_versions_take_the_shared_predictor_and_change_only_their_keys():
    service, _ = parse_documents(
        "spec:\n  predictor:\n    model: {format: sklearn, storageUri: gs://m/1}\n  versions:\n  - name: v1\n    weight: 90\n  - name: v2\n    weight: 10\n    predictor:\n      model: {storageUri: gs://m/2}\n",
        "services/s.yaml",
    )
    result = resolve_service(service[0], None, None)
    v1, v2 = result.data["spec"]["versions"]
    assert v1["predictor"] == {"model": {"format": "sklearn", "storageUri": "gs://m/1"}}
    assert v2["predictor"] == {"model": {"format": "sklearn", "storageUri": "gs://m/2"}}
    assert result.locate(("spec", "versions", 1, "predictor", "model", "storageUri")).line == 10
    assert result.locate(("spec", "versions", 1, "predictor", "model", "format")).line == 3
