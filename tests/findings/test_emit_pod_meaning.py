"""emit/pod.py, whole: the predictor's pod and container fields from spec/pod.py, and the spec key
each of them (and each volume) points an error at."""

from __future__ import annotations

from compiler.emit import pod
from compiler.errors import Location
from compiler.plan.service import lower_service
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

PATCH = {"spec": {"mode": "standard", "predictor": {
    "volumes": [{"name": "cache", "pvc": "models", "mountPath": "/mnt/models", "subPath": "v1", "readOnly": True}],
    "pod": {"fsGroup": 1000, "priorityClassName": "high"},
    "probes": {"readiness": {"httpGet": {"path": "/ready", "port": 8080}}},
}}}


def plan_of(patch: dict):
    layer = _located(patched(BASE_SERVICE, patch), SERVICE_FILE)
    env = Environment.model_validate(BASE_ENV)
    return lower_service(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)


def at(line: int, column: int) -> Location:
    return Location(SERVICE_FILE, line, column)


def test_pod_and_container_fields():
    plan = plan_of(PATCH)
    assert pod.pod_fields(plan) == {"volumes": [{"name": "cache", "persistentVolumeClaim": {"claimName": "models", "readOnly": True}}], "securityContext": {"fsGroup": 1000}, "priorityClassName": "high"}
    assert pod.container_fields(plan) == {"volumeMounts": [{"name": "cache", "mountPath": "/mnt/models", "readOnly": True, "subPath": "v1"}], "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}


def test_each_field_points_at_its_spec_key():
    # services/iris.yaml as dumped: predictor 7:3, pod 11:5 (fsGroup 12:7, priorityClassName 13:7),
    # probes 14:5 (readiness 15:7), volumes 19:5 (the first 20:7)
    assert pod.origins(plan_of(PATCH), "/spec/predictor/model") == {
        "/spec/predictor/volumes": at(19, 5),
        "/spec/predictor/model/volumeMounts": at(19, 5),
        "/spec/predictor/securityContext": at(12, 7),
        "/spec/predictor/affinity": at(11, 5),  # not set: its parent, pod
        "/spec/predictor/priorityClassName": at(13, 7),
        "/spec/predictor/volumes/0": at(20, 7),
        "/spec/predictor/model/volumeMounts/0": at(20, 7),
        "/spec/predictor/model/readinessProbe": at(15, 7),
        "/spec/predictor/model/livenessProbe": at(14, 5),
        "/spec/predictor/model/startupProbe": at(14, 5),
    }
