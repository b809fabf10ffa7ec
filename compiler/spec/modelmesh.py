"""Spec models of ModelMesh (serving-rules §2): where a ModelMesh model is stored, and what the
environment runs for it — its multi-model ServingRuntimes, which PVCs they may mount, and how the
`modelmesh-serving` Service is reached through the mesh (with Alibaba ASM's dynamic subsets).

Sources: kserve/modelmesh-serving docs/predictors/setup-storage.md (PVC storage, `storage-config`,
`allowAnyPVC`), docs/production-use/scaling.md (ServingRuntime `replicas` overrides
`podsPerRuntime`), config/runtimes/*.yaml (built-in runtimes); Alibaba ASM "Dynamic subset routing"
and the ModelMesh seed (../shared/seeds/001_*.txt).

They build on `EnvVar` and `Resources` from `base.py`; `models.py` assembles them into `ModelRef`
and `EnvironmentSpec`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import EnvVar, Int32, Int64, Resources, SpecModel
from .names import DnsSubdomain
from .image_ref import ImageText

# Kubernetes object names (DNS subdomains): ModelMesh's own runtimes are called e.g. mlserver-1.x.
OBJECT_NAME_PATTERN = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"
# ModelMesh endpoints are written `port:<number>` (or `unix:<path>`) in a ServingRuntime.
ENDPOINT_PATTERN = r"^(port:[0-9]{1,5}|unix:/\S+)$"
RuntimeProtocol = Literal["grpc-v2", "grpc-v1", "v2", "v1"]


# ---------------------------------------------------------------- service: where the model lives


class ModelStorage(SpecModel):
    """The model's location as ModelMesh reads it (the InferenceService `storage` field).

    A PVC: `parameters: {type: pvc, name: <claim>}` and `path` on the claim. Object storage:
    `key` names an entry of the `storage-config` Secret, `path` the object (and e.g.
    `parameters: {bucket: ...}`). Credentials stay in that Secret, never in the spec."""

    key: str | None = Field(None, description="Entry of the storage-config Secret (object storage); PVCs need none.")
    path: str | None = Field(None, description="Path of the model under the storage root, e.g. sklearn/mnist-svm.joblib on the PVC.")
    schema_path: str | None = Field(None, description="Path of the model's input/output schema (JSON), when the runtime needs one.")
    parameters: dict[str, str] = Field(default_factory=dict, description="Storage parameters: {type: pvc, name: <claim>} for a PVC, or e.g. {bucket: ...}.")


# ---------------------------------------------------------------- environment: runtimes


class SupportedModelFormat(SpecModel):
    name: str = Field(description="Model format, e.g. sklearn, tensorflow, onnx.")
    version: str | None = Field(None, description="Major version of the format, e.g. \"2\".")
    auto_select: bool | None = Field(None, description="Models of this format that name no runtime may be placed on this runtime.")
    priority: Int32 | None = Field(None, ge=1, description="Among runtimes that auto-select the format, the highest priority wins (MM-03: unique per format).")


class BuiltInAdapter(SpecModel):
    """ModelMesh's built-in adapter (puller) for a known model server."""

    server_type: Literal["triton", "mlserver", "ovms", "torchserve"] = Field(description="Which model server the adapter drives.")
    runtime_management_port: int | None = Field(None, ge=1, le=65535, description="Port of the model server's management API (8001 in ModelMesh's runtimes).")
    mem_buffer_bytes: Int64 | None = Field(None, ge=0, description="Memory kept free in each pod beside the loaded models.")
    model_loading_timeout_millis: Int64 | None = Field(None, ge=1, description="How long one model may take to load.")


