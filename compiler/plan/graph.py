"""Lower a `mode: graph` service (docs/workloads.md): the InferenceGraph's nodes with each step's
target spelled for KServe (serviceName or nodeName), and the router's replica bounds.

The service's plan is a ServicePlan without predictor pods whose `graph` is the `GraphPlan` here
(plan/service.py fills it in, so every caller of lower_service gets it).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.graph import GraphSpec

MODE = "graph"
API_VERSION = "serving.kserve.io/v1alpha1"


@dataclass(frozen=True)
class GraphPlan:
    spec: GraphSpec
    labels: dict[str, str]


def step_targets(spec: GraphSpec) -> dict[str, list[str]]:
    """The nodes each node's steps call, for the cycle check."""
    return {name: [step.node for step in node.steps if step.node] for name, node in spec.nodes.items()}


def find_cycle(spec: GraphSpec) -> list[str] | None:
    """The nodes of one cycle, in call order and starting at the first node it reaches, or None."""
    edges = step_targets(spec)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in edges.get(node, []):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target in edges and target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in (["root"] if "root" in edges else []) + sorted(edges):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None
