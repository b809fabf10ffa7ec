"""Facts about upstream projects that both the rules and the emitters rely on.

Each fact names its source so it can be checked; see ../shared/docs/serving-rules.md.
"""

from __future__ import annotations

import re

# KServe pkg/constants/constants.go ParseDeploymentMode: (legacy, current) name of each mode; which
# one a release spells is in plan/kserve_versions.py (v0.16 renamed them; ModelMesh kept its name).
DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS_ANNOTATION = "serving.kserve.io/autoscalerClass"
MODE_SPELLING = {
    "knative": ("Serverless", "Knative"),
    "standard": ("RawDeployment", "Standard"),
    "modelmesh": ("ModelMesh", "ModelMesh"),
}
LEGACY_AND_CURRENT_MODE_NAMES = {name for pair in MODE_SPELLING.values() for name in pair}


# KServe pkg/apis/serving/v1beta1/inference_service_validation.go: IsvcNameFmt.
ISVC_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL_MAX = 63

# Kubernetes apimachinery pkg/util/validation/validation.go: IsDNS1123Label (namespaces, most
# label-like names) and IsDNS1123Subdomain (most object names): lower-case alphanumerics and '-'
# (and '.' between labels), at most 63 and 253 characters. Neither admits '/', '..' or an empty
# name, which is why names that become folders or files are held to them.
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS_SUBDOMAIN_MAX = 253
DNS1123_LABEL_RULE = "lower-case letters, digits and '-', starting and ending with a letter or digit"
DNS1123_SUBDOMAIN_RULE = "lower-case letters, digits, '-' and '.', each part starting and ending with a letter or digit"


def dns1123_problem(value: str, subdomain: bool = False) -> str | None:
    """Why `value` is not a DNS-1123 label (or subdomain), or None when it is one."""
    kind, pattern, limit = ("DNS subdomain", DNS1123_SUBDOMAIN, DNS_SUBDOMAIN_MAX) if subdomain else ("DNS label", DNS1123_LABEL, DNS_LABEL_MAX)
    if len(value) > limit:
        return f"{value!r} is {len(value)} characters, more than the {limit} of a {kind} (RFC 1123)"
    if not pattern.match(value):
        return f"{value!r} is not a {kind} (RFC 1123)"
    return None


def is_one_path_segment(name: str) -> bool:
    """A name that stays one folder or file name when it becomes a path: not empty, `.` or `..`,
    and no separator or NUL (the core of pkg/api/validation/path IsValidPathSegmentName)."""
    return name not in ("", ".", "..") and not any(c in name for c in ("/", "\\", "\0"))


def dns1123_hint(value: str, subdomain: bool = False) -> str:
    """How to fix a name dns1123_problem refused, with a close valid name."""
    limit, rule = (DNS_SUBDOMAIN_MAX, DNS1123_SUBDOMAIN_RULE) if subdomain else (DNS_LABEL_MAX, DNS1123_LABEL_RULE)
    fix = f"shorten it to at most {limit} characters" if len(value) > limit and (DNS1123_SUBDOMAIN if subdomain else DNS1123_LABEL).match(value) else f"use {rule}"
    return f"{fix}, e.g. {dns1123_suggestion(value, subdomain)!r}"


def dns1123_suggestion(value: str, subdomain: bool = False) -> str:
    """A close valid name: lower-cased, other characters as '-', trimmed to the limit."""
    allowed = "abcdefghijklmnopqrstuvwxyz0123456789-" + ("." if subdomain else "")
    text = "".join(c if c in allowed else "-" for c in value.lower())
    parts = [part.strip("-") for part in text.split(".")] if subdomain else [text.strip("-")]
    text = ".".join(part for part in parts if part)
    text = re.sub(r"-{2,}", "-", text)[: DNS_SUBDOMAIN_MAX if subdomain else DNS_LABEL_MAX]
    return text.strip("-.") or "name"
# Knative tag routing prefixes host names with `latest-`/`prev-` (kserve#4807).
TAG_ROUTING_PREFIX = len("latest-")

# KServe pkg/agent/storage + ValidateStorageURI: the schemes its storage initializer understands.
STORAGE_SCHEMES = ("gs", "s3", "pvc", "file", "http", "https", "hdfs", "webhdfs", "oci", "oci+native", "oci+fetch", "hf")
STORAGE_URI = re.compile(r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<rest>.*)$")

# Kubernetes extended resources for accelerators that KServe recognises (serving-rules §1.2, §6).
GPU_RESOURCE_PREFIXES = ("nvidia.com/gpu", "nvidia.com/mig-", "amd.com/gpu", "intel.com/gpu", "habana.ai/gaudi")


def is_gpu_resource(name: str) -> bool:
    return name.startswith(GPU_RESOURCE_PREFIXES)


# Labels every rendered object carries (Kubernetes recommended labels).
MANAGED_BY = "inferplane"


# ---------------------------------------------------------------- scaling (serving-rules §1.2, §1.4)

# KServe constants.go: autoscaler classes (which release has which: plan/kserve_versions.py).
AUTOSCALER_CLASS_HPA = "hpa"
AUTOSCALER_CLASS_EXTERNAL = "external"
AUTOSCALER_CLASS_KEDA = "keda"
AUTOSCALER_CLASS_NONE = "none"
# KServe DefaultCPUUtilization: the target its HPA uses when scaleTarget is unset.
DEFAULT_CPU_UTILIZATION = 80


def predictor_pod_labels(isvc: str) -> dict[str, str]:
    """Labels KServe puts on every predictor pod, in both modes (constants.go
    InferenceServicePodLabelKey and KServiceComponentLabel; its own PDB selects on these two)."""
    return {"serving.kserve.io/inferenceservice": isvc, "component": "predictor"}


