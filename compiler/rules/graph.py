"""Rules of a `mode: graph` service, KServe's InferenceGraph (docs/workloads.md): the graph's
shape (root, steps, Splitter weights, no cycles, GJSON conditions) before lowering, and after
emitting that every step's service is rendered in the same environment (GRAPH-XREF)."""

from __future__ import annotations

import re
from typing import Iterator

from ..plan.graph import MODE, find_cycle
from .llm import workload_block
from .manifests import ENVIRONMENT, EnvironmentContext, EnvironmentFinding
from .registry import Finding, RuleContext, rule

GRAPH = ("spec", "graph")
NODES = GRAPH + ("nodes",)
ROOT = "root"  # KServe's router starts every request at the node named root (graph_types.go)


def _steps(ctx: RuleContext):
    graph = ctx.service.spec.graph
    for name, node in (graph.nodes.items() if graph else []):
        for index, step in enumerate(node.steps):
            yield name, node, index, step


@rule("GRAPH-01", "a pipeline is `mode: graph` with a `graph` that has a root node, on KServe 0.9+", source="kserve_versions inference-graph (0.9); KServe graph_types.go")
def graph_service(ctx: RuleContext) -> Iterator[Finding]:
    """`mode: graph` renders KServe's InferenceGraph from the `graph` block, and nothing else (no
    predictor, transformer, explainer or versions). Requests enter the graph at the node named
    `root`. KServe has InferenceGraph from 0.9."""
    spec = ctx.service.spec
    yield from workload_block(ctx, MODE, "InferenceGraph", "{nodes: {root: {routerType: Sequence, steps: [...]}}}")
    if spec.mode != MODE:
        return
    if spec.graph is not None and ROOT not in spec.graph.nodes:
        yield Finding(NODES, "the graph has no node named root, where requests enter", f"name the first node root (nodes: {', '.join(sorted(spec.graph.nodes)) or 'none'})")
    if not ctx.release.has("inference-graph"):
        yield Finding(("spec", "mode"), f"KServe {ctx.environment.spec.versions.kserve} has no InferenceGraph (0.9 or later)", f"leave environment {ctx.env_name!r} out of spec.environments, or upgrade KServe at {ctx.version_line()}")
    for key in ("model", "container"):
        if getattr(spec.predictor, key) is not None:
            yield Finding(("spec", "predictor", key), "mode graph has no predictor: the steps call other services", f"remove predictor.{key}")
    for key in ("transformer", "explainer", "llm"):
        if getattr(spec, key) is not None:
            yield Finding(("spec", key), f"an InferenceGraph has no {key}", f"remove the {key}")


@rule("GRAPH-02", "each step calls one service or node; Splitter weights sum to 100; conditions only in a Switch", source="KServe InferenceGraph router (Splitter, Switch)")
def graph_steps(ctx: RuleContext) -> Iterator[Finding]:
    """A step calls a service of the fleet (`service`) or another node (`node`), not both. In a
    Splitter every step has a `weight` and the weights sum to 100; a weight elsewhere means
    nothing. A `condition` belongs to a Switch's steps."""
    graph = ctx.service.spec.graph
    for name, node, index, step in _steps(ctx):
        at = NODES + (name, "steps", index)
        if (step.service is None) == (step.node is None):
            yield Finding(at, f"step {index} of node {name!r} calls {'both a service and a node' if step.service else 'nothing'}", "give it one of `service: <ModelService>` or `node: <node of this graph>`")
        elif step.node is not None and graph and step.node not in graph.nodes:
            yield Finding(at + ("node",), f"step {index} of node {name!r} calls node {step.node!r}, which the graph does not have", f"use one of: {', '.join(sorted(graph.nodes))}")
        if step.weight is not None and node.router_type != "Splitter":
            yield Finding(at + ("weight",), f"a weight in a {node.router_type} node splits nothing", "remove it, or make the node a Splitter")
        if step.condition is not None and node.router_type != "Switch":
            yield Finding(at + ("condition",), f"a condition in a {node.router_type} node is never evaluated", "remove it, or make the node a Switch")
    for name, node in (graph.nodes.items() if graph else []):
        if node.router_type != "Splitter":
            continue
        weights = [step.weight for step in node.steps]
        if any(weight is None for weight in weights):
            yield Finding(NODES + (name, "steps"), f"every step of Splitter {name!r} needs a weight", "add `weight:` to each step (they sum to 100)")
        elif sum(weights) != 100:
            yield Finding(NODES + (name, "steps"), f"the weights of Splitter {name!r} sum to {sum(weights)}, not 100", "make them sum to 100")


