"""Exposure through a Kubernetes Ingress (EXPOSE-01) and autoscaler metrics with a source (SCALE-03)."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import CompileOptions, compile_project
from tests.project import load_yaml

ENVIRONMENT = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions: {kubernetes: "1.33", kserve: "0.15.2"}
  namespace: ml-prod
  domain: prod.example.com
  mesh:
    gateway: {name: inference-gateway, namespace: istio-system}
  tls:
    issuer: {kind: ClusterIssuer, name: selfsigned, type: selfSigned}
"""
# The elastic-GPU seed as the example fleet wrote it before exposure.ingress existed: an HPA on
# the nginx ingress's QPS, and only the sentiment API may call the model.
SEED = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: bert
spec:
  mode: standard
  predictor:
    model: {format: tensorflow, storageUri: "pvc://model-pvc/models/chnsenticorp"}
  scaling:
    minReplicas: 1
    maxReplicas: 10
    metric: external
    target: 10
    external:
      name: sls_ingress_qps
      selector:
        sls.logstore: nginx-ingress
        sls.ingress.route: ml-prod-bert-predictor-80
  access:
    allowServiceAccounts: [ml-clients/sentiment-api]
"""
INGRESS = """\
  exposure:
    ingress:
      className: nginx
      controllerNamespace: ingress-nginx
"""


def _compile(tmp_path: Path, service: str) -> tuple[list[str], dict[str, bytes]]:
    (tmp_path / "services").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/bert.yaml").write_text(service)
    (tmp_path / "environments/prod.yaml").write_text(ENVIRONMENT)
    result = compile_project(tmp_path, None, CompileOptions())
    found = [f"{d.location}: {d.severity}[{d.rule}]: {d.message}".replace(f"{tmp_path}/", "") for d in result.diagnostics if d.rule != "VAL-NO-SCHEMA"]
    return found, result.environments[0].files


def test_scale_03_fires_on_the_elastic_gpu_seed_as_it_stands(tmp_path):
    found, _ = _compile(tmp_path, SEED)
    assert found == [
        "services/bert.yaml:15:7: error[SCALE-03]: metric 'sls_ingress_qps' counts requests through an ingress, but the service has no exposure.ingress: no request is ever counted and the HPA never scales"
    ]


def test_scale_03_is_quiet_when_the_ingress_carries_the_requests_and_its_controller_may_call(tmp_path):
    found, files = _compile(tmp_path, SEED + INGRESS)
    assert found == []
    ingress = load_yaml(files["ml-prod/ingress-bert-ingress.yaml"])
    assert ingress["spec"] == {
        "ingressClassName": "nginx",
        "rules": [{"host": "bert.prod.example.com", "http": {"paths": [{"backend": {"service": {"name": "bert-predictor", "port": {"number": 80}}}, "path": "/", "pathType": "Prefix"}]}}],
    }
    allow = load_yaml(files["ml-prod/authorizationpolicy-bert-allow.yaml"])
    assert {"source": {"namespaces": ["ingress-nginx"]}} in allow["spec"]["rules"][0]["from"]


def test_scale_03_fires_when_access_leaves_the_ingress_controller_out(tmp_path):
    found, _ = _compile(tmp_path, SEED + INGRESS.replace("      controllerNamespace: ingress-nginx\n", ""))
    assert found == [
        "services/bert.yaml:22:5: error[SCALE-03]: the service accepts only the callers `access` names and the ingress controller is not one of them: requests through the Ingress are refused and the metric never moves"
    ]


def test_scale_03_fires_when_the_hpa_follows_another_route(tmp_path):
    found, _ = _compile(tmp_path, SEED.replace("ml-prod-bert-predictor-80", "default-bert-tfserving-8501") + INGRESS)
    assert found == [
        "services/bert.yaml:18:9: error[SCALE-03]: sls.ingress.route 'default-bert-tfserving-8501' is not the route of this service's Ingress ('ml-prod-bert-predictor-80'): the HPA follows another route's traffic"
    ]


@pytest.mark.parametrize("public, expected", [(False, 1), (True, 0)])
def test_scale_03_a_gateway_metric_needs_the_service_on_the_gateway(tmp_path, public, expected):
    service = SEED.replace("sls_ingress_qps", "istio_gateway_requests").replace("        sls.ingress.route: ml-prod-bert-predictor-80\n", "")
    service += "  exposure: {public: true}\n" if public else ""
    found, _ = _compile(tmp_path, service)
    message = "services/bert.yaml:15:7: error[SCALE-03]: metric 'istio_gateway_requests' counts requests at the mesh gateway, but the service is not exposed there: the metric never moves and the HPA never scales"
    assert found == [message] * expected


def test_scale_03_is_quiet_on_a_metric_it_cannot_place(tmp_path):
    found, _ = _compile(tmp_path, SEED.replace("sls_ingress_qps", "queue_depth").replace("        sls.ingress.route: ml-prod-bert-predictor-80\n", ""))
    assert found == []


def test_expose_01_an_ingress_needs_standard_mode(tmp_path):
    service = SEED.replace("mode: standard", "mode: knative").replace("    metric: external\n    target: 10\n", "").replace(
        "    external:\n      name: sls_ingress_qps\n      selector:\n        sls.logstore: nginx-ingress\n        sls.ingress.route: ml-prod-bert-predictor-80\n", ""
    )
    found, _ = _compile(tmp_path, service + INGRESS)
    assert found == ["services/bert.yaml:15:5: error[EXPOSE-01]: exposure.ingress needs mode standard; this service runs in knative mode"]


def test_an_ingress_with_a_tls_secret_and_a_host_serves_https_on_that_host(tmp_path):
    found, files = _compile(tmp_path, SEED + INGRESS + "      host: sentiment.example.com\n      tlsSecretName: sentiment-tls\n")
    assert found == []
    spec = load_yaml(files["ml-prod/ingress-bert-ingress.yaml"])["spec"]
    assert spec["tls"] == [{"hosts": ["sentiment.example.com"], "secretName": "sentiment-tls"}]
    assert spec["rules"][0]["host"] == "sentiment.example.com"


PLAIN = ENVIRONMENT.replace("    gateway: {name: inference-gateway, namespace: istio-system}\n  tls:\n    issuer: {kind: ClusterIssuer, name: selfsigned, type: selfSigned}\n", "    gateway: {name: inference-gateway, namespace: istio-system, plainHttp: true}\n")
PUBLIC = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: knative
  predictor:
    model: {format: sklearn, storageUri: "gs://kfserving-examples/models/sklearn/1.0/model"}
  exposure: {public: true}
"""


