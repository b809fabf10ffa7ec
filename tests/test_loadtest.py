"""The opt-in load test (spec/loadtest.py, emit/loadtest.py, LOAD-01): the seeds' vegeta and fortio
runs as a Job with pass thresholds, run after sync, allowed by the service's access policy."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.emit.loadtest import CHECK_SCRIPT
from compiler.pipeline import CompileOptions, compile_project
from tests.project import load_yaml

ENVIRONMENT = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions: {kubernetes: "1.33", kserve: "0.15.2"}
  namespace: kserve-test
  gitops: {tool: argocd, repoURL: "https://github.com/acme/models.git"}
  mesh:
    gateway: {name: inference-gateway, namespace: istio-system}
"""
# The KServe-on-ASM seed's load test: vegeta, 500 requests/s for 60 s (30,000 requests).
SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: sklearn-iris
spec:
  mode: knative
  predictor:
    model: {format: sklearn, storageUri: "gs://kfserving-examples/models/sklearn/1.0/model"}
  access:
    allowNamespaces: [kserve-test]
  loadTest:
    enabled: true
    tool: vegeta
    image: docker.io/peterevans/vegeta:6.9.1
    rate: 500
    durationSeconds: 60
    payload: '{"instances": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}'
    thresholds: {maxErrorRate: 0.01, p99Millis: 50}
"""


def _compile(tmp_path: Path, service: str) -> tuple[list[str], dict[str, bytes]]:
    (tmp_path / "services").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/svc.yaml").write_text(service)
    (tmp_path / "environments/prod.yaml").write_text(ENVIRONMENT)
    result = compile_project(tmp_path, None, CompileOptions())
    errors = [f"{d.location}: {d.rule}: {d.message}".replace(f"{tmp_path}/", "") for d in result.diagnostics if d.is_error]
    return errors, result.environments[0].files


def test_the_seeds_vegeta_run_is_a_post_sync_job_the_access_policy_allows(tmp_path):
    errors, files = _compile(tmp_path, SERVICE)
    assert errors == []
    job = load_yaml(files["kserve-test/job-sklearn-iris-load-test.yaml"])
    assert job["metadata"]["annotations"]["argocd.argoproj.io/hook"] == "PostSync"
    pod = job["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "sklearn-iris-load-test"
    tool = pod["initContainers"][0]
    assert tool["image"] == "docker.io/peterevans/vegeta:6.9.1"
    env = {item["name"]: item["value"] for item in tool["env"]}
    assert (env["METHOD"], env["URL"], env["RATE"], env["DURATION"]) == ("POST", "http://sklearn-iris-predictor.kserve-test.svc.cluster.local/v1/models/sklearn-iris:predict", "500", "60")
    check = {item["name"]: item["value"] for item in pod["containers"][0]["env"]}
    assert check == {"TOOL": "vegeta", "MAX_ERROR_RATE": "0.01", "MAX_P99_MS": "50.0"}
    assert "kserve-test/serviceaccount-sklearn-iris-load-test.yaml" in files
    allow = load_yaml(files["kserve-test/authorizationpolicy-sklearn-iris-allow.yaml"])
    principals = [p for source in allow["spec"]["rules"][0]["from"] for p in source["source"].get("principals", [])]
    assert "cluster.local/ns/kserve-test/sa/sklearn-iris-load-test" in principals


def test_a_modelmesh_model_is_loaded_through_modelmesh_serving_with_fortio(tmp_path):
    service = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: tf-mnist
spec:
  mode: modelmesh
  predictor:
    model: {format: sklearn, storageUri: "s3://models/mnist"}
  loadTest:
    enabled: true
    tool: fortio
    image: docker.io/fortio/fortio:1.63.7
    rate: 100
    durationSeconds: 60
    connections: 1
    headers: {model: tf-mnist}
"""
    (tmp_path / "environments").mkdir()
    env = ENVIRONMENT.replace("  mesh:\n    gateway: {name: inference-gateway, namespace: istio-system}\n", "") + "  modelmesh:\n    runtimes:\n      - name: mlserver\n        image: docker.io/seldonio/mlserver:1.5.0\n        supportedModelFormats: [{name: sklearn, version: '0', autoSelect: true}]\n"
    (tmp_path / "services").mkdir()
    (tmp_path / "services/svc.yaml").write_text(service)
    (tmp_path / "environments/prod.yaml").write_text(env)
    result = compile_project(tmp_path, None, CompileOptions())
    assert [str(d) for d in result.diagnostics if d.is_error] == []
    job = load_yaml(result.environments[0].files["kserve-test/job-tf-mnist-load-test.yaml"])
    assert job["spec"]["template"]["spec"]["initContainers"][0]["args"] == [
        "load", "-qps", "100", "-t", "60s", "-c", "1", "-H", "model: tf-mnist", "-json", "/results/report.json",
        "http://modelmesh-serving.kserve-test.svc.cluster.local:8008/v2/models/tf-mnist/infer",
    ]  # fmt: skip


