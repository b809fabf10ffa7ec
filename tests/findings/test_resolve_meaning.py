"""The overlay merge, whole: the exact data AND the exact file:line:col of every key after a merge
(deep maps, named lists merged item by item, `[]` replacing a named list, plain lists replaced,
`null` deleting, a type change), and after resolve (defaults ← service ← overlay, versions
expanded over the shared predictor). An error is only as good as the line it points at."""

from __future__ import annotations

from compiler.source.resolve import Layer, merge, merge_all, resolve_service, strip_deletions
from compiler.source.yaml_io import parse_documents

BASE = """a:
  b: 1
  c: 2
d: 3
env:
- name: A
  value: "1"
- name: B
  value: "2"
ports:
- name: http
  port: 80
args: [x, y]
gone: 1
"""
OVERLAY = """f: 6
a:
  c: 20
  e: 5
env:
- name: C
  value: "3"
- name: B
  value: "20"
  extra: x
ports: []
args: [z]
gone: null
missing: null
d: {now: map}
"""
SERVICE = """apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  predictor:
    model:
      format: sklearn
    env:
    - name: A
      value: "1"
  versions:
  - name: v1
    weight: 90
  - name: v2
    weight: 10
    predictor:
      model:
        storageUri: gs://b/2
      env:
      - name: A
        value: "2"
"""
ENVIRONMENT = """spec:
  defaults:
    mode: knative
    scaling:
      minReplicas: 1
    predictor:
      timeoutSeconds: 30
"""
SERVICE_OVERLAY = """spec:
  predictor:
    timeoutSeconds: null
    model:
      storageUri: gs://b/1
"""


def document(text: str, path: str):
    (loaded,), problems = parse_documents(text, path)
    assert problems == []
    return loaded


def layer(text: str, path: str) -> Layer:
    loaded = document(text, path)
    return Layer(loaded.data, loaded.positions, path)


def merged_example() -> Layer:
    return merge(layer(BASE, "base.yaml"), layer(OVERLAY, "over.yaml"))


def resolved_example() -> Layer:
    defaults = Layer.of(document(ENVIRONMENT, "environments/prod.yaml"), ("spec", "defaults"))
    return resolve_service(document(SERVICE, "services/iris.yaml"), defaults, document(SERVICE_OVERLAY, "overlays/prod/iris.yaml"))


def positions(result: Layer) -> dict:
    return {path: str(location) for path, location in result.positions.items()}


def test_merge_gives_exact_data_in_base_key_order():
    result = merged_example()
    assert result.data == MERGED_DATA
    assert list(result.data) == ["a", "d", "env", "ports", "args", "f"]  # base order, then new keys
    assert list(result.data["a"]) == ["b", "c", "e"]
    assert result.path == "base.yaml"


def test_merge_locates_every_key_where_it_was_set():
    assert positions(merged_example()) == MERGED_POSITIONS


def test_merge_changes_neither_input():
    base, overlay = layer(BASE, "base.yaml"), layer(OVERLAY, "over.yaml")
    merge(base, overlay)
    assert base.data == layer(BASE, "base.yaml").data
    assert overlay.data == layer(OVERLAY, "over.yaml").data


def test_resolve_gives_exact_data():
    assert resolved_example().data == RESOLVED_DATA


def test_resolve_locates_every_key_where_it_was_set():
    assert positions(resolved_example()) == RESOLVED_POSITIONS


def test_resolve_without_defaults_or_overlay_is_the_service_with_versions_expanded():
    result = resolve_service(document(SERVICE, "services/iris.yaml"), None, None)
    assert result.data["spec"]["versions"][0]["predictor"] == {"model": {"format": "sklearn"}, "env": [{"name": "A", "value": "1"}]}
    assert result.data["spec"]["versions"][1]["predictor"] == {"model": {"format": "sklearn", "storageUri": "gs://b/2"}, "env": [{"name": "A", "value": "2"}]}
    assert str(result.locate(("spec", "versions", 1, "predictor", "model", "format"))) == "services/iris.yaml:8:7"


def test_empty_defaults_are_no_layer():
    service = document(SERVICE, "services/iris.yaml")
    assert resolve_service(service, Layer({}, {}, "environments/prod.yaml"), None).data == resolve_service(service, None, None).data


