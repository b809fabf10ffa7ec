"""Typed models of Inferplane's inputs: the service spec (`ModelService`) and the `Environment`.

Keys are camelCase, as in Kubernetes. Unknown keys are forbidden, so a misspelling is an error
with a suggestion rather than a silently ignored field.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, WithJsonSchema, model_validator

from .base import EnvVar, Int64, Resources, SpecModel
from .delivery import GitOps, ImagePolicy, SmokeTest
from .image_ref import ImageText
from .modelmesh import ModelMeshSettings, ModelStorage
from .components import Explainer, GpuRequest, Transformer
from .llm import LlmSpec
from .graph import GraphSpec
from .ray import EnvironmentRayCluster, RaySpec
from .names import DnsLabel, DnsSubdomain
from .pod import PodSettings, Probes, VolumeSpec
from .loadtest import LoadTest

API_VERSION = "inferplane.dev/v1alpha1"

ModelFormat = Literal[
    "sklearn", "xgboost", "lightgbm", "tensorflow", "pytorch", "onnx", "triton", "huggingface"
]
DeploymentMode = Literal["knative", "standard", "modelmesh", "llm", "graph", "ray"]
CanaryStrategy = Literal["auto", "native", "split"]
# Modes that render a workload of their own instead of a predictor (docs/workloads.md).
WITHOUT_PREDICTOR = ("llm", "graph", "ray")


from .traffic import Access, Exposure, MeshSettings, TlsSettings, Version
from .scaling import (
    AutoscalingSettings,
    GpuClass,
    KnativeSettings,
    ObservabilitySettings,
    PodSecurity,
    Scaling,
    ServiceObservability,
)


class Metadata(SpecModel):
    name: str = Field(description="Name of the service or environment (a DNS label).")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels added to every rendered object.")
    annotations: dict[str, str] = Field(default_factory=dict, description="Annotations added to the InferenceService.")


class EnvironmentMetadata(Metadata):
    # The name is the folder rendered/<name>/ and part of object names: one DNS label.
    name: DnsLabel = Field(description="Name of the environment: its file's name without .yaml (a DNS label).")


# ---------------------------------------------------------------- service spec


class StorageUri(SpecModel):
    uri: str
    mount_path: str | None = None




class ModelRef(SpecModel):
    """A model served by one of KServe's model servers, picked by format."""

    format: ModelFormat = Field(description="Model format; KServe picks a serving runtime that supports it.")
    format_version: str | None = Field(None, description="Version of the model format (modelFormat.version).")
    storage_uri: str | None = Field(None, description="Where the model lives: gs://, s3://, pvc://, http(s)://, oci://, hf://.")
    storage_uris: list[StorageUri] | None = Field(None, description="Several model locations (exclusive with storageUri).")
    storage: ModelStorage | None = Field(None, description="ModelMesh: a storage-config key or a PVC, and the path (instead of storageUri).")
    runtime: str | None = Field(None, description="ServingRuntime or ClusterServingRuntime to use instead of auto-selection.")
    runtime_version: str | None = Field(None, description="Image tag of the serving runtime.")
    protocol_version: Literal["v1", "v2", "grpc-v1", "grpc-v2"] | None = None
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)
    served_name: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="Name the model is served under (/v1/models/<name>; default: the service's), for KServe's runtimes that take --model_name.")


class ContainerPort(SpecModel):
    container_port: int = Field(ge=1, le=65535)
    name: str | None = None
    protocol: Literal["TCP", "UDP", "SCTP"] | None = None


class CustomContainer(SpecModel):
    """A model server of your own, run as the predictor's container."""

    image: ImageText
    command: list[str] = Field(default_factory=list)
    args: list[str] = Field(default_factory=list)
    env: list[EnvVar] = Field(default_factory=list)
    ports: list[ContainerPort] = Field(default_factory=list)
    storage_uri: str | None = Field(None, description="Model location KServe's storage initializer downloads to /mnt/models.")


class Credentials(SpecModel):
    """References to credentials; values never appear in the spec."""

    service_account_name: str | None = Field(None, description="Service account whose secrets KServe uses to fetch the model.")
    image_pull_secrets: list[str] = Field(default_factory=list, description="Names of image pull Secrets.")


class Predictor(SpecModel):
    model: ModelRef | None = None
    container: CustomContainer | None = None
    resources: Resources | None = None
    credentials: Credentials | None = None
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels on the predictor's pods.")
    annotations: dict[str, str] = Field(default_factory=dict, description="Extra annotations on the predictor's pods.")
    timeout_seconds: Int64 | None = Field(None, ge=1, description="Request timeout; in Knative mode at most the environment's maxRevisionTimeoutSeconds.")
    security: PodSecurity = Field(default_factory=PodSecurity, description="Production pod defaults (hardened securityContext).")
    volumes: list[VolumeSpec] = Field(default_factory=list, description="Volumes mounted into the model server (spec/pod.py).")
    pod: PodSettings = Field(default_factory=PodSettings, description="fsGroup, affinity and priority class of the predictor's pods.")
    probes: Probes = Field(default_factory=Probes, description="Probes of the model server container.")


