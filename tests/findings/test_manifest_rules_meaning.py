"""IS-01 and GRAPH-XREF over emitted manifests, exactly: who owns each name KServe, Knative and
net-istio create (as the message says it), where a finding points when no spec field made the
object, and a graph's call to a service that failed its own checks is not reported twice."""

from __future__ import annotations

import pytest

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.rules.manifests import check_manifests
from compiler.source.resolve import Layer
from compiler.spec.models import Environment
from tests.helpers import BASE_ENV
from tests.test_rules_manifests import isvc, named

SPEC_AT = Location("environments/prod.yaml", 2, 1)
LAYER = Layer({}, {("spec",): SPEC_AT}, "environments/prod.yaml")


def findings(*manifests: Manifest, failed: frozenset[str] = frozenset()) -> list[str]:
    env = Environment.model_validate(BASE_ENV)
    return [d.format() for d in check_manifests(list(manifests), env, LAYER, "prod", failed)]


@pytest.mark.parametrize(("mode", "api_version", "kind", "name", "owner"), [
    ("Knative", "networking.istio.io/v1", "VirtualService", "iris", "KServe's top-level route"),
    ("Knative", "v1", "Service", "iris", "KServe's ExternalName Service"),
    ("Knative", "serving.knative.dev/v1", "Service", "iris-predictor", "KServe's Knative Service"),
    ("Knative", "networking.istio.io/v1", "VirtualService", "iris-predictor-ingress", "net-istio's ingress route"),
    ("Serverless", "networking.istio.io/v1", "VirtualService", "iris-predictor-mesh", "net-istio's mesh route"),
    ("Standard", "networking.k8s.io/v1", "Ingress", "iris", "KServe's Ingress"),
    ("Standard", "gateway.networking.k8s.io/v1", "HTTPRoute", "iris", "KServe's HTTPRoute (Gateway API)"),
    ("RawDeployment", "gateway.networking.k8s.io/v1", "HTTPRoute", "iris-predictor", "KServe's predictor HTTPRoute (Gateway API)"),
    ("Standard", "v1", "Service", "iris-predictor", "KServe's predictor Service"),
    ("Standard", "apps/v1", "Deployment", "iris-predictor", "KServe's predictor Deployment"),
    ("Standard", "autoscaling/v2", "HorizontalPodAutoscaler", "iris-predictor", "KServe's HPA"),
    ("Standard", "keda.sh/v1alpha1", "ScaledObject", "iris-predictor", "KServe's ScaledObject"),
])
def test_each_owned_name_and_its_owner(mode, api_version, kind, name, owner):
    assert findings(isvc("iris", mode), named(api_version, kind, name)) == [
        f"environments/prod.yaml:2:1: error[IS-01]: {kind} ml/{name} has the name of {owner}, which the cluster creates and reconciles itself"
        " — rename the object (or the environment's gateway): two owners overwrite each other"
    ]


@pytest.mark.parametrize(("api_version", "kind"), [("autoscaling/v1", "Deployment"), ("keda.sh/v1alpha1", "TriggerAuthentication"), ("networking.k8s.io/v1", "HTTPRoute")])
def test_the_same_name_of_another_kind_or_group_is_not_owned(api_version, kind):
    assert findings(isvc("iris", "Standard"), named(api_version, kind, "iris-predictor")) == []


def test_an_inference_service_named_like_another_is_not_an_owned_name():
    assert findings(isvc("iris", "Standard"), isvc("iris-predictor", "Standard")) == []


def graph_calling(service: str) -> Manifest:
    return Manifest({"apiVersion": "serving.kserve.io/v1alpha1", "kind": "InferenceGraph", "metadata": {"name": "pipeline", "namespace": "ml"},
                     "spec": {"nodes": {"root": {"routerType": "Sequence", "steps": [{"serviceName": service}]}}}}, service="pipeline")


def test_a_graph_calling_a_service_that_failed_its_own_checks_is_not_reported_again():
    assert findings(graph_calling("absent"), failed=frozenset({"absent"})) == []
    assert findings(graph_calling("absent")) == [
        "environments/prod.yaml:2:1: error[GRAPH-XREF]: graph 'pipeline' calls service 'absent', which environment 'prod' renders no InferenceService of"
        " — add the service to this environment (spec.environments), or call one it renders"
    ]


TOKEN = "ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # pragma: allowlist secret


def config_map(name: str, origins: dict | None = None, service: str | None = None) -> Manifest:
    return Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "ml"}, "data": {"token": TOKEN}}, service=service, origins=origins or {})


def test_sec02_reports_a_manifest_value_no_spec_wrote_once_per_line():
    # Nothing records where the value came from: it is reported at the environment, once for both objects.
    assert findings(config_map("a"), config_map("b")) == [
        "environments/prod.yaml:2:1: error[SEC-02]: data.token of ConfigMap ml/a inlines a GitHub token ('ghp_…')"
        " — keep it in a Secret and reference it: `env[].valueFrom.secretKeyRef`, `predictor.credentials.serviceAccountName` (a service account with a credentials Secret) or KServe's storage-config Secret"
    ]


def test_sec02_leaves_a_value_a_service_spec_wrote_to_sec01():
    assert findings(config_map("a", {"/data/token": Location("services/iris.yaml", 9, 7)})) == []
    # written by the environment file itself: SEC-02's, at that line
    assert findings(config_map("a", {"/data/token": Location("environments/prod.yaml", 7, 3)}))[0].startswith("environments/prod.yaml:7:3: error[SEC-02]: data.token of ConfigMap ml/a")


def test_a_companion_secret_with_data_is_refused_whatever_it_holds():
    secret = Manifest({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ml"}, "data": {"k": "eA=="}}, service="resources/prod/secret.yaml", origins={"/data": Location("resources/prod/secret.yaml", 5, 1)})
    assert findings(secret) == [
        "resources/prod/secret.yaml:5:1: error[SEC-02]: data of Secret ml/s holds the Secret's values in git"
        " — delete the Secret from resources/ and create it in the cluster (kubectl create secret, Sealed Secrets or External Secrets); reference it by name"
    ]
