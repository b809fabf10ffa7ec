"""Emit the Knative objects a service asks for beyond what KServe creates: a DomainMapping
(serving.knative.dev/v1beta1) for `exposure.customDomain` in Knative mode.

The mapping points at the predictor's Knative Service `<isvc>-predictor`, so Knative's route,
and with it a native canary's split, serves the domain. It is named after the domain, as Knative
requires; the domain needs a ClusterDomainClaim (made by Knative when config-network sets
`autocreate-cluster-domain-claims`) and its TLS comes from Knative (net-certmanager, or
spec.tls.secretName). Revision timeout and container concurrency are predictor fields of the
InferenceService (kserve.py), which KServe hands to the revision.
"""

from __future__ import annotations

from .manifest import Manifest
from ..plan.service import ServicePlan
from ..spec.models import Environment

DOMAIN_MAPPING_API = "serving.knative.dev/v1beta1"
KNATIVE_SERVICE_API = "serving.knative.dev/v1"


def domain_mapping(domain: str, target: str, namespace: str, labels: dict[str, str]) -> dict:
    return {
        "apiVersion": DOMAIN_MAPPING_API,
        "kind": "DomainMapping",
        "metadata": {"name": domain, "namespace": namespace, "labels": dict(labels)},
        "spec": {"ref": {"apiVersion": KNATIVE_SERVICE_API, "kind": "Service", "name": target}},
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    traffic = plan.traffic
    if traffic is None or traffic.custom_domain is None or traffic.domain_mapping_target is None:
        return []
    body = domain_mapping(traffic.custom_domain, traffic.domain_mapping_target, plan.namespace, plan.labels)
    return [Manifest(body, service=traffic.service, origins={"": plan.locate("spec", "exposure", "customDomain")})]
