"""emit/ingress.py, whole: the Ingress of a Standard-mode service with every setting, where an
error in it points (the exposure.ingress key), and the route name SLS meters it under."""

from __future__ import annotations

from compiler.emit import ingress
from compiler.errors import Location
from compiler.plan.service import lower_service
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched


def plan_of(settings: dict, mode: str = "standard"):
    layer = _located(patched(BASE_SERVICE, {"spec": {"mode": mode, "exposure": {"ingress": settings}}}), SERVICE_FILE)
    env = Environment.model_validate(BASE_ENV)
    return lower_service(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE), env


def test_an_ingress_with_every_setting():
    plan, env = plan_of({"className": "nginx", "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"}, "path": "/v1", "tlsSecretName": "iris-tls", "host": "iris.acme.com"})
    (manifest,) = ingress.emit(plan, env)
    assert manifest.body == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "iris-ingress",
            "namespace": "ml-prod",
            "labels": {"app.kubernetes.io/name": "iris", "app.kubernetes.io/part-of": "iris", "app.kubernetes.io/managed-by": "inferplane"},
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{"host": "iris.acme.com", "http": {"paths": [{"path": "/v1", "pathType": "Prefix", "backend": {"service": {"name": "iris-predictor", "port": {"number": 80}}}}]}}],
            "tls": [{"secretName": "iris-tls", "hosts": ["iris.acme.com"]}],
        },
    }
    assert manifest.origins == {"": Location(SERVICE_FILE, 7, 5)}  # services/iris.yaml as dumped: exposure.ingress
    assert ingress.ingress_route(plan) == "ml-prod-iris-predictor-80"


def test_no_ingress_outside_standard_mode():
    plan, env = plan_of({"className": "nginx"}, mode="knative")
    assert ingress.emit(plan, env) == []
