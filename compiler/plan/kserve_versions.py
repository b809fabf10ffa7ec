"""What each KServe minor release from v0.7 to v0.20 spells and accepts: one table, read by the
planner, the emitters, the rules and the validation stage instead of scattered comparisons.

Each row is a feature with the first minor that has it and the upstream source that shows it.
"CRD vX" means the InferenceService/ServingRuntime CRD of that tag (kserve/kserve `config/crd/` or
`config/crd/full/`, the files in ../shared/crds-by-version/kserve/), the ground truth of which
fields a version's API server keeps; a field missing there is pruned or rejected.

Versions outside the table are an error (rule VERSION): Inferplane cannot know what they accept.
`docs/versions.md` shows the table per minor; a test keeps the two in step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .. import upstream
from ..spec.models import Environment

Minor = tuple[int, int]


@dataclass(frozen=True)
class Feature:
    key: str
    what: str  # what a user asks for, as a message names it
    since: Minor
    source: str


FEATURES: tuple[Feature, ...] = (
    Feature("model-format", "predictor.model with modelFormat (ServingRuntimes)", (0, 8),
            "CRD v0.8.0 adds spec.predictor.model and the ServingRuntime/ClusterServingRuntime kinds; v0.7.0 has only the framework fields (predictor.sklearn, .tensorflow, ...)"),
    Feature("serving-runtime", "the ServingRuntime kind", (0, 8), "CRD v0.8.0 serving.kserve.io_servingruntimes.yaml (none in v0.7.0)"),
    Feature("model-storage", "predictor.model.storage (a storage-config key or a PVC, with a path)", (0, 9), "CRD v0.9.0 adds spec.predictor.model.storage"),
    Feature("scale-metric", "predictor.scaleMetric and scaleTarget", (0, 9),
            "CRD v0.9.0 adds spec.predictor.scaleMetric/scaleTarget; before, Knative read autoscaling.knative.dev/metric and /target and KServe's HPA serving.kserve.io/metrics and /targetUtilizationPercentage from the InferenceService's annotations (kserve-pending#63)"),
    Feature("inference-graph", "the InferenceGraph kind", (0, 9), "CRD v0.9.0 serving.kserve.io_inferencegraphs.yaml"),
    Feature("runtime-protocol-versions", "ServingRuntime protocolVersions", (0, 9), "CRD v0.9.0 ServingRuntime spec.protocolVersions"),
    Feature("metric-aggregation", "Prometheus metrics of a Knative-mode model server (queue-proxy's metric aggregation)", (0, 10),
            "kserve#2478 (qpext, serving.kserve.io/enable-metric-aggregation), released in v0.10 (kserve#2894)"),
    Feature("component-metadata", "predictor.labels and predictor.annotations", (0, 11),
            "kserve#2925 (CRD v0.11.2); before, KServe copied the InferenceService's own labels and annotations onto the predictor's pods (kserve#2743)"),
    Feature("unsuffixed-names", "component names `<isvc>-predictor`", (0, 11),
            "kserve#2508; earlier releases name the predictor's Knative Service, Deployment, Service and HPA `<isvc>-predictor-default` (iter8#1603); an upgraded cluster keeps the old name of a service that already exists"),
    Feature("runtime-priority", "supportedModelFormats[].priority", (0, 11), "CRD v0.11.2 ServingRuntime supportedModelFormats.priority"),
    Feature("huggingface", "model format huggingface (kserve-huggingfaceserver)", (0, 12),
            "CRD v0.12.1 adds spec.predictor.huggingface; config/runtimes/kserve-huggingfaceserver.yaml arrived with it"),
    Feature("autoscaler-external", "autoscalerClass external (an HPA of your own)", (0, 12),
            "kserve#3086 (merged after v0.11): before it KServe creates its HPA `<isvc>-predictor` whatever the class"),
    Feature("deployment-strategy", "predictor.deploymentStrategy", (0, 13), "CRD v0.13.1 spec.predictor.deploymentStrategy"),
    Feature("worker-spec", "predictor.workerSpec (multi-node)", (0, 14), "CRD v0.14.1 spec.predictor.workerSpec"),
    Feature("keda", "autoscalerClass keda and predictor.autoScaling", (0, 15), "CRD v0.15.2 spec.predictor.autoScaling; constants.go AutoscalerClassKeda"),
    Feature("gateway-api", "KServe's own Gateway API HTTPRoutes (ingress.enableGatewayApi)", (0, 15),
            "KServe docs, Kubernetes Ingress to Gateway API Migration Guide (helm chart v0.15.0, kserve.controller.gateway.ingressGateway.enableGatewayApi)"),
    Feature("mode-rename", "deploymentMode Knative/Standard", (0, 16), "constants.go ParseDeploymentMode: v0.16 renamed Serverless→Knative, RawDeployment→Standard"),
    Feature("autoscaler-none", "autoscalerClass none", (0, 16), "constants.go AutoscalerClassNone (v0.16)"),
    Feature("storage-uris", "predictor.storageUris", (0, 16), "CRD v0.16.0 spec.predictor.storageUris"),
    Feature("llm-inference-service", "the LLMInferenceService kind (v1alpha1)", (0, 16), "kserve#4520; charts/kserve-runtime-configs v0.16.0 ships its LLMInferenceServiceConfigs"),
    Feature("llm-v1alpha2", "LLMInferenceService v1alpha2", (0, 17), "KServe v0.17 serves v1alpha1 and v1alpha2 with a conversion webhook"),
    Feature("spec-canary", "spec.canary[] (Standard mode)", (0, 20), "CRD v0.20.0 spec.canary; kserve#5672"),
)
BY_KEY = {feature.key: feature for feature in FEATURES}

# The tag of each minor the table knows (the patch release whose CRDs ../shared holds and the
# compatibility tests read); any patch of a known minor is accepted.
RELEASE_TAGS: dict[Minor, str] = {
    (0, 7): "v0.7.0", (0, 8): "v0.8.0", (0, 9): "v0.9.0", (0, 10): "v0.10.2", (0, 11): "v0.11.2",
    (0, 12): "v0.12.1", (0, 13): "v0.13.1", (0, 14): "v0.14.1", (0, 15): "v0.15.2", (0, 16): "v0.16.0",
    (0, 17): "v0.17.1", (0, 18): "v0.18.1", (0, 19): "v0.19.0", (0, 20): "v0.20.0",
}

# v1beta1 PredictorSpec framework fields (every release; deprecated for `model` from v0.8). An
# environment on v0.7 gets its model under the field of its format (CRD v0.7.0).
FRAMEWORK_FIELDS = {"sklearn": "sklearn", "xgboost": "xgboost", "lightgbm": "lightgbm", "tensorflow": "tensorflow",
                    "pytorch": "pytorch", "onnx": "onnx", "triton": "triton", "huggingface": "huggingface"}

# Knative's autoscaling annotations and KServe's HPA annotations before scaleMetric (see scale-metric).
KNATIVE_METRIC_ANNOTATION = "autoscaling.knative.dev/metric"
KNATIVE_TARGET_ANNOTATION = "autoscaling.knative.dev/target"
HPA_METRIC_ANNOTATION = "serving.kserve.io/metrics"
HPA_TARGET_ANNOTATION = "serving.kserve.io/targetUtilizationPercentage"

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")


def parse_minor(text: str) -> Minor | None:
    match = _VERSION.match(text.strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def known_minors() -> list[Minor]:
    return sorted(RELEASE_TAGS)


def spelled(minor: Minor) -> str:
    return f"{minor[0]}.{minor[1]}"


@dataclass(frozen=True)
class KServeRelease:
    """One KServe minor, as the table describes it."""

    minor: Minor

    @classmethod
    def of(cls, version: str) -> "KServeRelease":
        """The release of a version string the VERSION rule accepted (a known minor)."""
        minor = parse_minor(version)
        if minor is None or minor not in RELEASE_TAGS:
            raise ValueError(f"KServe {version} is not in the version table (rule VERSION reports it)")
        return cls(minor)

    @property
    def tag(self) -> str:
        return RELEASE_TAGS[self.minor]

    def has(self, key: str) -> bool:
        return self.minor >= BY_KEY[key].since

    def lacking(self, key: str) -> Feature | None:
        """The feature when this release does not have it, else None."""
        return None if self.has(key) else BY_KEY[key]

    # ------------------------------------------------------------ spellings

    def deployment_mode(self, mode: str) -> str:
        legacy, current = upstream.MODE_SPELLING[mode]
        return current if self.has("mode-rename") else legacy

    def component_name(self, isvc: str, component: str = "predictor") -> str:
        """KServe's name for a component's Knative Service, Deployment, Service, HPA and ScaledObject."""
        return f"{isvc}-{component}" if self.has("unsuffixed-names") else f"{isvc}-{component}-default"

    def predictor_name(self, isvc: str) -> str:
        return self.component_name(isvc, "predictor")

    @cached_property
    def autoscaler_classes(self) -> tuple[str, ...]:
        classes = [upstream.AUTOSCALER_CLASS_HPA]
        for key, name in (("autoscaler-external", upstream.AUTOSCALER_CLASS_EXTERNAL), ("keda", upstream.AUTOSCALER_CLASS_KEDA), ("autoscaler-none", upstream.AUTOSCALER_CLASS_NONE)):
            if self.has(key):
                classes.append(name)
        return tuple(classes)

    def summary(self) -> dict[str, str]:
        """This release's row of docs/versions.md."""
        return {
            "KServe": spelled(self.minor),
            "tag": self.tag,
            "deploymentMode": " / ".join(self.deployment_mode(mode) for mode in ("knative", "standard", "modelmesh")),
            "predictor": "model.modelFormat" if self.has("model-format") else "framework field (sklearn, tensorflow, …)",
            "scaling fields": "scaleMetric/scaleTarget" if self.has("scale-metric") else "annotations",
            "pod labels/annotations": "predictor.labels/annotations" if self.has("component-metadata") else "InferenceService metadata",
            "component name": f"`{self.predictor_name('<isvc>')}`",
            "autoscalerClass": ", ".join(self.autoscaler_classes),
            "spec.canary": "yes" if self.has("spec-canary") else "no",
            "KEDA": "yes" if self.has("keda") else "no",
            "ServingRuntime": ("yes" + (", priority" if self.has("runtime-priority") else "") + (", protocolVersions" if self.has("runtime-protocol-versions") else "")) if self.has("model-format") else "no",
            "InferenceGraph": "yes" if self.has("inference-graph") else "no",
            "LLMInferenceService": ("v1alpha1, v1alpha2" if self.has("llm-v1alpha2") else "v1alpha1") if self.has("llm-inference-service") else "no",
        }


def release_of(env: Environment) -> KServeRelease:
    """The KServe release an environment names (rule VERSION has rejected unknown ones)."""
    return KServeRelease.of(env.spec.versions.kserve)


def table_rows() -> list[dict[str, str]]:
    return [KServeRelease(minor).summary() for minor in known_minors()]