def test_load_01_an_enabled_test_without_an_image(tmp_path):
    errors, _ = _compile(tmp_path, SERVICE.replace("    image: docker.io/peterevans/vegeta:6.9.1\n", ""))
    assert errors == ["services/svc.yaml:12:5: LOAD-01: the vegeta load test has no image"]


def test_load_01_split_versions_have_no_one_predictor(tmp_path):
    versions = "  canaryStrategy: split\n  versions:\n    - {name: v1, weight: 90}\n    - {name: v2}\n"
    errors, _ = _compile(tmp_path, SERVICE + versions)
    assert errors == ["services/svc.yaml:12:5: LOAD-01: the service's versions are split into InferenceServices of their own: there is no one predictor to load"]


VEGETA_REPORT = {"latencies": {"total": 1, "mean": 1463000, "50th": 1378000, "90th": 1588000, "95th": 1746000, "99th": 2990000, "max": 18873000, "min": 1196000}, "success": 1}
FORTIO_REPORT = """{
  "DurationHistogram": {
    "Count": 6000,
    "Percentiles": [
      {
        "Percentile": 99,
        "Value": 0.0124
      },
      {
        "Percentile": 99.9,
        "Value": 0.09
      }
    ]
  },
  "RetCodes": {
    "200": 5994,
    "503": 6
  },
  "Sizes": {}
}
"""


@pytest.mark.skipif(shutil.which("awk") is None, reason="needs sh and awk")
@pytest.mark.parametrize(
    "tool, report, max_errors, p99, passes",
    [
        ("vegeta", json.dumps(VEGETA_REPORT, separators=(",", ":")), "0", "3", True),  # the seed's run (compact, as vegeta writes it): p99 2.99 ms, 100 % success
        ("vegeta", json.dumps(VEGETA_REPORT), "0", "2.9", False),  # p99 just over
        ("vegeta", json.dumps({**VEGETA_REPORT, "success": 0.98}), "0.01", "", False),
        ("fortio", FORTIO_REPORT, "0.001", "12.4", True),  # 6 of 6,000 failed: exactly 0.1 %
        ("fortio", FORTIO_REPORT, "0.0009", "", False),
        ("fortio", FORTIO_REPORT, "0.01", "12.3", False),
    ],
)
def test_the_check_reads_each_tools_report(tmp_path, tool, report, max_errors, p99, passes):
    (tmp_path / "report.json").write_text(report)
    env = {"PATH": "/usr/bin:/bin", "TOOL": tool, "MAX_ERROR_RATE": max_errors, "MAX_P99_MS": p99}
    run = subprocess.run(["sh", "-c", CHECK_SCRIPT.replace("/results", str(tmp_path))], env=env, capture_output=True, text=True)
    assert (run.returncode == 0) is passes, run.stdout + run.stderr


def test_flux_applies_the_load_test_after_the_environment_from_its_own_folder(tmp_path):
    env = ENVIRONMENT.replace('gitops: {tool: argocd, repoURL: "https://github.com/acme/models.git"}', 'gitops: {tool: flux, repoURL: "https://github.com/acme/models.git"}')
    (tmp_path / "services").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/svc.yaml").write_text(SERVICE)
    (tmp_path / "environments/prod.yaml").write_text(env)
    result = compile_project(tmp_path, None, CompileOptions())
    assert [str(d) for d in result.diagnostics if d.is_error] == []
    files = result.environments[0].files
    assert "kserve-test/job-sklearn-iris-load-test.yaml" not in files
    assert "kserve-test/job-sklearn-iris-load-test.yaml" not in load_yaml(files["kustomization.yaml"])["resources"]
    job = load_yaml(files["_loadtests/kserve-test/job-sklearn-iris-load-test.yaml"])
    assert "annotations" not in job["metadata"]  # no Argo CD hook
    assert load_yaml(files["_loadtests/kustomization.yaml"])["resources"] == ["kserve-test/job-sklearn-iris-load-test.yaml"]
    gitops = sorted(name for name in files if name.startswith("_gitops/"))
    assert gitops == ["_gitops/flux-system/gitrepository-inferplane-prod.yaml", "_gitops/flux-system/kustomization-inferplane-prod-loadtests.yaml", "_gitops/flux-system/kustomization-inferplane-prod.yaml", "_gitops/kustomization.yaml"]
    tests = load_yaml(files["_gitops/flux-system/kustomization-inferplane-prod-loadtests.yaml"])
    assert tests["spec"]["dependsOn"] == [{"name": "inferplane-prod"}]
    assert (tests["spec"]["path"], tests["spec"]["wait"], tests["spec"]["force"]) == ("./rendered/prod/_loadtests", True, True)
