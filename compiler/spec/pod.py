"""Pod settings of a predictor that the seeds needed and had to patch in: volumes and their
mounts (a PVC, a ConfigMap, an emptyDir), the pod's fsGroup, affinity, priority class and the
model server's probes. They are rendered onto the InferenceService's predictor (a pod spec) and
its model or custom container; the offline validator checks them against KServe's CRD."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from .base import Int64, Quantity, SpecModel
from .names import DnsLabel, DnsSubdomain


class EmptyDir(SpecModel):
    medium: Literal["", "Memory"] | None = Field(None, description="Memory: a tmpfs (counts against the container's memory limit).")
    size_limit: Quantity | None = None


class VolumeSpec(SpecModel):
    """One volume and where the model server sees it: exactly one of pvc, configMap, emptyDir."""

    name: DnsLabel = Field(description="Volume name (a DNS label), unique in the pod.")
    mount_path: str = Field(pattern=r"^/", description="Where the model server's container mounts it.")
    read_only: bool | None = None
    sub_path: str | None = Field(None, description="A path inside the volume to mount instead of its root.")
    pvc: DnsSubdomain | None = Field(None, description="A PersistentVolumeClaim in the service's namespace (e.g. one of resources/).")
    config_map: DnsSubdomain | None = Field(None, description="A ConfigMap in the service's namespace.")
    empty_dir: EmptyDir | None = None

    @model_validator(mode="after")
    def _one_source(self) -> VolumeSpec:
        sources = [name for name, value in (("pvc", self.pvc), ("configMap", self.config_map), ("emptyDir", self.empty_dir)) if value is not None]
        if len(sources) != 1:
            raise ValueError(f"volume {self.name!r} needs exactly one of pvc, configMap, emptyDir (has {', '.join(sources) or 'none'})")
        return self


class PodSettings(SpecModel):
    fs_group: Int64 | None = Field(None, ge=0, description="securityContext.fsGroup of the pod: the group that owns mounted volumes.")
    priority_class_name: DnsSubdomain | None = Field(None, description="PriorityClass of the predictor's pods.")
    affinity: dict = Field(default_factory=dict, description="Kubernetes affinity of the predictor's pods (nodeAffinity, podAffinity, podAntiAffinity).")


class Probes(SpecModel):
    readiness: dict | None = Field(None, description="readinessProbe of the model server container (a Kubernetes Probe).")
    liveness: dict | None = Field(None, description="livenessProbe of the model server container.")
    startup: dict | None = Field(None, description="startupProbe of the model server container.")