class Hardware(SpecModel):
    gpu: GpuRequest | None = None


class ServiceVersion(Version):
    # The resolve stage merges each version's predictor onto spec.predictor, so what is validated
    # here is a full predictor; editors see the partial form users write.
    predictor: Annotated[
        Predictor,
        WithJsonSchema({"type": "object", "description": "What this version changes in spec.predictor (merged onto it)."}),
    ] = Field(default_factory=Predictor)
    # Merged onto spec.transformer the same way when the version sets one; None: the service's.
    transformer: Annotated[
        Transformer | None,
        WithJsonSchema({"anyOf": [{"type": "object"}, {"type": "null"}], "description": "What this version changes in spec.transformer (its image, resources…), merged onto it."}),
    ] = None


def _predictor_unless_llm(schema: dict) -> None:
    """Editors: a predictor is required except with `mode: llm` (as _llm_has_no_predictor decides)."""
    schema["required"] = [key for key in schema.get("required", []) if key != "predictor"]
    schema["if"] = {"properties": {"mode": {"enum": list(WITHOUT_PREDICTOR)}}, "required": ["mode"]}
    schema["else"] = {"required": ["predictor"]}


class ServiceSpecBody(SpecModel):
    model_config = {**SpecModel.model_config, "json_schema_extra": _predictor_unless_llm}
    mode: DeploymentMode | None = Field(None, description="knative (serverless, scale to zero), standard (Deployment), modelmesh (shared multi-model runtimes) llm (an LLMInferenceService, with `llm`) or graph (an InferenceGraph, with `graph`) or ray (a KubeRay RayService, with `ray`).")
    version: str | None = Field(None, description="Version of the service, as label app.kubernetes.io/version.")
    part_of: str | None = Field(None, description="Application this service is part of (app.kubernetes.io/part-of).")
    environments: list[str] | None = Field(None, description="Environments that render this service (absent: every one), e.g. [asm] for a ModelMesh service.")
    predictor: Predictor  # a `mode: llm` service needs none: _llm_has_no_predictor fills in an empty one
    llm: LlmSpec | None = Field(None, description="mode llm: a large language model on vLLM, rendered as KServe's LLMInferenceService (docs/workloads.md).")
    graph: GraphSpec | None = Field(None, description="mode graph: an inference pipeline over services of the fleet, rendered as KServe's InferenceGraph (docs/workloads.md).")
    ray: RaySpec | None = Field(None, description="mode ray: a Ray Serve application, rendered as a KubeRay RayService (docs/workloads.md).")
    transformer: Transformer | None = Field(None, description="Pre- and post-processing pods in front of the predictor (docs/workloads.md).")
    explainer: Explainer | None = Field(None, description="Explanation pods beside the predictor (docs/workloads.md).")
    scaling: Scaling = Field(default_factory=Scaling)
    hardware: Hardware = Field(default_factory=Hardware)
    observability: ServiceObservability = Field(default_factory=ServiceObservability)
    smoke_test: SmokeTest = Field(default_factory=SmokeTest, description="Opt-in Argo CD PostSync smoke test Job.")
    load_test: LoadTest = Field(default_factory=LoadTest, description="Opt-in load test Job with pass thresholds, run after each sync (spec/loadtest.py).")
    versions: list[ServiceVersion] = Field(default_factory=list, description="Versions of the model and their traffic weights (sum 100).")
    canary_strategy: CanaryStrategy = Field("auto", description="How versions share traffic: native (KServe's canary), split (one InferenceService per version behind an Istio VirtualService), or auto (native where KServe has it, else split). See docs/traffic.md.")
    exposure: Exposure = Field(default_factory=Exposure, description="How requests reach the service.")
    access: Access = Field(default_factory=Access, description="Who may call the service.")

    @model_validator(mode="before")
    @classmethod
    def _llm_has_no_predictor(cls, data: object) -> object:
        """`mode: llm` and `mode: graph` render their own block: the predictor may be absent (LLM-01
        and GRAPH-01 refuse a model or container)."""
        if isinstance(data, dict) and data.get("mode") in WITHOUT_PREDICTOR and "predictor" not in data:
            return {**data, "predictor": {}}
        return data

    @model_validator(mode="before")
    @classmethod
    def _remainder_weight(cls, data: object) -> object:
        """The one version without a weight takes the rest of 100: promoting then edits one line."""
        versions = data.get("versions") if isinstance(data, dict) else None
        if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
            return data
        missing = [index for index, version in enumerate(versions) if version.get("weight") is None]
        given = [version["weight"] for version in versions if version.get("weight") is not None]
        if len(missing) != 1 or not all(type(weight) is int for weight in given):
            return data  # IS-02 reports several versions without weights; pydantic a wrong type
        filled = list(versions)
        filled[missing[0]] = {**versions[missing[0]], "weight": 100 - sum(given)}
        return {**data, "versions": filled}


