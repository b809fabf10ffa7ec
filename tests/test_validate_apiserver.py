"""The API server's Go-only checks of core kinds (validate/apiserver.py), each taken from what the
server does: the exact message at the exact pointer, and the value just on the valid side."""

from __future__ import annotations

import base64


from compiler.validate import SchemaRegistry, ValidationInput, validate_objects
from compiler.validate.apiserver import check

REGISTRY = SchemaRegistry(kubernetes_version="1.33")
SUBDOMAIN_REGEX = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"


def found(body: dict) -> list[tuple[str, str]]:
    return [(f.pointer, f.message) for f in check(body)]


def secret(**data) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": data}


# ---------------------------------------------------------------- Secret data


def test_secret_data_that_is_not_base64_is_the_byte_formats_finding_once():
    issues = validate_objects([ValidationInput(secret(token="hello world"), "s.yaml")], REGISTRY).issues
    assert [(i.pointer, i.keyword, i.message) for i in issues] == [("/data/token", "format", 'must be of type byte: "hello world" (expected base64-encoded data)')]


def test_base64_data_and_valid_keys_pass():
    assert found(secret(**{"api-token": base64.b64encode(b"s3cr3t").decode(), "tls.crt": ""})) == []


def test_secret_keys_are_config_keys():
    assert found({**secret(), "stringData": {"a/b": "x", "..x": "y"}}) == [
        ("/stringData/a~1b", "Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
        ("/stringData/..x", "Invalid value: \"..x\": must not start with '..'"),
    ]


# ---------------------------------------------------------------- RBAC subjects


def binding(kind: str, *subjects: dict) -> dict:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "system:b"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": list(subjects)}


def test_a_service_account_in_a_cluster_role_binding_needs_its_namespace():
    assert found(binding("ClusterRoleBinding", {"kind": "ServiceAccount", "name": "scorer"})) == [("/subjects/0/namespace", "Required value")]


def test_a_role_binding_defaults_it_to_its_own_namespace():
    assert found(binding("RoleBinding", {"kind": "ServiceAccount", "name": "scorer"})) == []


def test_users_and_groups_need_the_rbac_group_and_kinds_are_three():
    assert found(binding("RoleBinding", {"kind": "User", "name": "jane"}, {"kind": "Robot", "name": "r2"}, {"kind": "ServiceAccount", "name": "Bad_Name", "apiGroup": "rbac.authorization.k8s.io"})) == [
        ("/subjects/0/apiGroup", 'Unsupported value: "": supported values: "rbac.authorization.k8s.io"'),
        ("/subjects/1/kind", 'Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"'),
        ("/subjects/2/name", f"Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{SUBDOMAIN_REGEX}')"),
        ("/subjects/2/apiGroup", 'Unsupported value: "rbac.authorization.k8s.io": supported values: ""'),
    ]


def test_rbac_names_are_path_segments_not_dns_names():
    """`system:b` is a valid ClusterRoleBinding name; '/' is not."""
    ok = binding("ClusterRoleBinding", {"kind": "Group", "name": "g", "apiGroup": "rbac.authorization.k8s.io"})
    bad = {**ok, "metadata": {"name": "a/b"}}
    assert validate_objects([ValidationInput(ok, "x.yaml")], REGISTRY).issues == []
    [issue] = validate_objects([ValidationInput(bad, "x.yaml")], REGISTRY).issues
    assert issue.pointer == "/metadata/name" and "may not be '.' or '..', and may not contain '/' or '%'" in issue.message


# ---------------------------------------------------------------- Ingress


def ingress(host: str, path: str = "/", path_type: str = "Prefix") -> dict:
    backend = {"service": {"name": "web", "port": {"number": 80}}}
    rule = {"host": host, "http": {"paths": [{"path": path, "pathType": path_type, "backend": backend}]}}
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"}, "spec": {"rules": [rule]}}


def test_an_ingress_host_is_a_dns_name_not_an_ip():
    assert found(ingress("10.0.0.1")) == [("/spec/rules/0/host", 'Invalid value: "10.0.0.1": must be a DNS name, not an IP address')]


def test_an_ingress_host_follows_dns_rules_and_wildcards_lead():
    assert found(ingress("Models.example.com"))[0][1].startswith('Invalid value: "Models.example.com": a lowercase RFC 1123 subdomain must consist')
    assert found(ingress("api.*.example.com"))[0][1].startswith("Invalid value: \"api.*.example.com\": a wildcard DNS-1123 subdomain must start with '*.'")
    assert found(ingress("*.models.example.com")) == [] == found(ingress("models.example.com"))


def test_ingress_paths():
    assert found(ingress("a.example.com", "v1/predict")) == [("/spec/rules/0/http/paths/0/path", 'Invalid value: "v1/predict": must be an absolute path')]
    assert found(ingress("a.example.com", "/v1//predict/..")) == [
        ("/spec/rules/0/http/paths/0/path", "Invalid value: \"/v1//predict/..\": must not contain '//'"),
        ("/spec/rules/0/http/paths/0/path", "Invalid value: \"/v1//predict/..\": cannot end with '/..'"),
    ]
    assert found(ingress("a.example.com", "", "ImplementationSpecific")) == [] == found(ingress("a.example.com", "/v1/predict", "Exact"))


# ---------------------------------------------------------------- pods: names, ports, quantities, labels


def deployment(container: dict, labels: dict | None = None) -> dict:
    labels = labels or {"app": "web"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}},
    }


