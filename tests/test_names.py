"""Names that become folders and files are DNS labels or subdomains, checked when the spec is
loaded or checked, located at the line that set them, schemas configured or not."""

from __future__ import annotations

import pytest

from compiler import upstream
from compiler.source.load import load_project
from compiler.source.resolve import Layer
from compiler.source.yaml_io import parse_documents
from compiler.spec.check import check_model
from compiler.spec.models import Environment, ModelService

ENVIRONMENT = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions: {{kubernetes: "1.33", kserve: "0.16.0"}}
  namespace: {namespace}
"""

LABEL_HINT = "use lower-case letters, digits and '-', starting and ending with a letter or digit"


def environment_findings(text: str) -> list[str]:
    docs, errors = parse_documents(text, "environments/prod.yaml")
    assert not errors
    model, diagnostics = check_model(Layer(docs[0].data, docs[0].positions, docs[0].path), Environment, "Environment")
    assert (model is None) == bool(diagnostics)
    return [d.format() for d in diagnostics]


def test_a_63_character_namespace_is_a_namespace():
    assert environment_findings(ENVIRONMENT.format(namespace="n" * 63)) == []


def test_a_64_character_namespace_is_one_located_error():
    assert environment_findings(ENVIRONMENT.format(namespace="n" * 64)) == [
        f"environments/prod.yaml:7:3: error[SPEC-NAME]: spec.namespace: '{'n' * 64}' is 64 characters, more than the 63 of a DNS label (RFC 1123)"
        f" — shorten it to at most 63 characters, e.g. '{'n' * 63}'"
    ]


@pytest.mark.parametrize(
    ("namespace", "suggestion"),
    [("../../x", "x"), ("ML-Prod", "ml-prod"), ("a/b", "a-b"), ("-x", "x"), ("x.y", "x-y"), ('""', "name"), ("/etc", "etc")],
)
def test_a_namespace_that_is_not_a_dns_label_is_refused(namespace: str, suggestion: str):
    shown = namespace.strip('"')
    assert environment_findings(ENVIRONMENT.format(namespace=namespace)) == [
        f"environments/prod.yaml:7:3: error[SPEC-NAME]: spec.namespace: {shown!r} is not a DNS label (RFC 1123) — {LABEL_HINT}, e.g. {suggestion!r}"
    ]


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("  mesh: {gateway: {namespace: istio/system}}\n", "spec.mesh.gateway.namespace"),
        ("  mesh: {gateway: {name: ../gateway}}\n", "spec.mesh.gateway.name"),
        ("  tls: {issuer: {name: ../../ca}}\n", "spec.tls.issuer.name"),
        ("  gitops: {tool: argocd, repoURL: 'https://example.com/r.git', argocdNamespace: ..}\n", "spec.gitops.argocdNamespace"),
        ("  gitops: {tool: flux, repoURL: 'https://example.com/r.git', fluxNamespace: Flux}\n", "spec.gitops.fluxNamespace"),
        ("  gitops: {tool: argocd, repoURL: 'https://example.com/r.git', destination: {namespace: a/b}}\n", "spec.gitops.destination.namespace"),
        ("  domain: ../example.com\n", "spec.domain"),
    ],
)
def test_every_name_that_becomes_a_folder_or_file_is_checked(where: str, value: str):
    findings = environment_findings(ENVIRONMENT.format(namespace="ml-prod") + where)
    assert len(findings) == 1 and f"error[SPEC-NAME]: {value}: " in findings[0], findings
    assert findings[0].startswith("environments/prod.yaml:8:")


def test_object_names_may_be_subdomains_and_namespaces_may_not():
    ok = ENVIRONMENT.format(namespace="ml-prod") + "  mesh: {gateway: {name: gw.v1, namespace: istio-system}}\n  tls: {issuer: {name: " + "a" * 253 + "}}\n"
    assert environment_findings(ok) == []
    too_long = ENVIRONMENT.format(namespace="ml-prod") + "  tls: {issuer: {name: " + "a" * 254 + "}}\n"
    assert ["is 254 characters, more than the 253 of a DNS subdomain" in line for line in environment_findings(too_long)] == [True]


def test_environment_metadata_name_is_a_dns_label_in_the_model_too():
    text = ENVIRONMENT.format(namespace="ml-prod").replace("name: prod", "name: Prod")
    assert environment_findings(text) == [
        f"environments/prod.yaml:4:3: error[SPEC-NAME]: metadata.name: 'Prod' is not a DNS label (RFC 1123) — {LABEL_HINT}, e.g. 'prod'"
    ]


def test_service_access_namespaces_and_custom_domains_are_checked():
    text = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata: {name: iris}
spec:
  predictor: {model: {format: sklearn, storageUri: gs://b/m}}
  exposure: {customDomain: ../../evil}
  access: {allowNamespaces: [ok, ../up]}
"""
    docs, _ = parse_documents(text, "services/iris.yaml")
    _, diagnostics = check_model(Layer(docs[0].data, docs[0].positions, docs[0].path), ModelService, "ModelService")
    assert [(d.rule, d.location.line, d.message) for d in diagnostics] == [
        ("SPEC-NAME", 6, "spec.exposure.customDomain: '../../evil' is not a DNS subdomain (RFC 1123)"),
        ("SPEC-NAME", 7, "spec.access.allowNamespaces[1]: '../up' is not a DNS label (RFC 1123)"),
    ]


