"""Spec of an inference pipeline: `mode: graph` and a `graph:` block rendered as KServe's
InferenceGraph over services of the fleet, by name (docs/workloads.md).

Only base.py is imported: models.py imports this module.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Int32, SpecModel

RouterType = Literal["Sequence", "Splitter", "Ensemble", "Switch"]


class GraphStep(SpecModel):
    """One step: a service of the fleet (by its ModelService name) or another node of the graph."""

    service: str | None = Field(None, description="A ModelService of the fleet rendered in the same environment (serviceName).")
    node: str | None = Field(None, description="Another node of this graph (nodeName).")
    name: str | None = Field(None, description="The step's name (Sequence: $response of a named step).")
    weight: int | None = Field(None, description="Splitter: the step's share of the traffic; the weights sum to 100.")
    condition: str | None = Field(None, description="Switch: a GJSON condition on the request, e.g. `instances.#(intent==\"chat\")`.")
    data: Literal["$request", "$response"] | None = Field(None, description="Sequence: send the graph's request or the previous step's response.")
    dependency: Literal["Soft", "Hard"] | None = Field(None, description="Hard: the graph fails when this step fails.")


class GraphNode(SpecModel):
    router_type: RouterType = Field(description="Sequence, Splitter (weights), Ensemble (all, merged) or Switch (conditions).")
    steps: list[GraphStep] = Field(default_factory=list)


class GraphSpec(SpecModel):
    nodes: dict[str, GraphNode] = Field(description="The graph's nodes by name; requests enter at `root`.")
    min_replicas: Int32 | None = Field(None, ge=0, description="Fewest router replicas.")
    max_replicas: Int32 | None = Field(None, ge=0, description="Most router replicas.")
    timeout_seconds: Int32 | None = Field(None, ge=1, description="Request timeout of the router.")