def test_container_and_port_names():
    body = deployment({"name": "Model_Server", "image": "x", "ports": [{"name": "http--metrics-port", "containerPort": 80}]})
    assert found(body) == [
        ("/spec/template/spec/containers/0/name", "Invalid value: \"Model_Server\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
        ("/spec/template/spec/containers/0/ports/0/name", 'Invalid value: "http--metrics-port": must be no more than 15 characters'),
        ("/spec/template/spec/containers/0/ports/0/name", 'Invalid value: "http--metrics-port": must not contain consecutive hyphens'),
    ]
    assert found(deployment({"name": "kserve-container", "image": "x", "ports": [{"name": "metrics", "containerPort": 80}]})) == []


def test_a_request_above_its_limit_and_a_negative_quantity():
    body = deployment({"name": "c", "image": "x", "resources": {"limits": {"cpu": "1", "memory": "-1Gi"}, "requests": {"cpu": "1500m", "memory": "1Gi"}}})
    assert found(body) == [
        ("/spec/template/spec/containers/0/resources/limits/memory", 'Invalid value: "-1Gi": must be greater than or equal to 0'),
        ("/spec/template/spec/containers/0/resources/requests/cpu", 'Invalid value: "1500m": must be less than or equal to cpu limit of 1'),
        ("/spec/template/spec/containers/0/resources/requests/memory", 'Invalid value: "1Gi": must be less than or equal to memory limit of -1Gi'),
    ]
    assert found(deployment({"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}, "requests": {"cpu": "1000m"}}})) == []


def test_a_quantity_that_does_not_parse():
    assert found(deployment({"name": "c", "image": "x", "resources": {"limits": {"cpu": "lots"}}})) == [
        ("/spec/template/spec/containers/0/resources/limits/cpu", "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ]


def test_template_and_selector_labels():
    body = deployment({"name": "c", "image": "x"}, labels={"app": "web server"})
    assert [pointer for pointer, _ in found(body)] == ["/spec/selector/matchLabels/app", "/spec/template/metadata/labels/app"]
    assert found(body)[0][1].startswith('Invalid value: "web server": a valid label must be an empty string or consist of')


def test_annotations_over_256_kib_in_total():
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"a": "x" * (256 * 1024)}}}
    assert found(body) == [("/metadata/annotations", "Too long: must have at most 262144 bytes")]
    body["metadata"]["annotations"] = {"a": "x" * (256 * 1024 - 1)}
    assert found(body) == []


def test_the_checks_reach_compile_and_validate():
    [issue] = validate_objects([ValidationInput({**secret(), "stringData": {"a/b": "x"}}, "s.yaml")], REGISTRY).issues
    assert (issue.pointer, issue.keyword) == ("/stringData/a~1b", "apiserver")


def test_a_pod_disruption_budget_selector_is_a_label_map():
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"component": "predictor v2"}}}}
    assert [pointer for pointer, _ in found(pdb)] == ["/spec/selector/matchLabels/component"]
    pdb["spec"]["selector"]["matchLabels"]["component"] = "predictor"
    assert found(pdb) == []
