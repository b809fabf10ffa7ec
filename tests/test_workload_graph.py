"""mode graph: the InferenceGraph a spec compiles to, and rules GRAPH-* (exact finding, nothing else)."""

from __future__ import annotations

import pytest

from compiler.rules.graph import gjson_problem
from tests.conftest import needs_shared
from tests.workload_project import compile_text, findings

AT = "services/iris.yaml"
GRAPH = "  mode: graph\n  graph:\n    nodes:\n"  # lines 6-8; nodes from line 9
RANKERS = ("ranker", "scorer")


def node(name: str, router: str, *steps: str) -> str:
    return f"      {name}:\n        routerType: {router}\n        steps:\n" + "".join(f"          - {step}\n" for step in steps)


SEQUENCE = GRAPH + node("root", "Sequence", "{service: ranker}", "{service: scorer, data: $response}")


@needs_shared
def test_two_step_sequence_renders_an_inference_graph(tmp_path):
    result = compile_text(tmp_path, SEQUENCE, others=RANKERS)
    assert result.ok, [d.format() for d in result.diagnostics]
    [graph] = [m.body for m in result.manifests if m.kind == "InferenceGraph"]
    assert graph["apiVersion"] == "serving.kserve.io/v1alpha1"
    assert graph["spec"] == {"nodes": {"root": {"routerType": "Sequence", "steps": [{"serviceName": "ranker"}, {"serviceName": "scorer", "data": "$response"}]}}}
    assert not [m for m in result.manifests if m.kind == "InferenceService" and m.name == "iris"]


FIRING = [
    ("GRAPH-01 no root node", GRAPH + node("first", "Sequence", "{service: ranker}"), {},
     f"{AT}:8:5: error[GRAPH-01]: the graph has no node named root, where requests enter — name the first node root (nodes: first)"),
    ("GRAPH-01 KServe 0.8", SEQUENCE, {"versions": {"kubernetes": "1.33", "kserve": "0.8.0"}},
     f"{AT}:6:3: error[GRAPH-01]: KServe 0.8.0 has no InferenceGraph (0.9 or later) — leave environment 'prod' out of spec.environments, or upgrade KServe at environments/prod.yaml:15:5"),
    ("GRAPH-02 Splitter weights sum to 90", GRAPH + node("root", "Splitter", "{service: ranker, weight: 60}", "{service: scorer, weight: 30}"), {},
     f"{AT}:11:9: error[GRAPH-02]: the weights of Splitter 'root' sum to 90, not 100 — make them sum to 100"),
    ("GRAPH-02 step with service and node", GRAPH + node("root", "Sequence", "{service: ranker, node: rank}"), {},
     f"{AT}:12:13: error[GRAPH-02]: step 0 of node 'root' calls both a service and a node — give it one of `service: <ModelService>` or `node: <node of this graph>`"),
    ("GRAPH-03 two nodes call each other", GRAPH + node("root", "Sequence", "{node: rank}") + node("rank", "Sequence", "{node: root}"), {},
     f"{AT}:9:7: error[GRAPH-03]: nodes call each other in a cycle: root → rank → root — break the cycle: a step should call a service, or a node further down"),
    ("GRAPH-03 a node calls itself", GRAPH + node("root", "Sequence", "{node: rank}") + node("rank", "Ensemble", "{service: ranker}", "{node: rank}"), {},
     f"{AT}:13:7: error[GRAPH-03]: nodes call each other in a cycle: rank → rank — break the cycle: a step should call a service, or a node further down"),
    ("GRAPH-04 single equals", GRAPH + node("root", "Switch", "{service: ranker, condition: 'instances.#(kind=\"a\")'}"), {},
     f"{AT}:12:31: error[GRAPH-04]: condition 'instances.#(kind=\"a\")' compares with a single `=`: GJSON's equality is `==` — write a GJSON path or query, e.g. instances.#(intent==\"chat\")"),
    ("GRAPH-04 unclosed query", GRAPH + node("root", "Switch", "{service: ranker, condition: 'instances.#(kind==\"a\"'}"), {},
     f"{AT}:12:31: error[GRAPH-04]: condition 'instances.#(kind==\"a\"' has a `#(` query that is never closed — write a GJSON path or query, e.g. instances.#(intent==\"chat\")"),
]


