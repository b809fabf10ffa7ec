"""GPU budget: per environment and GPU class, the GPUs the services can use at their most replicas,
against the class's quota. Results are data; the CLI decides how to print them.

A service at its ceiling uses maxReplicas × GPUs per replica (Standard mode raises a missing
maxReplicas to minReplicas; Knative without maxReplicas has no ceiling). Canary predictors will
add their own shares when the spec grows them.

Rule GPU-BUDGET checks each service on its own before lowering (a service that alone exceeds the
quota is never planned); `budget_diagnostics` reports the classes that the services exceed together.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import Diagnostic, Location
from .llm import llm_gpu_shares
from .ray import environment_clusters
from .service import ServicePlan
from ..source.resolve import Layer
from ..spec.models import Environment


@dataclass(frozen=True)
class BudgetShare:
    service: str
    max_replicas: int | None  # None: no upper bound
    gpus_per_replica: int

    @property
    def gpus(self) -> int | None:
        return None if self.max_replicas is None else self.max_replicas * self.gpus_per_replica


@dataclass(frozen=True)
class BudgetLine:
    environment: str
    gpu_class: str
    resource: str
    memory: str | int | float | None  # per GPU, informational
    quota: int | None  # None: the environment sets no quota for the class
    shares: tuple[BudgetShare, ...]

    @property
    def demand(self) -> int | None:
        """GPUs the class's services use at their ceilings; None when one of them is unbounded."""
        if any(share.gpus is None for share in self.shares):
            return None
        return sum(share.gpus or 0 for share in self.shares)

    @property
    def over(self) -> bool:
        if self.quota is None:
            return False
        demand = self.demand
        return demand is None or demand > self.quota

    def to_dict(self) -> dict:
        return {
            "environment": self.environment,
            "gpuClass": self.gpu_class,
            "resource": self.resource,
            "memory": self.memory,
            "quota": self.quota,
            "demand": self.demand,
            "over": self.over,
            "services": [{"name": s.service, "maxReplicas": s.max_replicas, "gpusPerReplica": s.gpus_per_replica, "gpus": s.gpus} for s in self.shares],
        }


def gpu_budget(plans: list[ServicePlan], env: Environment) -> list[BudgetLine]:
    """One line per GPU class the environment defines, in class-name order."""
    shares: dict[str, list[BudgetShare]] = {name: [] for name in env.spec.gpu_classes}
    for plan in sorted(plans, key=lambda p: p.name):
        if plan.gpu is not None and plan.gpu.class_name in shares:
            shares[plan.gpu.class_name].append(BudgetShare(plan.name, plan.autoscaler.ceiling, plan.gpu.count))
        for share, class_name, pods, per_pod in llm_gpu_shares(plan):  # an LLM's pools (plan/llm.py)
            if class_name in shares:
                shares[class_name].append(BudgetShare(share, pods, per_pod))
        for group, gpu, pods in plan.ray.cluster.gpu_groups() if plan.ray and plan.ray.cluster else ():  # a Ray group at its most pods
            if gpu.class_name in shares:
                shares[gpu.class_name].append(BudgetShare(f"{plan.name}/{group}", pods, gpu.count))
        for component in plan.components:  # a transformer or explainer on GPUs counts as its own share
            if component.gpu is not None and component.gpu.class_name in shares:
                shares[component.gpu.class_name].append(BudgetShare(f"{plan.name}/{component.kind}", component.ceiling, component.gpu.count))
    for cluster in environment_clusters(env):  # the environment's shared Ray clusters
        for group, gpu, pods in cluster.gpu_groups():
            shares[gpu.class_name].append(BudgetShare(f"raycluster/{cluster.name}/{group}", pods, gpu.count))
    return [
        BudgetLine(env.metadata.name, name, gpu_class.resource, gpu_class.memory, gpu_class.quota, tuple(shares[name]))
        for name, gpu_class in sorted(env.spec.gpu_classes.items())
    ]


def _share_text(share: BudgetShare) -> str:
    if share.max_replicas is None:
        return f"{share.service} unbounded × {share.gpus_per_replica}"
    return f"{share.service} {share.max_replicas} × {share.gpus_per_replica}"


def budget_diagnostics(lines: list[BudgetLine], env_layer: Layer | None = None) -> list[Diagnostic]:
    """GPU-BUDGET errors for the classes whose services together exceed the quota.

    `env_layer` (the environment document) locates the error at the class's quota."""
    found = []
    for line in lines:
        if not line.over:
            continue
        key_path = ("spec", "gpuClasses", line.gpu_class, "quota")
        location = env_layer.locate(key_path) if env_layer is not None else Location(f"environments/{line.environment}.yaml")
        demand = "no upper bound" if line.demand is None else f"{line.demand} GPUs"
        found.append(
            Diagnostic(
                "GPU-BUDGET",
                f"GPU class {line.gpu_class!r} needs {demand} at most replicas ({', '.join(_share_text(s) for s in line.shares)}), above its quota of {line.quota}",
                "lower maxReplicas of these services (an overlay per environment), or raise the quota",
                location,
                "error",
                key_path,
                line.environment,
            )
        )
    return found


def budget_text(lines: list[BudgetLine]) -> str:
    """A short table for people: `<env> <class>: <demand>/<quota> GPUs (service max × per replica, ...)`."""
    rows = []
    for line in lines:
        demand = "unbounded" if line.demand is None else str(line.demand)
        quota = "no quota" if line.quota is None else str(line.quota)
        mark = "  OVER" if line.over else ""
        services = ", ".join(_share_text(s) for s in line.shares) or "unused"
        rows.append(f"{line.environment} {line.gpu_class} ({line.resource}): {demand}/{quota} GPUs ({services}){mark}")
    return "\n".join(rows)
