"""JSON Schema for object metadata, as the API server checks it (apimachinery ValidateObjectMeta).

Custom resources get `metadata: {type: object}` in their CRD; the server still validates the name
(DNS-1123 subdomain), the namespace (DNS-1123 label), label keys and values, and rejects any field
ObjectMeta does not have. Core kinds get the same name/label rules on top of their own schema.
"""

from __future__ import annotations

import copy

from .. import upstream

# The same patterns the spec's name checks use (upstream.py), as JSON Schema `pattern` strings.
DNS1123_LABEL = upstream.DNS1123_LABEL.pattern
DNS1123_SUBDOMAIN = upstream.DNS1123_SUBDOMAIN.pattern
DNS1035_LABEL = r"^[a-z]([-a-z0-9]*[a-z0-9])?$"
# A qualified name: an optional DNS subdomain prefix and '/', then a name of at most 63 characters.
QUALIFIED_NAME = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
LABEL_VALUE = r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"
# path.IsValidPathSegmentName (RBAC names): anything but '.', '..', '/' and '%' ("system:controller:x").
PATH_SEGMENT = r"^([^/%.][^/%]*|\.[^/%.][^/%]*|\.\.[^/%]+)$"
# resource.Quantity as controller-gen writes it into every CRD (resources, limits, storage sizes).
QUANTITY = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"

# What each pattern means, for messages a person can act on.
PATTERN_HELP = {
    DNS1123_LABEL: "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
    DNS1123_SUBDOMAIN: "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit",
    DNS1035_LABEL: "must be a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending with a letter or digit",
    QUALIFIED_NAME: "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    LABEL_VALUE: "must be a label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
    PATH_SEGMENT: "may not be '.' or '..', and may not contain '/' or '%'",
    QUANTITY: "is not a quantity: expected a number with an optional suffix, such as 500m, 2, 1.5Gi or 1e3",
}

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": ["string", "null"]}
_INTEGER = {"type": "integer"}

_OWNER_REFERENCE = {
    "type": "object",
    "required": ["apiVersion", "kind", "name", "uid"],
    "properties": {
        "apiVersion": _STRING,
        "kind": _STRING,
        "name": _STRING,
        "uid": _STRING,
        "controller": {"type": "boolean"},
        "blockOwnerDeletion": {"type": "boolean"},
    },
    "additionalProperties": False,
}


def _name_rules(name_pattern: str, max_length: int | None) -> dict:
    """The checks on name, namespace, labels and annotations that hold for every kind."""
    name = {"type": "string", "pattern": name_pattern} | ({"maxLength": max_length} if max_length else {})
    return {
        "name": name,
        "generateName": {"type": "string"},
        "namespace": {"type": "string", "maxLength": 63, "pattern": DNS1123_LABEL},
        "labels": {
            "type": ["object", "null"],
            "propertyNames": {"maxLength": 316, "pattern": QUALIFIED_NAME},
            "additionalProperties": {"type": "string", "maxLength": 63, "pattern": LABEL_VALUE},
        },
        "annotations": {
            "type": ["object", "null"],
            "propertyNames": {"maxLength": 316, "pattern": QUALIFIED_NAME},
            "additionalProperties": {"type": "string"},
        },
    }


def object_meta(*, root: bool, name_pattern: str = DNS1123_SUBDOMAIN, max_length: int = 253) -> dict:
    """Strict ObjectMeta: unknown fields rejected. At a resource root a name (or generateName) is required."""
    properties = _name_rules(name_pattern, max_length)
    properties.update(
        {
            "uid": _STRING,
            "resourceVersion": _STRING,
            "generation": _INTEGER,
            "selfLink": _STRING,
            # `kubectl create --dry-run -o yaml` writes `creationTimestamp: null`; the server accepts it.
            "creationTimestamp": _NULLABLE_STRING,
            "deletionTimestamp": _NULLABLE_STRING,
            "deletionGracePeriodSeconds": _INTEGER,
            "finalizers": {"type": "array", "items": _STRING},
            "ownerReferences": {"type": "array", "items": _OWNER_REFERENCE},
            "managedFields": {"type": "array", "items": {"type": "object"}},
        }
    )
    schema: dict = {"type": "object", "properties": properties, "additionalProperties": False}
    if root:
        schema["if"] = {"not": {"required": ["generateName"]}}
        schema["then"] = {"required": ["name"]}
    return schema


def name_rules_only(name_pattern: str = DNS1123_SUBDOMAIN, max_length: int | None = 253) -> dict:
    """For kinds whose schema already describes ObjectMeta: only the rules that schema lacks."""
    return {
        "type": "object",
        "properties": _name_rules(name_pattern, max_length),
        "if": {"not": {"required": ["generateName"]}},
        "then": {"required": ["name"]},
    }


# Core kinds whose names are stricter than a DNS subdomain (apimachinery ValidateNameFunc per kind).
CORE_NAME_RULES = {
    ("", "Namespace"): (DNS1123_LABEL, 63),
    ("", "Service"): (DNS1035_LABEL, 63),
    # pkg/apis/rbac/validation: ValidateRBACName = path.IsValidPathSegmentName, no length of its own.
    **{("rbac.authorization.k8s.io", kind): (PATH_SEGMENT, None) for kind in ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")},
}


def embedded_resource_properties() -> dict:
    """What x-kubernetes-embedded-resource adds to an object: its own apiVersion, kind and metadata."""
    return {"apiVersion": copy.deepcopy(_STRING), "kind": copy.deepcopy(_STRING), "metadata": object_meta(root=False)}