@needs_shared
@pytest.mark.parametrize("spec, env, expected", [case[1:] for case in FIRING], ids=[case[0] for case in FIRING])
def test_graph_rule_fires_alone(tmp_path, spec, env, expected):
    assert findings(tmp_path, spec, others=RANKERS, **env) == [expected]


@needs_shared
@pytest.mark.parametrize("others, expected", [
    (("scorer",), f"{AT}:12:14: error[GRAPH-XREF]: graph 'iris' calls service 'ranker', which environment 'prod' renders no InferenceService of — add the service to this environment (spec.environments), or call one it renders"),
    ((), f"{AT}:12:14: error[GRAPH-XREF]: graph 'iris' calls service 'ranker', which environment 'prod' renders no InferenceService of — add the service to this environment (spec.environments), or call one it renders"),
], ids=["one of two services missing", "no service at all"])
def test_graph_xref_fires_alone(tmp_path, others, expected):
    found = findings(tmp_path, SEQUENCE, others=others)
    assert found[0] == expected and all("GRAPH-XREF" in line and "'scorer'" in line for line in found[1:])
    assert len(found) == (1 if "scorer" in others else 2)


QUIET = [
    ("GRAPH-01 root Sequence", SEQUENCE),
    ("GRAPH-02 Splitter weights 70 + 30", GRAPH + node("root", "Splitter", "{service: ranker, weight: 70}", "{service: scorer, weight: 30}")),
    ("GRAPH-03 root calls a node that calls services", GRAPH + node("root", "Sequence", "{node: rank}", "{service: scorer}") + node("rank", "Ensemble", "{service: ranker}", "{service: scorer}")),
    ("GRAPH-04 Switch with GJSON queries", GRAPH + node("root", "Switch", "{service: ranker, condition: 'instances.#(kind==\"a\")'}", "{service: scorer, condition: 'instances.#(score>=0.5)#'}")),
    ("GRAPH-XREF every service rendered", GRAPH + node("root", "Ensemble", "{service: ranker}", "{service: scorer}")),
]


@needs_shared
@pytest.mark.parametrize("spec", [case[1] for case in QUIET], ids=[case[0] for case in QUIET])
def test_graph_rule_stays_quiet(tmp_path, spec):
    assert findings(tmp_path, spec, others=RANKERS) == []


@pytest.mark.parametrize("condition", ["instances.0.kind", 'instances.#(kind=="a")', "instances.#(score>0.5)#.id", 'request.#(name%"bert*")'])
def test_valid_gjson(condition):
    assert gjson_problem(condition) is None


@pytest.mark.parametrize("condition, problem", [
    ("", "is empty"), ("instances..kind", "has an empty path component"), ('instances.#(kind="a")', "compares with a single `=`: GJSON's equality is `==`"),
    ("instances.(kind)", "has a `(` at 11 that does not open a `#(` query"), ('kind=="a', "has a string that is never closed"),
])
def test_invalid_gjson(condition, problem):
    assert gjson_problem(condition) == problem


@needs_shared
def test_a_step_to_a_service_that_failed_its_own_checks_is_not_a_second_finding(tmp_path):
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "ranker.yaml").write_text("apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata:\n  name: ranker\nspec:\n  mode: knative\n  predictor:\n    model: {format: sklearn, storageUri: ftp://host/model}\n")
    found = findings(tmp_path, SEQUENCE, others=("scorer",))
    assert [line.split(": ", 2)[1] for line in found] == ["error[KS-07]"]
    assert found[0].startswith("services/ranker.yaml:8:")