def test_named_list_items_merge_deeply_and_a_partly_named_list_is_replaced():
    base = Layer({"env": [{"name": "A", "valueFrom": {"a": 1, "b": 2}}]}, {}, "b")
    assert merge(base, Layer({"env": [{"name": "A", "valueFrom": {"b": 3}}]}, {}, "o")).data == {"env": [{"name": "A", "valueFrom": {"a": 1, "b": 3}}]}
    partly = Layer({"env": [{"name": "Z"}, {"value": "no name"}]}, {}, "o")
    assert merge(base, partly).data == {"env": [{"name": "Z"}, {"value": "no name"}]}
    not_a_string = Layer({"env": [{"name": 1}]}, {}, "o")
    assert merge(base, not_a_string).data == {"env": [{"name": 1}]}


def test_merge_all_applies_layers_in_order():
    layers = [Layer({"a": 1, "b": 1}, {}, "1"), Layer({"a": 2}, {}, "2"), Layer({"a": 3, "c": 3}, {}, "3")]
    assert merge_all(layers).data == {"a": 3, "b": 1, "c": 3}
    assert merge_all(layers[:1]).data == {"a": 1, "b": 1}


def test_strip_deletions_removes_nulls_at_every_depth():
    result = strip_deletions(Layer({"a": None, "b": {"c": None, "d": 1}, "e": [{"f": None, "g": 2}, None]}, {}, "x"))
    assert result.data == {"b": {"d": 1}, "e": [{"g": 2}, None]}


def test_layer_of_re_roots_data_and_positions():
    loaded = document(SERVICE, "services/iris.yaml")
    part = Layer.of(loaded, ("spec", "versions", 1, "predictor"))
    assert part.data == {"model": {"storageUri": "gs://b/2"}, "env": [{"name": "A", "value": "2"}]}
    assert str(part.locate(("model", "storageUri"))) == "services/iris.yaml:19:9"
    assert Layer.of(loaded, ("spec", "versions", 5)).data == {}
    assert Layer.of(loaded, ("spec", "versions", -1)).data == {}
    assert Layer.of(loaded, ("kind", "x")).data == {}


def test_nested_under_moves_data_and_positions():
    moved = Layer({"a": 1}, {("a",): document("a: 1\n", "f.yaml").positions[("a",)]}, "f.yaml").nested_under(("spec", "x"))
    assert moved.data == {"spec": {"x": {"a": 1}}}
    assert positions(moved) == {("spec", "x", "a"): "f.yaml:1:1"}

# Read and checked by hand against BASE, OVERLAY, SERVICE, ENVIRONMENT and SERVICE_OVERLAY above.
MERGED_DATA = {'a': {'b': 1, 'c': 20, 'e': 5},
 'd': {'now': 'map'},
 'env': [{'name': 'A', 'value': '1'}, {'name': 'B', 'value': '20', 'extra': 'x'}, {'name': 'C', 'value': '3'}],
 'ports': [],
 'args': ['z'],
 'f': 6}
MERGED_POSITIONS = {('a', 'b'): 'base.yaml:2:3',
 ('a', 'c'): 'over.yaml:3:3',
 ('a', 'e'): 'over.yaml:4:3',
 ('a',): 'over.yaml:2:1',
 ('args', 0): 'over.yaml:12:8',
 ('args',): 'over.yaml:12:1',
 ('d', 'now'): 'over.yaml:15:5',
 ('d',): 'over.yaml:15:1',
 ('env', 0): 'base.yaml:6:3',
 ('env', 0, 'name'): 'base.yaml:6:3',
 ('env', 0, 'value'): 'base.yaml:7:3',
 ('env', 1): 'over.yaml:8:3',
 ('env', 1, 'extra'): 'over.yaml:10:3',
 ('env', 1, 'name'): 'over.yaml:8:3',
 ('env', 1, 'value'): 'over.yaml:9:3',
 ('env', 2): 'over.yaml:6:3',
 ('env', 2, 'name'): 'over.yaml:6:3',
 ('env', 2, 'value'): 'over.yaml:7:3',
 ('env',): 'over.yaml:5:1',
 ('f',): 'over.yaml:1:1',
 ('ports',): 'over.yaml:11:1',
 (): 'base.yaml:1:1'}