class ModelMeshRuntime(SpecModel):
    """One serving.kserve.io/v1alpha1 ServingRuntime: a Deployment of pods that ModelMesh loads
    many models into. Its pods, not the models, have replicas, resources and an image."""

    name: str = Field(pattern=OBJECT_NAME_PATTERN, max_length=63, description="ServingRuntime name, e.g. mlserver-1.x; a model names it with model.runtime.")
    image: ImageText = Field(description="Model server image.")
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list, description="Environment of the model server (e.g. MLServer's MLSERVER_* settings).")
    resources: Resources | None = Field(None, description="Resources of the model server container in each runtime pod.")
    supported_model_formats: list[SupportedModelFormat] = Field(min_length=1, description="Formats the runtime loads.")
    protocol_versions: list[RuntimeProtocol] = Field(default_factory=lambda: ["grpc-v2"], description="Inference protocols; ModelMesh serves KServe's v2 gRPC API.")
    multi_model: bool = Field(True, description="A ModelMesh runtime loads many models per pod (MM-01).")
    grpc_endpoint: str = Field("port:8085", pattern=ENDPOINT_PATTERN, description="Where ModelMesh reaches the runtime's model management API.")
    grpc_data_endpoint: str = Field("port:8001", pattern=ENDPOINT_PATTERN, description="Where ModelMesh sends inference requests.")
    built_in_adapter: BuiltInAdapter | None = Field(None, description="ModelMesh's adapter for a known model server.")
    # KServe's ServingRuntimeSpec: `Replicas *uint16`.
    replicas: int | None = Field(None, ge=0, le=65535, description="Pods of this runtime (ServingRuntime replicas; overrides podsPerRuntime of model-serving-config).")


class DynamicSubsetRouting(SpecModel):
    """Alibaba ASM dynamic subsets: requests go straight to a runtime pod that has the model
    loaded, picked by the request header that names the model (ASM >= 1.21.6.47, MM-04)."""

    header: str = Field("model", description="Request header that names the model (the seed's fortio `-H 'model: tf-mnist'`).")
    fallback_policy: Literal["ANY_ENDPOINT", "NO_FALLBACK"] = Field(
        "ANY_ENDPOINT", description="When no pod has the model loaded: any pod (ModelMesh forwards the request), or fail."
    )


class AdoptedNames(SpecModel):
    """Names of routing objects the platform already has: rendered under them, Inferplane's
    objects replace those (Argo CD and Flux apply over an existing object of the same name)
    instead of adding a second route for the same hosts beside them."""

    virtual_service: DnsSubdomain | None = Field(None, description="e.g. vs-modelmesh-serving-service, the VirtualService the seed edits (default modelmesh-serving-gateway).")
    destination_rule: DnsSubdomain | None = Field(None, description="e.g. modelmesh-serving, the seed's DestinationRule (default modelmesh-serving-dynamic-subset).")


class ModelMeshRouting(SpecModel):
    """A VirtualService that binds a mesh gateway to the `modelmesh-serving` Service."""

    gateways: list[str] = Field(default_factory=lambda: ["grpc-gateway"], min_length=1, description="Istio Gateways the route is bound to (created with ModelMesh on ASM).")
    hosts: list[str] = Field(default_factory=lambda: ["*"], min_length=1, description="Hosts the route answers for.")
    port: int = Field(8008, ge=1, le=65535, description="Gateway port whose requests go to ModelMesh (ASM's ingress gateway serves HTTP on 8008).")
    service_port: Literal[8033, 8008] = Field(8033, description="Port of modelmesh-serving the route targets: 8033 gRPC (as in the seed) or 8008 REST.")
    dynamic_subset: DynamicSubsetRouting | None = Field(None, description="ASM only (MM-04): route each request to a pod that has its model.")
    adopt: AdoptedNames = Field(default_factory=AdoptedNames, description="Render the routing objects under the names of ones the platform already has.")


class ModelMeshSettings(SpecModel):
    """ModelMesh in the environment's namespace (labelled modelmesh-enabled=true)."""

    runtimes: list[ModelMeshRuntime] = Field(default_factory=list, description="ServingRuntimes rendered into the namespace; every ModelMesh model resolves to one (MM-01).")
    allow_any_pvc: bool = Field(False, alias="allowAnyPVC", description="model-serving-config allowAnyPVC: the controller mounts any PVC a model names (MM-02).")
    pvcs: list[str] = Field(default_factory=list, description="PVCs listed in the storage-config Secret, mounted into every runtime pod (MM-02).")
    routing: ModelMeshRouting | None = Field(None, description="Route a mesh gateway to modelmesh-serving (needs spec.mesh).")
