"""Exposure and access of an InferenceGraph's router and of a Ray Serve app (plan/endpoints.py):
the route, the gateway's host and certificate, and the access policies a single-predictor service
gets, rendered by the same emitters, validated against the upstream CRDs and cross-referenced."""

from __future__ import annotations

from tests.conftest import needs_shared
from tests.test_workload_ray import RAY, SHARED_CLUSTER
from tests.workload_project import compile_text, findings

MESH = {"mesh": {}, "domain": "models.example.com", "tls": {"issuer": {"name": "gateway-ca", "type": "selfSigned"}}}
GRAPH = "  mode: graph\n  graph:\n    nodes:\n      root:\n        routerType: Sequence\n        steps: [{name: classify, service: classifier}]\n"
EXPOSED = "  exposure: {public: true, timeoutSeconds: 30}\n  access: {allowNamespaces: [ml-clients]}\n"


def _objects(result, kind: str) -> dict[str, dict]:
    return {m.name: m.body for m in result.manifests if m.kind == kind}


@needs_shared
def test_graph_router_is_routed_through_knative_local_gateway_and_its_pods_are_guarded(tmp_path):
    result = compile_text(tmp_path, GRAPH + EXPOSED, others=("classifier",), **MESH)
    assert result.ok, [d.format() for d in result.diagnostics]
    route = _objects(result, "VirtualService")["iris-route"]["spec"]
    assert route["hosts"] == ["iris.models.example.com"] and route["gateways"] == ["istio-system/inference-gateway"]
    assert route["http"][0]["route"] == [{"destination": {"host": "knative-local-gateway.istio-system.svc.cluster.local", "port": {"number": 80}}, "headers": {"request": {"set": {"Host": "iris.ml-prod.svc.cluster.local"}}}}]
    assert route["http"][0]["timeout"] == "30s"
    assert "iris.models.example.com" in _objects(result, "Certificate")["prod-gateway"]["spec"]["dnsNames"]
    policies = _objects(result, "AuthorizationPolicy")
    assert policies["iris-default-deny"]["spec"] == {"selector": {"matchLabels": {"serving.kserve.io/inferencegraph": "iris"}}}
    allowed = policies["iris-allow"]["spec"]["rules"][0]["from"][0]["source"]["namespaces"]
    assert allowed == ["istio-system", "knative-serving", "ml-clients"]  # gateway, activator (Knative router), callers


@needs_shared
def test_ray_service_is_routed_to_kuberay_serve_service_and_its_pods_are_guarded(tmp_path):
    result = compile_text(tmp_path, RAY + EXPOSED, **MESH)
    assert result.ok, [d.format() for d in result.diagnostics]
    route = _objects(result, "VirtualService")["iris-route"]["spec"]
    assert route["hosts"] == ["iris.models.example.com", "iris-serve-svc.ml-prod.svc.cluster.local"]
    assert route["gateways"] == ["istio-system/inference-gateway", "mesh"]
    assert route["http"][0]["route"] == [{"destination": {"host": "iris-serve-svc.ml-prod.svc.cluster.local", "port": {"number": 8000}}}]
    policies = _objects(result, "AuthorizationPolicy")
    assert policies["iris-default-deny"]["spec"] == {"selector": {"matchLabels": {"app.kubernetes.io/name": "iris"}}}
    # no Knative hops; Ray's own ports stay open to the cluster's pods and KubeRay's operator
    assert policies["iris-allow"]["spec"]["rules"] == [{"from": [{"source": {"namespaces": ["istio-system", "ml-clients"]}}]}, {"to": [{"operation": {"notPorts": ["8000"]}}]}]
    head = _objects(result, "RayService")["iris"]["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]
    assert head["metadata"]["labels"] == {"app.kubernetes.io/name": "iris"}


@needs_shared
def test_service_on_a_shared_cluster_is_routed_to_its_serve_service(tmp_path):
    result = compile_text(tmp_path, "  mode: ray\n  ray: {cluster: shared-gpu}\n" + EXPOSED, rayClusters={"shared-gpu": SHARED_CLUSTER}, **MESH)
    assert result.ok, [d.format() for d in result.diagnostics]
    route = _objects(result, "VirtualService")["iris-route"]["spec"]
    assert route["http"][0]["route"] == [{"destination": {"host": "iris-serve.ml-prod.svc.cluster.local", "port": {"number": 8000}}}]
    assert _objects(result, "AuthorizationPolicy")["iris-default-deny"]["spec"] == {"selector": {"matchLabels": {"ray.io/cluster": "shared-gpu"}}}


@needs_shared
def test_not_public_means_no_route_for_a_graph_and_an_in_mesh_route_for_ray_settings(tmp_path):
    result = compile_text(tmp_path, RAY + "  exposure: {timeoutSeconds: 30}\n", **MESH)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert _objects(result, "VirtualService")["iris-route"]["spec"]["hosts"] == ["iris-serve-svc.ml-prod.svc.cluster.local"]
    assert findings(tmp_path, GRAPH + "  exposure: {timeoutSeconds: 30}\n", others=("classifier",), **MESH) == [
        "services/iris.yaml:12:3: error[TRAFFIC-02]: in Knative mode route settings apply to the public route, and this service is not public — set `exposure.public: true`, or use `predictor.timeoutSeconds` for the revision's timeout"
    ]


@needs_shared
def test_a_public_graph_needs_a_mesh(tmp_path):
    assert findings(tmp_path, GRAPH + "  exposure: {public: true}\n", others=("classifier",), domain="models.example.com") == [
        "services/iris.yaml:12:14: error[TRAFFIC-02]: a public service is routed through the environment's Istio gateway, but environment 'prod' has no mesh — add `mesh:` to the environment"
    ]


@needs_shared
def test_a_jwt_is_required_on_the_serve_port_only(tmp_path):
    jwt = "  access: {jwt: {issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks.json'}}\n"
    result = compile_text(tmp_path, RAY + jwt, **MESH)
    assert result.ok, [d.format() for d in result.diagnostics]
    deny = _objects(result, "AuthorizationPolicy")["iris-require-jwt"]["spec"]
    assert deny["rules"] == [{"from": [{"source": {"notRequestPrincipals": ["https://auth.example.com/*"]}}], "to": [{"operation": {"ports": ["8000"]}}]}]


@needs_shared
def test_a_graph_router_keeps_knatives_probe_paths_open_and_requires_the_jwt_elsewhere(tmp_path):
    jwt = "  access: {jwt: {issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks.json'}}\n"
    result = compile_text(tmp_path, GRAPH + jwt, others=("classifier",), **MESH)
    assert result.ok, [d.format() for d in result.diagnostics]
    deny = _objects(result, "AuthorizationPolicy")["iris-require-jwt"]["spec"]
    assert deny["rules"][0]["to"] == [{"operation": {"notPaths": ["/healthz", "/metrics"]}}]
