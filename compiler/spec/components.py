"""Spec models of the components KServe runs beside a predictor: a transformer (pre- and
post-processing in front of the model) and an explainer (explanations of its predictions).

Each component is its own set of pods, so it has its own container, resources, replica bounds
and GPU class (docs/workloads.md). Only `base.py` is imported: models.py imports this module.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import EnvVar, Int32, Int64, Resources, SpecModel


class GpuRequest(SpecModel):
    class_: str = Field(alias="class", description="GPU class from the environment's catalogue.")
    count: int = Field(1, ge=1, description="GPUs per replica.")


class ComponentContainer(SpecModel):
    """The component's own server: KServe passes it the predictor's host (--predictor_host)."""

    image: str = Field(description="Image of the component's server.")
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)


class ComponentScaling(SpecModel):
    """Replica bounds of one component; the mode's autoscaler (Knative or KServe's HPA) scales it."""

    min_replicas: Int32 | None = Field(None, description="Fewest replicas; 0 scales to zero (Knative mode only).")
    max_replicas: Int32 | None = Field(None, description="Most replicas.")
    container_concurrency: Int64 | None = Field(None, description="Hard limit of concurrent requests per replica (Knative mode).")


class ComponentBase(SpecModel):
    resources: Resources | None = None
    scaling: ComponentScaling = Field(default_factory=ComponentScaling)
    gpu: GpuRequest | None = Field(None, description="GPUs of a class from the environment's catalogue, per replica.")
    service_account_name: str | None = Field(None, description="Service account of the component's pods (absent: the predictor's).")
    timeout_seconds: Int64 | None = Field(None, ge=1, description="Request timeout of the component.")


class Transformer(ComponentBase):
    """Pre- and post-processing in front of the predictor: requests reach the transformer first."""

    container: ComponentContainer | None = Field(None, description="The transformer's server (KServe has no built-in transformer).")


class ArtExplainer(SpecModel):
    """KServe's built-in Adversarial Robustness Toolbox explainer (v1beta1 ARTExplainerSpec)."""

    type: Literal["SquareAttack"] = Field(description="The ART method (KServe's ARTExplainerType).")
    config: dict[str, str] = Field(default_factory=dict, description="Settings passed to the explainer.")
    storage_uri: str | None = Field(None, description="Where the explainer's artefacts live.")


class Explainer(ComponentBase):
    """Explanations of the predictor's answers, at :explain on the same URL."""

    container: ComponentContainer | None = Field(None, description="An explainer of your own (exclusive with art).")
    art: ArtExplainer | None = Field(None, description="KServe's built-in ART explainer (exclusive with container).")
