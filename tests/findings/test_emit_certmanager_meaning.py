"""emit/certmanager.py, the two sides the other tests leave: an issuer whose type is not acme renders
no ACME issuer even with acme settings beside it, and the Certificate of an existing ClusterIssuer
declares it without a namespace (an Issuer with the gateway's)."""

from __future__ import annotations

from compiler.emit import certmanager
from compiler.spec.models import Environment
from compiler.spec.traffic import IssuerSettings
from tests.helpers import BASE_ENV, patched

ACME = {"server": "https://acme.example/directory", "email": "ops@example.com", "privateKeySecretName": "acme-key"}


def test_only_type_acme_renders_an_acme_issuer():
    assert certmanager.issuer_spec(IssuerSettings.model_validate({"name": "ours", "type": "existing", "acme": ACME})) is None
    assert certmanager.issuer_spec(IssuerSettings.model_validate({"name": "ours", "type": "acme"})) is None  # CM-02 reports it


def test_an_existing_issuer_is_declared_external_with_its_namespace_only_when_it_has_one():
    def annotations(kind: str) -> dict:
        env = Environment.model_validate(patched(BASE_ENV, {"spec": {"mesh": {}, "domain": "prod.example.com", "tls": {"issuer": {"kind": kind, "name": "platform", "type": "existing"}}}}))
        return certmanager.certificate(["iris.prod.example.com"], env)["metadata"]["annotations"]

    assert annotations("ClusterIssuer") == {"inferplane.dev/external-references": "ClusterIssuer platform"}
    assert annotations("Issuer") == {"inferplane.dev/external-references": "Issuer istio-system/platform"}