def _project(tmp_path, files: dict[str, str]):
    """Load a project of these files (run from tmp_path: diagnostics name paths relative to it)."""
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_project(tmp_path)


@pytest.mark.parametrize("stem", [".", ".."])
def test_an_environment_named_dot_is_never_registered(tmp_path, monkeypatch, stem: str):
    monkeypatch.chdir(tmp_path)
    text = ENVIRONMENT.format(namespace="ml").replace("name: prod", f"name: '{stem}'")
    sources = _project(tmp_path, {f"environments/{stem}.yaml": text})
    assert sources.environments == {}
    assert [d.format() for d in sources.diagnostics] == [
        f"environments/{stem}.yaml:4:3: error[ENV-NAME]: environment name {stem!r} is not a DNS label (RFC 1123) — name it with a DNS label "
        "(lower-case letters, digits and '-', starting and ending with a letter or digit) in metadata.name and in the file name, e.g. 'name' in environments/name.yaml"
    ]


def test_an_environment_file_name_that_is_no_name_is_not_offered_as_the_fix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sources = _project(tmp_path, {"environments/...yaml": ENVIRONMENT.format(namespace="ml")})
    assert [d.format() for d in sources.diagnostics] == ["environments/...yaml:4:3: error[ENV-NAME]: environment 'prod' is in file ...yaml — rename the file to prod.yaml"]
    sources = _project(tmp_path / "b", {"environments/qa.yaml": ENVIRONMENT.format(namespace="ml")})
    assert [d.hint for d in sources.diagnostics] == ["rename the file to prod.yaml or set metadata.name: qa"]


def test_a_service_named_like_a_path_is_never_registered(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    service = "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata:\n  name: ../../evil\nspec: {}\n"
    sources = _project(tmp_path, {"services/evil.yaml": service, "services/ok.yaml": service.replace("../../evil", "Fraud_Model")})
    assert list(sources.services) == ["Fraud_Model"]  # KS-03 reports that one, with its own fix
    assert [d.format() for d in sources.diagnostics] == [
        "services/evil.yaml:4:3: error[SPEC-NAME]: metadata.name: ModelService name '../../evil' is not a name but a path — "
        f"{LABEL_HINT}, e.g. 'evil'"
    ]


@pytest.mark.parametrize(("value", "subdomain", "ok"), [("a" * 63, False, True), ("a" * 64, False, False), ("a.b", False, False), ("a.b", True, True), ("a" * 253, True, True), ("a" * 254, True, False), ("..", True, False), ("", False, False)])
def test_dns1123_rules_both_sides_of_each_boundary(value: str, subdomain: bool, ok: bool):
    assert (upstream.dns1123_problem(value, subdomain) is None) is ok
