"""Pod settings in the spec (spec/pod.py): volumes and mounts, fsGroup, affinity, priority class,
probes and the served model name, rendered onto the InferenceService and valid for KServe's CRD."""

from __future__ import annotations

from pathlib import Path


from compiler.pipeline import CompileOptions, compile_project
from tests.conftest import needs_shared
from tests.helpers import crd_errors
from tests.project import load_yaml

ENVIRONMENT = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions: {kubernetes: "1.33", kserve: "0.15.2"}
  namespace: ml-prod
  gitops: {tool: argocd, repoURL: "https://github.com/acme/models.git"}
"""
SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: bert
spec:
  mode: {mode}
  predictor:
    model:
      format: tensorflow
      storageUri: pvc://model-pvc/models/chnsenticorp
      servedName: chnsenticorp
    volumes:
      - {{name: data, mountPath: /data, pvc: model-pvc, readOnly: true}}
      - {{name: logging, mountPath: /etc/logging, configMap: bert-logging}}
      - {{name: scratch, mountPath: /tmp, emptyDir: {{sizeLimit: 1Gi}}}}
    pod:
      fsGroup: 1000
      priorityClassName: model-serving-high
      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms: [{{matchExpressions: [{{key: gpu, operator: In, values: [t4]}}]}}]
    probes:
      readiness: {{httpGet: {{path: /v1/models/chnsenticorp, port: 8080}}, periodSeconds: 10}}
  smokeTest: {{enabled: true}}
"""


def _compile(tmp_path: Path, text: str):
    (tmp_path / "services").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/bert.yaml").write_text(text)
    (tmp_path / "environments/prod.yaml").write_text(ENVIRONMENT)
    result = compile_project(tmp_path, None, CompileOptions())
    errors = [f"{d.location}: {d.rule}: {d.message}".replace(f"{tmp_path}/", "") for d in result.diagnostics if d.is_error]
    return errors, result.environments[0].files if result.environments else {}


@needs_shared
def test_pod_settings_are_rendered_onto_the_predictor_and_valid_for_kserve(tmp_path):
    errors, files = _compile(tmp_path, SERVICE.format(mode="standard"))
    assert errors == []
    isvc = load_yaml(files["ml-prod/inferenceservice-bert.yaml"])
    predictor = isvc["spec"]["predictor"]
    assert predictor["volumes"] == [
        {"name": "data", "persistentVolumeClaim": {"claimName": "model-pvc", "readOnly": True}},
        {"configMap": {"name": "bert-logging"}, "name": "logging"},
        {"emptyDir": {"sizeLimit": "1Gi"}, "name": "scratch"},
    ]
    assert predictor["securityContext"] == {"fsGroup": 1000}
    assert predictor["priorityClassName"] == "model-serving-high"
    assert predictor["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]["matchExpressions"][0]["key"] == "gpu"
    model = predictor["model"]
    assert model["volumeMounts"] == [
        {"mountPath": "/data", "name": "data", "readOnly": True},
        {"mountPath": "/etc/logging", "name": "logging"},
        {"mountPath": "/tmp", "name": "scratch"},
    ]
    assert model["readinessProbe"] == {"httpGet": {"path": "/v1/models/chnsenticorp", "port": 8080}, "periodSeconds": 10}
    assert model["args"] == ["--model_name=chnsenticorp"]
    assert crd_errors([isvc]) == []
    job = load_yaml(next(content for name, content in files.items() if name.startswith("ml-prod/job-")))
    assert "/v1/models/chnsenticorp" in str(job)  # the smoke test asks for the served name


def test_a_volume_needs_exactly_one_source(tmp_path):
    errors, _ = _compile(tmp_path, SERVICE.format(mode="standard").replace("configMap: bert-logging", "configMap: bert-logging, pvc: other"))
    assert errors == ["services/bert.yaml:14:9: SPEC-TYPE: spec.predictor.volumes[1]: volume 'logging' needs exactly one of pvc, configMap, emptyDir (has pvc, configMap)"]


def test_a_modelmesh_model_refuses_pod_settings_mm_05(tmp_path):
    text = SERVICE.format(mode="modelmesh").replace("      storageUri: pvc://model-pvc/models/chnsenticorp\n", "      storage: {parameters: {type: pvc, name: model-pvc}, path: chnsenticorp}\n").replace("  smokeTest: {enabled: true}\n", "")
    errors, _ = _compile(tmp_path, text)
    assert [e for e in errors if "MM-05" in e] == [
        "services/bert.yaml:11:7: MM-05: servedName is set on ModelMesh service 'bert': a ModelMesh model has no pods of its own",
        "services/bert.yaml:12:5: MM-05: volumes is set on ModelMesh service 'bert': a ModelMesh model has no pods of its own",
        "services/bert.yaml:16:5: MM-05: pod is set on ModelMesh service 'bert': a ModelMesh model has no pods of its own",
        "services/bert.yaml:23:5: MM-05: probes is set on ModelMesh service 'bert': a ModelMesh model has no pods of its own",
    ]
