"""scaling.additionalMetrics: cpu 70 % and memory 80 % drive one HPA, the compiler's (SCALE-04)."""

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
"""
SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: llm
spec:
  mode: standard
  predictor:
    model: {format: huggingface, storageUri: "hf://meta/llama"}
  scaling:
    minReplicas: 1
    maxReplicas: 5
    metric: cpu
    target: 70
    additionalMetrics:
      - {metric: memory, target: 80}
"""


def _compile(tmp_path: Path, service: str) -> tuple[list[str], dict[str, bytes]]:
    (tmp_path / "services").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/llm.yaml").write_text(service)
    (tmp_path / "environments/prod.yaml").write_text(ENVIRONMENT)
    result = compile_project(tmp_path, None, CompileOptions())
    found = [f"{d.location}: {d.severity}[{d.rule}]: {d.message}".replace(f"{tmp_path}/", "") for d in result.diagnostics if d.rule != "VAL-NO-SCHEMA"]
    return found, result.environments[0].files


@needs_shared
def test_cpu_and_memory_drive_one_hpa_of_the_compilers_own(tmp_path):
    found, files = _compile(tmp_path, SERVICE)
    assert found == []
    hpa = load_yaml(files["ml-prod/horizontalpodautoscaler-llm-predictor-hpa.yaml"])
    assert hpa["spec"]["metrics"] == [
        {"resource": {"name": "cpu", "target": {"averageUtilization": 70, "type": "Utilization"}}, "type": "Resource"},
        {"resource": {"name": "memory", "target": {"averageUtilization": 80, "type": "Utilization"}}, "type": "Resource"},
    ]
    isvc = load_yaml(files["ml-prod/inferenceservice-llm.yaml"])
    assert isvc["metadata"]["annotations"]["serving.kserve.io/autoscalerClass"] == "external"  # KServe makes no HPA beside it
    assert crd_errors([hpa]) == []


def test_scale_04_additional_metrics_need_standard_mode(tmp_path):
    found, _ = _compile(tmp_path, SERVICE.replace("mode: standard", "mode: knative"))
    assert found == ["services/llm.yaml:14:5: error[SCALE-04]: additional metrics need mode standard; this service runs in knative mode, whose autoscaler scales on one metric"]


def test_scale_04_a_metric_listed_twice_and_a_target_out_of_range(tmp_path):
    found, _ = _compile(tmp_path, SERVICE.replace("{metric: memory, target: 80}", "{metric: cpu, target: 170}"))
    assert found == [
        "services/llm.yaml:15:10: error[SCALE-04]: metric 'cpu' is listed twice",
        "services/llm.yaml:15:23: error[SCALE-04]: cpu target 170 is not a percentage from 1 to 100",
    ]