RESOLVED_DATA = {'spec': {'mode': 'knative',
          'scaling': {'minReplicas': 1},
          'predictor': {'model': {'format': 'sklearn', 'storageUri': 'gs://b/1'}, 'env': [{'name': 'A', 'value': '1'}]},
          'versions': [{'name': 'v1',
                        'weight': 90,
                        'predictor': {'model': {'format': 'sklearn', 'storageUri': 'gs://b/1'}, 'env': [{'name': 'A', 'value': '1'}]}},
                       {'name': 'v2',
                        'weight': 10,
                        'predictor': {'model': {'format': 'sklearn', 'storageUri': 'gs://b/2'}, 'env': [{'name': 'A', 'value': '2'}]}}]},
 'apiVersion': 'inferplane.dev/v1alpha1',
 'kind': 'ModelService',
 'metadata': {'name': 'iris'}}
RESOLVED_POSITIONS = {('apiVersion',): 'services/iris.yaml:1:1',
 ('kind',): 'services/iris.yaml:2:1',
 ('metadata', 'name'): 'services/iris.yaml:4:3',
 ('metadata',): 'services/iris.yaml:3:1',
 ('spec', 'mode'): 'environments/prod.yaml:3:5',
 ('spec', 'predictor'): 'overlays/prod/iris.yaml:2:3',
 ('spec', 'predictor', 'env'): 'services/iris.yaml:9:5',
 ('spec', 'predictor', 'env', 0): 'services/iris.yaml:10:7',
 ('spec', 'predictor', 'env', 0, 'name'): 'services/iris.yaml:10:7',
 ('spec', 'predictor', 'env', 0, 'value'): 'services/iris.yaml:11:7',
 ('spec', 'predictor', 'model'): 'overlays/prod/iris.yaml:4:5',
 ('spec', 'predictor', 'model', 'format'): 'services/iris.yaml:8:7',
 ('spec', 'predictor', 'model', 'storageUri'): 'overlays/prod/iris.yaml:5:7',
 ('spec', 'scaling'): 'environments/prod.yaml:4:5',
 ('spec', 'scaling', 'minReplicas'): 'environments/prod.yaml:5:7',
 ('spec', 'versions'): 'services/iris.yaml:12:3',
 ('spec', 'versions', 0): 'services/iris.yaml:13:5',
 ('spec', 'versions', 0, 'name'): 'services/iris.yaml:13:5',
 ('spec', 'versions', 0, 'predictor'): 'overlays/prod/iris.yaml:2:3',
 ('spec', 'versions', 0, 'predictor', 'env'): 'services/iris.yaml:9:5',
 ('spec', 'versions', 0, 'predictor', 'env', 0): 'services/iris.yaml:10:7',
 ('spec', 'versions', 0, 'predictor', 'env', 0, 'name'): 'services/iris.yaml:10:7',
 ('spec', 'versions', 0, 'predictor', 'env', 0, 'value'): 'services/iris.yaml:11:7',
 ('spec', 'versions', 0, 'predictor', 'model'): 'overlays/prod/iris.yaml:4:5',
 ('spec', 'versions', 0, 'predictor', 'model', 'format'): 'services/iris.yaml:8:7',
 ('spec', 'versions', 0, 'predictor', 'model', 'storageUri'): 'overlays/prod/iris.yaml:5:7',
 ('spec', 'versions', 0, 'weight'): 'services/iris.yaml:14:5',
 ('spec', 'versions', 1): 'services/iris.yaml:15:5',
 ('spec', 'versions', 1, 'name'): 'services/iris.yaml:15:5',
 ('spec', 'versions', 1, 'predictor'): 'services/iris.yaml:17:5',
 ('spec', 'versions', 1, 'predictor', 'env'): 'services/iris.yaml:20:7',
 ('spec', 'versions', 1, 'predictor', 'env', 0): 'services/iris.yaml:21:9',
 ('spec', 'versions', 1, 'predictor', 'env', 0, 'name'): 'services/iris.yaml:21:9',
 ('spec', 'versions', 1, 'predictor', 'env', 0, 'value'): 'services/iris.yaml:22:9',
 ('spec', 'versions', 1, 'predictor', 'model'): 'services/iris.yaml:18:7',
 ('spec', 'versions', 1, 'predictor', 'model', 'format'): 'services/iris.yaml:8:7',
 ('spec', 'versions', 1, 'predictor', 'model', 'storageUri'): 'services/iris.yaml:19:9',
 ('spec', 'versions', 1, 'weight'): 'services/iris.yaml:16:5',
 ('spec',): 'overlays/prod/iris.yaml:1:1',
 (): 'services/iris.yaml:1:1'}
