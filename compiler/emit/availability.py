"""Emit the PodDisruptionBudget (policy/v1, kubernetes_versions PDB_API) of a Standard-mode service that always runs several
replicas, so node drains and upgrades take its predictor pods down one at a time.

Knative mode is left alone: Knative drains revision pods through its own activator.
"""

from __future__ import annotations

from .. import naming, upstream
from .manifest import Manifest
from ..plan.service import ServicePlan
from ..spec.models import Environment
from ..plan.kubernetes_versions import PDB_API, kubernetes_of


def pdb_name(isvc: str) -> str:
    """Not `<isvc>-predictor`: newer KServe reconciles a PDB of that name from its own
    podDisruptionBudget field and deletes it when that field is unset (pdb_reconciler.go)."""
    return naming.predictor_object_name(isvc, "pdb")


def pod_disruption_budget(plan: ServicePlan, env: Environment) -> dict:
    return {
        "apiVersion": kubernetes_of(env).api(PDB_API),
        "kind": "PodDisruptionBudget",
        "metadata": {"name": pdb_name(plan.name), "namespace": plan.namespace, "labels": dict(plan.labels)},
        "spec": {
            # maxUnavailable (not minAvailable) keeps working at any replica count an autoscaler picks.
            "maxUnavailable": 1,
            "selector": {"matchLabels": upstream.predictor_pod_labels(plan.name)},
        },
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    if not plan.spread:
        return []
    return [Manifest(pod_disruption_budget(plan, env), service=plan.name, origins={"": plan.locate("spec", "scaling", "minReplicas")})]
