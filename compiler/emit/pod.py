"""The predictor's pod settings (spec/pod.py) as InferenceService fields: volumes, fsGroup,
affinity and priority class on the predictor (KServe's PredictorSpec inlines a PodSpec), mounts
and probes on the model server container, and the served model name as `--model_name`."""

from __future__ import annotations

from ..errors import Location
from ..plan.service import ServicePlan
from ..spec.models import ModelRef
from ..spec.pod import VolumeSpec

PREDICTOR = ("spec", "predictor")
_PROBES = (("readiness", "readinessProbe"), ("liveness", "livenessProbe"), ("startup", "startupProbe"))


def _volume(volume: VolumeSpec) -> dict:
    if volume.pvc is not None:
        return {"name": volume.name, "persistentVolumeClaim": {"claimName": volume.pvc, **({"readOnly": True} if volume.read_only else {})}}
    if volume.config_map is not None:
        return {"name": volume.name, "configMap": {"name": volume.config_map}}
    assert volume.empty_dir is not None
    return {"name": volume.name, "emptyDir": volume.empty_dir.model_dump(by_alias=True, exclude_none=True)}


def _mount(volume: VolumeSpec) -> dict:
    mount: dict = {"name": volume.name, "mountPath": volume.mount_path}
    if volume.read_only is not None:
        mount["readOnly"] = volume.read_only
    if volume.sub_path:
        mount["subPath"] = volume.sub_path
    return mount


def pod_fields(plan: ServicePlan) -> dict:
    """Fields of the predictor itself (the pod)."""
    predictor = plan.predictor
    fields: dict = {}
    if predictor.volumes:
        fields["volumes"] = [_volume(volume) for volume in predictor.volumes]
    if predictor.pod.fs_group is not None:
        fields["securityContext"] = {"fsGroup": predictor.pod.fs_group}
    if predictor.pod.affinity:
        fields["affinity"] = dict(predictor.pod.affinity)
    if predictor.pod.priority_class_name:
        fields["priorityClassName"] = predictor.pod.priority_class_name
    return fields


def container_fields(plan: ServicePlan) -> dict:
    """Fields of the model server container."""
    predictor = plan.predictor
    fields: dict = {}
    if predictor.volumes:
        fields["volumeMounts"] = [_mount(volume) for volume in predictor.volumes]
    for key, field in _PROBES:
        probe = getattr(predictor.probes, key)
        if probe:
            fields[field] = dict(probe)
    return fields


def served_name_args(model: ModelRef) -> list[str]:
    """KServe's runtimes pass `--model_name={{.Name}}` (the InferenceService) and append the
    predictor's args after it; the last one wins (plan/traffic.py MODEL_NAMED_AFTER_ISVC)."""
    return [f"--model_name={model.served_name}"] if model.served_name else []


def origins(plan: ServicePlan, container: str) -> dict[str, Location]:
    found = {
        "/spec/predictor/volumes": plan.locate(*PREDICTOR, "volumes"),
        f"{container}/volumeMounts": plan.locate(*PREDICTOR, "volumes"),
        "/spec/predictor/securityContext": plan.locate(*PREDICTOR, "pod", "fsGroup"),
        "/spec/predictor/affinity": plan.locate(*PREDICTOR, "pod", "affinity"),
        "/spec/predictor/priorityClassName": plan.locate(*PREDICTOR, "pod", "priorityClassName"),
    }
    for index, _volume_spec in enumerate(plan.predictor.volumes):
        found[f"/spec/predictor/volumes/{index}"] = plan.locate(*PREDICTOR, "volumes", index)
        found[f"{container}/volumeMounts/{index}"] = plan.locate(*PREDICTOR, "volumes", index)
    for key, field in _PROBES:
        found[f"{container}/{field}"] = plan.locate(*PREDICTOR, "probes", key)
    return found