def _compile_env(tmp_path: Path, env: str, service: str) -> tuple[list[str], dict[str, bytes]]:
    (tmp_path / "services").mkdir()
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/iris.yaml").write_text(service)
    (tmp_path / "environments/prod.yaml").write_text(env)
    result = compile_project(tmp_path, None, CompileOptions())
    found = [f"{d.location}: {d.severity}[{d.rule}]: {d.message}".replace(f"{tmp_path}/", "") for d in result.diagnostics if d.rule != "VAL-NO-SCHEMA"]
    return found, result.environments[0].files


def test_a_plain_http_gateway_serves_port_80_without_a_certificate_and_cm_01_is_quiet(tmp_path):
    assert "plainHttp: true" in PLAIN and "tls:" not in PLAIN
    found, files = _compile_env(tmp_path, PLAIN, PUBLIC)
    assert found == []
    gateway = load_yaml(files["istio-system/gateway-inference-gateway.yaml"])
    assert gateway["spec"]["servers"] == [{"hosts": ["iris.prod.example.com"], "port": {"name": "http", "number": 80, "protocol": "HTTP"}}]
    assert not any("certificate" in name for name in files)


def test_without_plain_http_and_tls_cm_01_still_fires(tmp_path):
    found, _ = _compile_env(tmp_path, PLAIN.replace(", plainHttp: true", ""), PUBLIC)
    assert found == ["services/iris.yaml:9:14: error[CM-01]: environment 'prod' has no tls settings: nothing issues the gateway's certificate"]


def test_expose_02_warns_of_plain_http_in_production_only(tmp_path):
    found, _ = _compile_env(tmp_path, PLAIN + "  production: true\n", PUBLIC)
    assert found == ["services/iris.yaml:9:14: warning[EXPOSE-02]: production environment 'prod' serves this service over plain HTTP on the mesh gateway (mesh.gateway.plainHttp)"]