@rule("GRAPH-03", "the graph has no cycle", source="KServe InferenceGraph router (a node calling itself never answers)")
def graph_cycles(ctx: RuleContext) -> Iterator[Finding]:
    """A node that reaches itself through `node:` steps sends every request round the cycle
    until it times out."""
    graph = ctx.service.spec.graph
    cycle = find_cycle(graph) if graph else None
    if cycle:
        yield Finding(NODES + (cycle[0],), f"nodes call each other in a cycle: {' → '.join(cycle)}", "break the cycle: a step should call a service, or a node further down")


# GJSON's syntax (tidwall/gjson SYNTAX.md): a path of keys separated by `.`, `#` for arrays,
# queries `#(...)` / `#(...)#` with the operators ==, !=, <, <=, >, >=, % and !%.
_QUERY_OPERATORS = re.compile(r"==|!=|<=|>=|!%|[<>%]")


def gjson_problem(condition: str) -> str | None:
    """Why KServe's GJSON would not read the condition, or None."""
    text = condition.strip()
    if not text:
        return "is empty"
    depth, quoted, escaped = 0, False, False
    for position, char in enumerate(text):
        if quoted:
            escaped, quoted = (not escaped and char == "\\"), quoted and (escaped or char != '"')
            continue
        if char == '"':
            quoted = True
        elif char == "(":
            if text[position - 1:position] != "#":
                return f"has a `(` at {position + 1} that does not open a `#(` query"
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return f"closes a query at {position + 1} that was never opened"
    if quoted:
        return "has a string that is never closed"
    if depth:
        return "has a `#(` query that is never closed"
    if text[0] in ".|" or text[-1] in ".|" or ".." in re.sub(r'"[^"]*"', "", text):
        return "has an empty path component"
    for query in re.findall(r"#\(([^()]*)\)", re.sub(r'"[^"]*"', '""', text)):
        if re.search(r"(?<![=!<>])=(?!=)", query):
            return "compares with a single `=`: GJSON's equality is `==`"
        if query and not _QUERY_OPERATORS.search(query) and not re.fullmatch(r"[\w.\-*?]+", query):
            return "has a query that is neither a path nor a comparison"
    return None


@rule("GRAPH-04", "Switch conditions are valid GJSON", source="tidwall/gjson SYNTAX.md; KServe InferenceGraph Switch")
def graph_conditions(ctx: RuleContext) -> Iterator[Finding]:
    """KServe evaluates a Switch step's `condition` with GJSON against the request: a condition
    GJSON cannot parse matches nothing, so the step is silently never taken. Equality is `==`;
    queries are `#(key==value)`."""
    for name, _node, index, step in _steps(ctx):
        problem = gjson_problem(step.condition) if step.condition is not None else None
        if problem:
            yield Finding(NODES + (name, "steps", index, "condition"), f"condition {step.condition!r} {problem}", "write a GJSON path or query, e.g. instances.#(intent==\"chat\")")


@rule("GRAPH-XREF", "every step's service is rendered in the same environment", source="KServe InferenceGraph serviceName (an InferenceService of the graph's namespace)", scope=ENVIRONMENT)
def graph_services(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """A step's `service` is the name of an InferenceService KServe finds in the graph's
    namespace. The service must be rendered in this environment under that name: not left out
    by `spec.environments`, and not split into one InferenceService per version. A service that
    failed its own checks is reported there, not again here."""
    rendered = {(m.namespace, m.name) for m in ctx.manifests if m.kind == "InferenceService"}
    for graph in (m for m in ctx.manifests if m.kind == "InferenceGraph"):
        for name, node in sorted((graph.body.get("spec") or {}).get("nodes", {}).items()):
            for index, step in enumerate(node.get("steps") or []):
                service = step.get("serviceName")
                if service and (graph.namespace, service) not in rendered and service not in ctx.extra.get("failed_services", ()):
                    pointer = f"/spec/nodes/{name}/steps/{index}/serviceName"
                    yield EnvironmentFinding(ctx.at_manifest(graph, pointer), f"graph {graph.name!r} calls service {service!r}, which environment {ctx.env_name!r} renders no InferenceService of", "add the service to this environment (spec.environments), or call one it renders")