class ModelService(SpecModel):
    api_version: Literal["inferplane.dev/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["ModelService"]
    metadata: Metadata
    spec: ServiceSpecBody

    def runs_in(self, env_name: str) -> bool:
        """Whether environment `env_name` renders this service (spec.environments, absent: all)."""
        return self.spec.environments is None or env_name in self.spec.environments


# ---------------------------------------------------------------- environment

VersionString = Annotated[str, StringConstraints(pattern=r"^v?\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.-]+)?$")]


# Rule VERSION explains a release it does not know (`latest`, 0.99, 1.22) better than a pattern
# can; editors still see the pattern.
ReleaseString = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^v?\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.-]+)?$"})]


class TargetVersions(SpecModel):
    kubernetes: ReleaseString = Field(description="Kubernetes version of the cluster, e.g. 1.33 (1.25 or later).")
    kserve: ReleaseString = Field(description="KServe version, e.g. 0.15.2 (0.7 to 0.20): decides how every KServe object is spelled (docs/versions.md).")
    knative: VersionString | None = None
    istio: VersionString | None = None
    cert_manager: VersionString | None = None


class SchemaSources(SpecModel):
    crds: list[str] = Field(default_factory=list, description="CRD files or folders, relative to the environment file.")
    schema_locations: list[str] = Field(default_factory=list, description="kubeconform-style schema location templates.")
    kserve_crds: list[str] = Field(
        default_factory=list,
        description="The CRDs of the environment's own KServe release: folders, files or URLs, where {{.KServeVersion}} is the "
        "release's tag (v0.15.2 for versions.kserve 0.15.2). KServe's kinds are then validated against these only. "
        "URLs are read from the cache `inferplane schemas pull --env ENV` fills.",
    )


class EnvironmentSpec(SpecModel):
    versions: TargetVersions
    namespace: DnsLabel = Field(description="Namespace the services are deployed to.")
    domain: DnsSubdomain | None = Field(None, description="DNS domain under which services are exposed.")
    production: bool = Field(False, description="Serves production traffic: settings that are fine elsewhere (plain HTTP) are warnings here.")
    part_of: str | None = Field(None, description="Default app.kubernetes.io/part-of label.")
    defaults: dict = Field(default_factory=dict, description="A partial service spec merged under every service.")
    gpu_classes: dict[str, GpuClass] = Field(default_factory=dict)
    knative: KnativeSettings = Field(default_factory=KnativeSettings)
    autoscaling: AutoscalingSettings = Field(default_factory=AutoscalingSettings)
    observability: ObservabilitySettings = Field(default_factory=ObservabilitySettings)
    validation: SchemaSources = Field(default_factory=SchemaSources)
    images: ImagePolicy = Field(default_factory=ImagePolicy, description="Image registry policy: mirror, digests.")
    gitops: GitOps | None = Field(None, description="The Argo CD or Flux objects that sync rendered/<env>/.")
    mesh: MeshSettings | None = Field(None, description="Service mesh: without it no Istio objects are rendered.")
    kserve_gateway_api: bool = Field(False, description="KServe's ingress config sets enableGatewayApi (KServe 0.15 or later): KServe creates an HTTPRoute for each Standard-mode InferenceService itself, so services use no exposure.gatewayApi of their own (EXPOSE-03).")
    tls: TlsSettings | None = Field(None, description="cert-manager issuer for the gateway's certificates.")
    modelmesh: ModelMeshSettings | None = Field(None, description="ModelMesh runtimes, allowed PVCs and routing, for services with mode modelmesh.")
    ray_clusters: dict[DnsLabel, EnvironmentRayCluster] = Field(default_factory=dict, description="Shared KubeRay RayClusters rendered in this environment; a `mode: ray` service serves on one with `ray.cluster` (docs/workloads.md).")


class Environment(SpecModel):
    api_version: Literal["inferplane.dev/v1alpha1"] = Field(alias="apiVersion")
    kind: Literal["Environment"]
    metadata: EnvironmentMetadata
    spec: EnvironmentSpec


def parse_version(text: str) -> tuple[int, int, int]:
    """'v0.15.2' -> (0, 15, 2); missing parts are 0; pre-release suffixes are ignored."""
    numbers = re.findall(r"\d+", text.lstrip("v").split("-")[0])
    parts = [int(n) for n in numbers[:3]] + [0, 0, 0]
    return parts[0], parts[1], parts[2]


KIND_MODELS: dict[str, type[SpecModel]] = {"ModelService": ModelService, "Environment": Environment}
