"""Exposure providers beyond the mesh gateway: a Gateway API HTTPRoute (exposure.gatewayApi),
validated against the Gateway API CRDs, and a cluster-internal service (exposure.internal)."""

from __future__ import annotations

from pathlib import Path

from compiler.pipeline import CompileOptions, compile_project
from tests.conftest import SHARED, needs_shared
from tests.project import load_yaml

ENVIRONMENT = f"""\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions: {{kubernetes: "1.33", kserve: "0.15.2"}}
  namespace: ml-prod
  domain: prod.example.com
  mesh: {{}}
  validation:
    crds: ["{SHARED}/crds", "{SHARED}/crds-extra/gateway-api"]
    kserveCrds: ["{SHARED}/crds-by-version/kserve/{{{{.KServeVersion}}}}"]
"""
SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: standard
  predictor:
    model: {format: sklearn, storageUri: "gs://bucket/model"}
  scaling: {minReplicas: 1, maxReplicas: 3}
"""
GATEWAY_API = """\
  exposure:
    timeoutSeconds: 30
    gatewayApi:
      gateway: inference
      gatewayNamespace: gateways
      sectionName: https
"""
ROUTE_FILE = "ml-prod/httproute-iris-route.yaml"


def _compile(tmp_path: Path, service: str, environment: str = ENVIRONMENT) -> tuple[list[str], dict[str, bytes]]:
    (tmp_path / "services").mkdir(parents=True)
    (tmp_path / "environments").mkdir()
    (tmp_path / "services/iris.yaml").write_text(service)
    (tmp_path / "environments/prod.yaml").write_text(environment)
    result = compile_project(tmp_path, None, CompileOptions(cache_dir=tmp_path / ".cache"))
    found = [f"{d.location}: {d.severity}[{d.rule}]: {d.message}".replace(f"{tmp_path}/", "") for d in result.diagnostics]
    return found, result.environments[0].files


@needs_shared
def test_an_http_route_attaches_to_the_named_gateway_and_is_validated(tmp_path):
    found, files = _compile(tmp_path, SERVICE + GATEWAY_API)
    assert found == []  # validated: no schema error, no kind without a schema
    route = load_yaml(files[ROUTE_FILE])
    assert route["apiVersion"] == "gateway.networking.k8s.io/v1"
    assert route["spec"] == {
        "hostnames": ["iris.prod.example.com"],
        "parentRefs": [{"name": "inference", "namespace": "gateways", "sectionName": "https"}],
        "rules": [{"backendRefs": [{"name": "iris-predictor", "port": 80}], "matches": [{"path": {"type": "PathPrefix", "value": "/"}}], "timeouts": {"request": "30s"}}],
    }


@needs_shared
def test_versions_we_split_are_weighted_backends_of_the_route(tmp_path):
    versions = "  versions:\n    - {name: v1, weight: 90}\n    - {name: v2, weight: 10}\n"
    found, files = _compile(tmp_path, SERVICE + versions + GATEWAY_API)
    assert found == []
    route = load_yaml(files[ROUTE_FILE])
    assert route["spec"]["rules"][0]["backendRefs"] == [
        {"name": "iris-v1-predictor", "port": 80, "weight": 90},
        {"name": "iris-v2-predictor", "port": 80, "weight": 10},
    ]


@needs_shared
def test_header_matches_and_hostnames_as_written(tmp_path):
    exposure = GATEWAY_API + "      hostnames: [iris.acme.example, '*.models.acme.example']\n    matchHeaders: [{name: model, exact: iris}, {name: tenant, regex: '^team-.*'}]\n"
    found, files = _compile(tmp_path, SERVICE + exposure)
    assert found == []
    spec = load_yaml(files[ROUTE_FILE])["spec"]
    assert spec["hostnames"] == ["iris.acme.example", "*.models.acme.example"]
    assert spec["rules"][0]["matches"] == [
        {"headers": [{"name": "model", "type": "Exact", "value": "iris"}, {"name": "tenant", "type": "RegularExpression", "value": "^team-.*"}], "path": {"type": "PathPrefix", "value": "/"}}
    ]


@needs_shared
def test_kserve_owns_the_route_when_the_environment_says_so(tmp_path):
    found, files = _compile(tmp_path, SERVICE + GATEWAY_API, ENVIRONMENT + "  kserveGatewayApi: true\n")
    assert found == [
        "services/iris.yaml:12:5: error[EXPOSE-03]: environment 'prod' lets KServe create this service's HTTPRoute (kserveGatewayApi): a second route of ours would fight it for the same hosts"
    ]
    found, files = _compile(tmp_path / "kserve", SERVICE, ENVIRONMENT + "  kserveGatewayApi: true\n")
    assert found == [] and not [name for name in files if "httproute" in name]


@needs_shared
def test_an_internal_service_renders_nothing_for_the_edge_and_keeps_its_access(tmp_path):
    internal = "  exposure: {internal: true}\n  access: {allowNamespaces: [clients]}\n"
    found, files = _compile(tmp_path, SERVICE + internal)
    assert found == []
    edge = [name for name in files if any(kind in name for kind in ("httproute-", "ingress-", "gateway-", "certificate-", "domainmapping-"))]
    assert edge == []
    assert "ml-prod/authorizationpolicy-iris-allow.yaml" in files
    # KServe makes no Ingress or HTTPRoute of its own for it either (raw_ingress_reconciler.go).
    labels = load_yaml(files["ml-prod/inferenceservice-iris.yaml"])["metadata"]["labels"]
    assert labels["networking.kserve.io/visibility"] == "cluster-local"


@needs_shared
def test_an_internal_knative_service_is_cluster_local_to_knative(tmp_path):
    service = SERVICE.replace("mode: standard", "mode: knative") + "  exposure: {internal: true}\n"
    found, files = _compile(tmp_path, service)
    assert found == []
    labels = load_yaml(files["ml-prod/inferenceservice-iris.yaml"])["metadata"]["labels"]
    assert labels["networking.knative.dev/visibility"] == "cluster-local"
    assert "networking.kserve.io/visibility" not in labels
    # without internal, no visibility label at all
    found, files = _compile(tmp_path / "public", SERVICE.replace("mode: standard", "mode: knative"))
    assert not [key for key in load_yaml(files["ml-prod/inferenceservice-iris.yaml"])["metadata"]["labels"] if "visibility" in key]


@needs_shared
def test_a_plain_http_listener_is_a_warning_in_production_only(tmp_path):
    plain = SERVICE + GATEWAY_API.replace("      sectionName: https\n", "      sectionName: http\n      plainHttp: true\n")
    found, _ = _compile(tmp_path, plain, ENVIRONMENT + "  production: true\n")
    assert found == ["services/iris.yaml:16:7: warning[EXPOSE-02]: production environment 'prod' serves this service's HTTPRoute on a plain-HTTP listener"]
    found, _ = _compile(tmp_path / "test", plain)
    assert found == []


@needs_shared
def test_kserve_020_canaries_are_weighted_without_a_mesh(tmp_path):
    """spec.canary's Services `<isvc>-<version>-predictor`: KServe weights them only in its own
    HTTPRoutes (kserve#5912); ours does it when the route is ours."""
    environment = ENVIRONMENT.replace('kserve: "0.15.2"', 'kserve: "0.20.0"').replace("  mesh: {}\n", "")
    versions = "  versions:\n    - {name: v1}\n    - {name: v2, weight: 20}\n"
    found, files = _compile(tmp_path, SERVICE + versions + GATEWAY_API, environment)
    assert found == []
    assert load_yaml(files[ROUTE_FILE])["spec"]["rules"][0]["backendRefs"] == [
        {"name": "iris-predictor", "port": 80, "weight": 80},
        {"name": "iris-v2-predictor", "port": 80, "weight": 20},
    ]
