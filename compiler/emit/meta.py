"""Metadata of environment-wide objects (gateway, issuer, certificate, namespace policy): they
belong to no single service, so they carry the environment's part-of and their own name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..spec.models import Environment
from ..upstream import MANAGED_BY

if TYPE_CHECKING:
    from ..plan.service import ServicePlan

SERVICE_LABEL = "app.kubernetes.io/name"


def environment_labels(name: str, env: Environment) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": env.spec.part_of or "inferplane",
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def service_name(plan: ServicePlan) -> str:
    """The ModelService a plan belongs to. A service split by version has one plan per
    InferenceService; all carry the service's name in this label (lower.recommended_labels),
    which is also the label the access policies select its pods by."""
    return plan.labels[SERVICE_LABEL]
