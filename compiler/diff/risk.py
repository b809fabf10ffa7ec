"""What a reviewer must look at first: the changes that can break or open more than one service.

Ranked, highest first (the rank is the tuple's first element):
0. a removed cluster-scoped or shared object (a ClusterIssuer, a Gateway, a PeerAuthentication,
   a Namespace): every service using it breaks, in every namespace for cluster-scoped ones;
1. wider access: an AuthorizationPolicy rule added, or mTLS moved off STRICT;
2. traffic moving in production (an environment whose name starts with "prod");
3. a major image version bump (the first number of the tag changes);
4. a GPU budget change (GPUs per replica or the GPU class), and a GPU class whose demand at most
   replicas grows (plan/budget.py's figure, when the head was compiled);
5. an exposure change (a host added to or removed from a route or the Gateway).
Everything else is listed after, in the summary, as before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .result import DiffResult, EnvironmentDiff, ResourceChange, SummaryItem

SHARED_KINDS = frozenset({"Gateway", "PeerAuthentication", "Namespace", "ClusterIssuer", "Issuer", "ClusterServingRuntime", "ServingRuntime", "Certificate"})
_MAJOR = re.compile(r"^v?(\d+)")


@dataclass(frozen=True, order=True)
class Risk:
    rank: int
    environment: str
    text: str


def _major(tag: object) -> int | None:
    match = _MAJOR.match(str(tag).rsplit(":", 1)[-1]) if tag is not None else None
    return int(match.group(1)) if match else None


def _removed(environment: EnvironmentDiff, change: ResourceChange) -> Risk | None:
    if change.status != "removed":
        return None
    identity = change.identity
    if identity.namespace and identity.kind not in SHARED_KINDS:
        return None
    scope = "cluster-scoped" if not identity.namespace else "shared"
    return Risk(0, environment.name, f"removes the {scope} {change.display}")


def _item_risk(environment: EnvironmentDiff, item: SummaryItem) -> Risk | None:
    text = item.text
    if item.topic == "authorization" and "rule added" in text:
        return Risk(1, environment.name, f"wider access: {text}")
    if item.topic == "mtls" and str(item.old) == "STRICT" and str(item.new) != "STRICT":
        return Risk(1, environment.name, f"weaker mTLS: {text}")
    if item.topic == "traffic" and environment.name.startswith("prod"):
        return Risk(2, environment.name, f"production traffic moves: {text}")
    if item.topic == "images":
        old, new = _major(item.old), _major(item.new)
        if old is not None and new is not None and old != new:
            return Risk(3, environment.name, f"major image version: {text}")
    if item.topic == "gpu":
        return Risk(4, environment.name, f"GPU budget: {text}")
    if item.topic == "hosts":
        return Risk(5, environment.name, f"exposure: {text}")
    return None


def risks(result: DiffResult) -> list[Risk]:
    """Every risky change, highest rank first, each once."""
    found: set[Risk] = set()
    for environment in result.environments:
        for change in environment.changes:
            risk = _removed(environment, change)
            if risk:
                found.add(risk)
        for item in environment.summary:
            risk = _item_risk(environment, item)
            if risk:
                found.add(risk)
        for line in environment.gpu_budget:
            if line.grows:
                found.add(Risk(4, environment.name, f"GPU budget grows: class {line.gpu_class} {budget_figure(line.old)} → {budget_figure(line.new)} GPUs{_quota(line.quota)}"))
    return sorted(found)


def budget_figure(demand: object) -> str:
    return "none" if demand is None else str(demand)


def _quota(quota: int | None) -> str:
    return "" if quota is None else f" (quota {quota})"
