"""The transformer and explainer of an InferenceService (spec.transformer, spec.explainer; KServe
v1beta1 TransformerSpec/ExplainerSpec): a pod spec with KServe's replica fields, one container
named kserve-container, or for the built-in explainer the `art` field (docs/workloads.md).
"""

from __future__ import annotations

from ..errors import Location
from ..plan.components import ComponentPlan
from ..plan.service import ServicePlan
from .manifest import drop_empty

# KServe's name for the main container of a component (constants.InferenceServiceContainerName).
CONTAINER_NAME = "kserve-container"


def _container(component: ComponentPlan) -> dict:
    container = component.spec.container
    assert container is not None
    return drop_empty(
        {
            "name": CONTAINER_NAME,
            "image": container.image,
            "command": list(container.command),
            "args": list(container.args),
            "env": [var.model_dump(by_alias=True, exclude_none=True) for var in container.env],
            "resources": component.resources,
            "securityContext": component.security_context,
        }
    )


def _art(component: ComponentPlan) -> dict:
    art = component.spec.art  # type: ignore[union-attr]  (only an Explainer reaches here with art)
    return drop_empty({"type": art.type, "config": dict(art.config), "storageUri": art.storage_uri, "resources": component.resources, "securityContext": component.security_context})


def component_body(component: ComponentPlan, plan: ServicePlan) -> dict:
    spec = component.spec
    gpu = component.gpu
    credentials = plan.predictor.credentials
    metadata = plan.release.has("component-metadata")
    body = {
        "minReplicas": spec.scaling.min_replicas,
        "maxReplicas": spec.scaling.max_replicas,
        "containerConcurrency": spec.scaling.container_concurrency,
        "timeout": spec.timeout_seconds,
        "serviceAccountName": spec.service_account_name or (credentials.service_account_name if credentials else None),
        "imagePullSecrets": [{"name": name} for name in credentials.image_pull_secrets] if credentials else [],
        # The service's name on every pod of every component: access policies select them all.
        "labels": {"app.kubernetes.io/name": plan.service or plan.name} if metadata else {},
        "nodeSelector": dict(gpu.node_selector) if gpu else {},
        "tolerations": [dict(toleration) for toleration in gpu.tolerations] if gpu else [],
        "runtimeClassName": gpu.runtime_class_name if gpu else None,
    }
    if component.version_override and plan.canary_traffic_percent is not None:
        # Knative's native canary: the newest version's transformer is a new revision of the
        # transformer too, given the version's weight like the predictor's.
        body["canaryTrafficPercent"] = plan.canary_traffic_percent
    if getattr(spec, "art", None) is not None:
        body["art"] = _art(component)
    else:
        body["containers"] = [_container(component)]
    return drop_empty(body)


def component_origins(component: ComponentPlan, plan: ServicePlan) -> dict[str, Location]:
    at, spec_at = f"/spec/{component.kind}", ("spec", component.kind)
    impl = f"{at}/art" if getattr(component.spec, "art", None) is not None else f"{at}/containers/0"
    impl_spec = spec_at + (("art",) if impl.endswith("art") else ("container",))
    origins = {at: plan.locate(*spec_at), impl: plan.locate(*impl_spec), f"{impl}/resources": plan.locate(*spec_at, "resources")}
    for key in ("minReplicas", "maxReplicas", "containerConcurrency"):
        origins[f"{at}/{key}"] = plan.locate(*spec_at, "scaling", key)
    for key in ("nodeSelector", "tolerations", "runtimeClassName"):
        origins[f"{at}/{key}"] = plan.locate(*spec_at, "gpu")
    for key in ("image", "command", "args", "env", "type", "config", "storageUri"):
        origins[f"{impl}/{key}"] = plan.locate(*impl_spec, key)
    origins[f"{at}/timeout"] = plan.locate(*spec_at, "timeoutSeconds")
    return origins


def add_components(body: dict, origins: dict[str, Location], plan: ServicePlan) -> None:
    """Put the plan's transformer and explainer into an InferenceService body."""
    for component in plan.components:
        body["spec"][component.kind] = component_body(component, plan)
        origins.update(component_origins(component, plan))
