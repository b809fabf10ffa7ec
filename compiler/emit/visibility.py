"""The label that keeps an `exposure.internal` InferenceService off the edge KServe and Knative
would give it on their own.

Knative mode: Knative publishes a Service on its external gateway unless it is labelled
`networking.knative.dev/visibility: cluster-local` (Knative docs, "Configuring private
Services"); KServe copies the InferenceService's labels onto it and then makes no external
VirtualService either (KServe VirtualServiceBuilder.determineIfInternal). Standard mode: KServe
creates an Ingress or HTTPRoute for every InferenceService unless it is labelled
`networking.kserve.io/visibility: cluster-local` (KServe raw_ingress_reconciler.go and the raw
HTTPRoute reconciler, constants.NetworkVisibility)."""

from __future__ import annotations

from ..plan.service import ServicePlan

CLUSTER_LOCAL = "cluster-local"
VISIBILITY_LABELS = {"knative": "networking.knative.dev/visibility", "standard": "networking.kserve.io/visibility"}


def visibility_labels(plan: ServicePlan) -> dict[str, str]:
    label = VISIBILITY_LABELS.get(plan.mode)
    return {label: CLUSTER_LOCAL} if plan.exposure.internal and label else {}
