"""Stage 5, emit: `ServicePlan`s → `Manifest`s, one small pure function per target, in a registry.

Receives: the environment's `ServicePlan`s (compiler.plan) and its `Environment`.
Returns: `Manifest`s (manifest.py: body, identity, file name, the spec location of each field),
de-duplicated, with image references mirrored (images.py, which also writes images.yaml).
Imports: plan, spec, source, naming and the shared leaves.

Each emitter has the contract `emit(plan, env) -> list[Manifest]`; environment-wide emitters
(gateways, issuers, GitOps objects) have `emit(plans, env) -> list[Manifest]`. A new target is
one module here and one line in the registry below; references.py says which names one object
expects of another (shared with the cross-reference rule).
"""

from __future__ import annotations

from typing import Callable

from .manifest import Manifest, deduplicate
from ..plan.service import ServicePlan
from ..spec.models import Environment
from .images import mirror_manifests
from . import knative, routing
from . import modelmesh, modelmesh_routing
from . import graph, llm, ray
from . import httproute, ingress, loadtest
from . import autoscaling, availability, certmanager, gateway, gitops, kserve, monitoring, security, smoketest

ServiceEmitter = Callable[[ServicePlan, Environment], list[Manifest]]
EnvironmentEmitter = Callable[[list[ServicePlan], Environment], list[Manifest]]

SERVICE_EMITTERS: tuple[ServiceEmitter, ...] = (kserve.emit, autoscaling.emit, availability.emit, monitoring.emit, smoketest.emit)
ENVIRONMENT_EMITTERS: tuple[EnvironmentEmitter, ...] = (gitops.emit, gateway.emit, certmanager.emit, security.emit)
# Versions and traffic (docs/traffic.md): a DomainMapping per service, routes once per service.
SERVICE_EMITTERS += (knative.emit,)
ENVIRONMENT_EMITTERS += (routing.emit,)


# ModelMesh (serving-rules §2): a model's InferenceService; the namespace's runtimes and route.
SERVICE_EMITTERS += (modelmesh.emit,)
ENVIRONMENT_EMITTERS += (modelmesh.emit_environment, modelmesh_routing.emit)


# Workloads beyond one predictor (docs/workloads.md): an LLM's LLMInferenceService, a pipeline's InferenceGraph, a Ray Serve app's RayService.
SERVICE_EMITTERS += (llm.emit, graph.emit, ray.emit)
ENVIRONMENT_EMITTERS += (ray.emit_environment,)  # the environment's shared RayClusters

# Exposure through a Kubernetes Ingress or a Gateway API HTTPRoute (spec/exposure.py) and opt-in load tests (spec/loadtest.py).
SERVICE_EMITTERS += (ingress.emit, httproute.emit, loadtest.emit)


def emit_all(plans: list[ServicePlan], env: Environment, companions: list[Manifest] = ()) -> list[Manifest]:
    """`companions`: the user's own objects (emit/companions.py), ordered and waved like the rest;
    last, so that a clash with a rendered object is reported at the companion's file."""
    manifests: list[Manifest] = []
    for plan in plans:
        for emitter in SERVICE_EMITTERS:
            manifests.extend(emitter(plan, env))
    for env_emitter in ENVIRONMENT_EMITTERS:
        manifests.extend(env_emitter(plans, env))
    return finish(manifests + list(companions), env)


def finish(manifests: list[Manifest], env: Environment) -> list[Manifest]:
    """Steps over every emitted object: one copy of objects several plans need (a service's split
    versions share its smoke test identity), images under the environment's mirror, then Argo CD
    sync waves in apply order (GO-01)."""
    manifests = mirror_manifests(deduplicate(manifests), env.spec.images.mirror)
    return gitops.annotate_sync_waves(manifests, env)