# Knative autoscaling annotations (knative.dev/serving pkg/apis/autoscaling).
KNATIVE_CLASS_ANNOTATION = "autoscaling.knative.dev/class"
KNATIVE_HPA_CLASS = "hpa.autoscaling.knative.dev"
KNATIVE_INITIAL_SCALE_ANNOTATION = "autoscaling.knative.dev/initial-scale"
KNATIVE_RETENTION_ANNOTATION = "autoscaling.knative.dev/scale-to-zero-pod-retention-period"
KNATIVE_SCALE_DOWN_DELAY_ANNOTATION = "autoscaling.knative.dev/scale-down-delay"
# KServe SetAutoScalingAnnotations writes these from minReplicas, maxReplicas, scaleMetric and
# scaleTarget (and the class when none is set); a hand-written one is overwritten or fights it.
KSERVE_DERIVED_KNATIVE_ANNOTATIONS = (
    "autoscaling.knative.dev/min-scale",
    "autoscaling.knative.dev/max-scale",
    "autoscaling.knative.dev/minScale",
    "autoscaling.knative.dev/maxScale",
    "autoscaling.knative.dev/target",
    "autoscaling.knative.dev/metric",
)
# Written by the compiler from spec.scaling; KServe passes them through to the revision.
COMPILER_WRITTEN_KNATIVE_ANNOTATIONS = (
    KNATIVE_CLASS_ANNOTATION,
    KNATIVE_INITIAL_SCALE_ANNOTATION,
    KNATIVE_RETENTION_ANNOTATION,
    KNATIVE_SCALE_DOWN_DELAY_ANNOTATION,
)

# ---------------------------------------------------------------- GPU placement (serving-rules §6)

GPU_CLASS_ANNOTATION = "inferplane.dev/gpu-class"
# Alibaba ack-virtual-node: burst to ECI. burst-resource is discontinued for Kubernetes >= 1.24.
ECI_BURST_ANNOTATION = "alibabacloud.com/burst-resource"
ECI_USE_SPECS_ANNOTATION = "k8s.aliyun.com/eci-use-specs"
ECI_USE_SPECS_MAX = 5
ECI_BURST_DISCONTINUED_KUBERNETES = (1, 24, 0)
# The taint of ACK virtual nodes; pods scheduled there tolerate it.
VIRTUAL_NODE_TAINT = "virtual-kubelet.io/provider"

# ---------------------------------------------------------------- metrics (KServe constants.go, config/runtimes)

MODEL_SERVER_PORT = 8080  # InferenceServiceDefaultHttpPort: every KServe runtime serves HTTP here
METRICS_PATH = "/metrics"
# Knative mode: queue-proxy's extension (qpext) serves the model server's and its own metrics
# together on port `aggr-metric` 9088 when the ISVC asks for aggregation.
METRIC_AGGREGATION_ANNOTATION = "serving.kserve.io/enable-metric-aggregation"
PROMETHEUS_PORT_ANNOTATION = "prometheus.kserve.io/port"
PROMETHEUS_PATH_ANNOTATION = "prometheus.kserve.io/path"
AGGREGATE_METRICS_PORT = 9088
AGGREGATE_METRICS_PORT_NAME = "aggr-metric"
# prometheus.kserve.io/port of KServe's runtimes per model format: TorchServe serves metrics on
# 8082, Triton (also serving onnx) on 8002, the Python servers and TF Serving on 8080.
MODEL_SERVER_METRICS_PORT = {"pytorch": 8082, "triton": 8002, "onnx": 8002}

# ---------------------------------------------------------------- mesh and certificates (serving-rules §4, §5)

# KServe sets these on every pod of an InferenceService (predictor.go: the component's labels are
# the ISVC's own labels united with serving.kserve.io/inferenceservice and component).
INFERENCESERVICE_POD_LABEL = "serving.kserve.io/inferenceservice"
# KServe's label on an InferenceGraph router's pods (constants.InferenceGraphLabel), and KubeRay's
# on every pod of a RayCluster (ray-operator utils/constant.go RayClusterLabelKey).
INFERENCEGRAPH_POD_LABEL = "serving.kserve.io/inferencegraph"
RAY_CLUSTER_POD_LABEL = "ray.io/cluster"
# Knative's system namespace: the activator proxies requests to revisions from there, the
# autoscaler scrapes queue-proxy's metrics from there (knative.dev/docs serving/istio-authorization).
KNATIVE_SYSTEM_NAMESPACE = "knative-serving"
# KServe's URL of a Knative-mode InferenceService leads through net-istio's knative-local-gateway
# (KServe ingress config localGatewayService, in istio-system); the predictor pods see that gateway,
# not the original caller, as their peer.
KNATIVE_LOCAL_GATEWAY_NAMESPACE = "istio-system"
# Paths Knative's system pods call on every revision pod: /healthz (activator and ingress probes)
# and /metrics (autoscaler). knative.dev istio-authorization; net-istio#554, kserve#1558.
KNATIVE_SYSTEM_PATHS = ("/healthz", "/metrics")
# net-istio's own Istio Gateways (config/200-gateway.yaml in knative-serving): a Gateway of ours
# with one of these names would replace Knative's.
KNATIVE_GATEWAYS = ("knative-ingress-gateway", "knative-local-gateway")
# Istio's Kubernetes Ingress support: an IngressClass `istio` with controller
# istio.io/ingress-controller (istio.io tasks/traffic-management/ingress/kubernetes-ingress).
ISTIO_INGRESS_CLASS = "istio"
CERT_MANAGER_GROUP = "cert-manager.io"
