"""Facts about upstream projects that both the rules and the emitters rely on.

Each fact names its source so it can be checked; see ../shared/docs/serving-rules.md.
"""

from __future__ import annotations

import re

# KServe pkg/constants/constants.go ParseDeploymentMode: v0.16 renamed Serverless→Knative and
# RawDeployment→Standard; older releases know only the legacy names.
DEPLOYMENT_MODE_ANNOTATION = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS_ANNOTATION = "serving.kserve.io/autoscalerClass"
_MODE_RENAME_RELEASE = (0, 16, 0)
_MODE_SPELLING = {
    "knative": ("Serverless", "Knative"),
    "standard": ("RawDeployment", "Standard"),
}
LEGACY_AND_CURRENT_MODE_NAMES = {name for pair in _MODE_SPELLING.values() for name in pair} | {"ModelMesh"}


def deployment_mode_value(mode: str, kserve_version: tuple[int, int, int]) -> str:
    legacy, current = _MODE_SPELLING[mode]
    return current if kserve_version >= _MODE_RENAME_RELEASE else legacy


# KServe pkg/apis/serving/v1beta1/inference_service_validation.go: IsvcNameFmt.
ISVC_NAME = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL_MAX = 63
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
