"""Checks the API server makes in Go that the published OpenAPI schemas of the core kinds lack,
the ones a GitOps repository meets, with the server's own wording (apiserver_syntax.py).

Sources (kubernetes/kubernetes): pkg/apis/core/validation (ValidateSecret, ValidateContainers and
container ports, ValidateResourceRequirements, ValidateObjectMeta's annotation size, pod template
labels), pkg/apis/rbac/validation (ValidateRoleBindingSubject), pkg/apis/networking/validation
(validateIngressRules, validateHTTPIngressPath); a Secret's `data` is decoded by encoding/json with
base64.StdEncoding before any validation, so a bad value fails the whole request.

`check(body)` returns Findings located by JSON pointer; checker.py adds them to the schema's.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from ..spec.quantity import quantity_value

from . import apiserver_syntax as syntax
from .messages import Finding
from .pointer import to_pointer

KEYWORD = "apiserver"
TOTAL_ANNOTATION_SIZE = 256 * 1024  # apimachinery TotalAnnotationSizeLimitB
MAX_SECRET_SIZE = 1024 * 1024  # core MaxSecretSize
RBAC_GROUP = "rbac.authorization.k8s.io"
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")


def _quote(value: Any) -> str:
    return '"' + str(value).replace('"', '\\"') + '"'


def invalid(path: tuple, value: Any, message: str) -> Finding:
    """field.Invalid: `Invalid value: "<value>": <message>`."""
    return Finding(to_pointer(path), KEYWORD, f"Invalid value: {_quote(value)}: {message}")


def required(path: tuple) -> Finding:
    return Finding(to_pointer(path), KEYWORD, "Required value")


def not_supported(path: tuple, value: Any, supported: list[str]) -> Finding:
    return Finding(to_pointer(path), KEYWORD, f"Unsupported value: {_quote(value)}: supported values: {', '.join(_quote(s) for s in supported)}")


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list:
    return value if isinstance(value, list) else []


# ---------------------------------------------------------------- every kind


def _metadata(body: dict) -> Iterator[Finding]:
    annotations = _mapping(_mapping(body.get("metadata")).get("annotations"))
    size = sum(len(str(key)) + len(str(value)) for key, value in annotations.items())
    if size > TOTAL_ANNOTATION_SIZE:
        yield Finding("/metadata/annotations", KEYWORD, f"Too long: must have at most {TOTAL_ANNOTATION_SIZE} bytes")


def _labels(path: tuple, labels: Any) -> Iterator[Finding]:
    """ValidateLabels: a label map below the object's own metadata (the root one is the schema's)."""
    for key, value in _mapping(labels).items():
        for message in syntax.qualified_name(str(key)):
            yield invalid(path + (key,), key, message)
        for message in syntax.label_value(str(value)) if isinstance(value, str) else ():
            yield invalid(path + (key,), value, message)


# ---------------------------------------------------------------- Secret


def _secret(body: dict) -> Iterator[Finding]:
    total = 0
    for field in ("data", "stringData"):
        for key, value in _mapping(body.get(field)).items():
            for message in syntax.config_key(str(key)):
                yield invalid((field, key), key, message)
            if field == "data" and isinstance(value, str):
                # Base64 itself is the `byte` format's check (formats.py), for every []byte field.
                total += len(key) + len(value) * 3 // 4
            elif isinstance(value, str):
                total += len(key) + len(value)
    if total > MAX_SECRET_SIZE:
        yield Finding("/data", KEYWORD, f"Too long: must have at most {MAX_SECRET_SIZE} bytes")


# ---------------------------------------------------------------- RBAC


def _role_binding(body: dict, namespaced: bool) -> Iterator[Finding]:
    for index, subject in enumerate(_items(body.get("subjects"))):
        subject = _mapping(subject)
        at = ("subjects", index)
        name, kind, group = subject.get("name") or "", subject.get("kind") or "", subject.get("apiGroup") or ""
        if not name:
            yield required(at + ("name",))
        if kind == "ServiceAccount":
            for message in syntax.dns1123_subdomain(name) if name else ():
                yield invalid(at + ("name",), name, message)
            if group:
                yield not_supported(at + ("apiGroup",), group, [""])
            if not namespaced and not subject.get("namespace"):
                yield required(at + ("namespace",))
        elif kind in ("User", "Group"):
            if group != RBAC_GROUP:
                yield not_supported(at + ("apiGroup",), group, [RBAC_GROUP])
        else:
            yield not_supported(at + ("kind",), kind, ["ServiceAccount", "User", "Group"])


# ---------------------------------------------------------------- Ingress


def _ingress(body: dict) -> Iterator[Finding]:
    for index, rule in enumerate(_items(_mapping(body.get("spec")).get("rules"))):
        rule = _mapping(rule)
        at = ("spec", "rules", index)
        host = rule.get("host")
        if isinstance(host, str) and host:
            if syntax.is_ip(host):
                yield invalid(at + ("host",), host, "must be a DNS name, not an IP address")
            checks = syntax.wildcard_dns1123_subdomain if "*" in host else syntax.dns1123_subdomain
            for message in checks(host):
                yield invalid(at + ("host",), host, message)
        for position, path in enumerate(_items(_mapping(rule.get("http")).get("paths"))):
            yield from _ingress_path(at + ("http", "paths", position), _mapping(path))


def _ingress_path(at: tuple, path: dict) -> Iterator[Finding]:
    value, path_type = path.get("path") or "", path.get("pathType")
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            yield invalid(at + ("path",), value, "must be an absolute path")
        for sequence in _INVALID_PATH_SEQUENCES if value else ():
            if sequence in value:
                yield invalid(at + ("path",), value, f"must not contain '{sequence}'")
        for suffix in _INVALID_PATH_SUFFIXES if value else ():
            if value.endswith(suffix):
                yield invalid(at + ("path",), value, f"cannot end with '{suffix}'")
    elif path_type == "ImplementationSpecific" and value and not value.startswith("/"):
        yield invalid(at + ("path",), value, "must be an absolute path")


# ---------------------------------------------------------------- pods


def _pod_spec(at: tuple, spec: dict) -> Iterator[Finding]:
    """Container and port names, quantities (duplicate names are the schema's list-map keys)."""
    for field in ("initContainers", "containers"):
        for index, container in enumerate(_items(spec.get(field))):
            container = _mapping(container)
            here = at + (field, index)
            name = container.get("name")
            for message in syntax.dns1123_label(name) if isinstance(name, str) and name else ():
                yield invalid(here + ("name",), name, message)
            for position, port in enumerate(_items(container.get("ports"))):
                port_name = _mapping(port).get("name")
                for message in syntax.port_name(port_name) if isinstance(port_name, str) and port_name else ():
                    yield invalid(here + ("ports", position, "name"), port_name, message)
            yield from _resources(here + ("resources",), _mapping(container.get("resources")))


def _resources(at: tuple, resources: dict) -> Iterator[Finding]:
    """Quantities are parsed, non-negative, and a request is at most its limit."""
    parsed: dict[str, dict[str, Any]] = {}
    for kind in ("limits", "requests"):
        for name, value in _mapping(resources.get(kind)).items():
            quantity = quantity_value(value)
            if quantity is None:
                yield Finding(to_pointer(at + (kind, name)), KEYWORD, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
                continue
            if quantity < 0:
                yield invalid(at + (kind, name), value, "must be greater than or equal to 0")
            parsed.setdefault(kind, {})[name] = (quantity, value)
    limits = parsed.get("limits", {})
    for name, (quantity, value) in parsed.get("requests", {}).items():
        if name in limits and quantity > limits[name][0]:
            yield invalid(at + ("requests", name), value, f"must be less than or equal to {name} limit of {limits[name][1]}")


def _template(at: tuple, template: Any) -> Iterator[Finding]:
    template = _mapping(template)
    yield from _labels(at + ("metadata", "labels"), _mapping(template.get("metadata")).get("labels"))
    yield from _pod_spec(at + ("spec",), _mapping(template.get("spec")))


def _workload(body: dict) -> Iterator[Finding]:
    spec = _mapping(body.get("spec"))
    yield from _labels(("spec", "selector", "matchLabels"), _mapping(spec.get("selector")).get("matchLabels"))
    yield from _template(("spec", "template"), spec.get("template"))


def _cron_job(body: dict) -> Iterator[Finding]:
    job = _mapping(_mapping(_mapping(body.get("spec")).get("jobTemplate")).get("spec"))
    yield from _template(("spec", "jobTemplate", "spec", "template"), job.get("template"))


_BY_KIND: dict[tuple[str, str], Callable[[dict], Iterator[Finding]]] = {
    ("v1", "Secret"): _secret,
    ("v1", "Pod"): lambda body: _pod_spec(("spec",), _mapping(body.get("spec"))),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"): lambda body: _role_binding(body, namespaced=True),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"): lambda body: _role_binding(body, namespaced=False),
    ("networking.k8s.io/v1", "Ingress"): _ingress,
    ("apps/v1", "Deployment"): _workload,
    ("apps/v1", "StatefulSet"): _workload,
    ("apps/v1", "DaemonSet"): _workload,
    ("apps/v1", "ReplicaSet"): _workload,
    ("batch/v1", "Job"): lambda body: _template(("spec", "template"), _mapping(body.get("spec")).get("template")),
    ("batch/v1", "CronJob"): _cron_job,
    ("policy/v1", "PodDisruptionBudget"): lambda body: _labels(("spec", "selector", "matchLabels"), _mapping(_mapping(body.get("spec")).get("selector")).get("matchLabels")),
}


def check(body: dict) -> list[Finding]:
    """The API server's Go-only checks of one object (any kind: the annotation size; core kinds: the rest)."""
    found = list(_metadata(body))
    by_kind = _BY_KIND.get((body.get("apiVersion"), body.get("kind")))
    if by_kind is not None:
        found.extend(by_kind(body))
    return found
