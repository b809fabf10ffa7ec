"""The string checks of Kubernetes' apimachinery, with the API server's own wording.

Source: kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go (IsQualifiedName,
IsValidLabelValue, IsDNS1123Label, IsDNS1123Subdomain, IsWildcardDNS1123Subdomain, IsValidPortName,
IsConfigMapKey, RegexError, MaxLenError) and pkg/api/validation/path (IsValidPathSegmentName).
Each function returns the messages the server would give, empty when the value is valid.
"""

from __future__ import annotations

import ipaddress
import re

from .. import upstream

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = f"({_QNAME_FMT})?"
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_WILDCARD_FMT = "\\*\\." + _DNS1123_SUBDOMAIN_FMT
_CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"

_QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
_DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
_WILDCARD_MSG = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character"
_CONFIG_KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"

DNS1123_SUBDOMAIN_MAX = upstream.DNS_SUBDOMAIN_MAX


def regex_error(message: str, fmt: str, *examples: str) -> str:
    """apimachinery RegexError, spacing included (each example is followed by ', ')."""
    if not examples:
        return f"{message} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{message} (e.g. {shown}regex used for validation is '{fmt}')"


def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _full(fmt: str, value: str) -> bool:
    return re.fullmatch(fmt, value) is not None


def qualified_name(value: str) -> list[str]:
    """IsQualifiedName: label keys, annotation keys (lower-cased by the caller)."""
    errors: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errors.append("prefix part must be non-empty")
        else:
            errors.extend("prefix part " + message for message in dns1123_subdomain(prefix))
    else:
        return [
            "a qualified name " + regex_error(_QUALIFIED_NAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part " + max_len_error(63))
    if not _full(_QNAME_FMT, name):
        errors.append("name part " + regex_error(_QUALIFIED_NAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errors


def label_value(value: str) -> list[str]:
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _full(_LABEL_VALUE_FMT, value):
        errors.append(regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errors


def dns1123_label(value: str) -> list[str]:
    errors = [max_len_error(63)] if len(value) > 63 else []
    if not _full(_DNS1123_LABEL_FMT, value):
        # A valid subdomain that is not a label can only hold dots (the length is checked above).
        errors.append("must not contain dots" if _full(_DNS1123_SUBDOMAIN_FMT, value) else regex_error(_DNS1123_LABEL_MSG, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errors


def dns1123_subdomain(value: str) -> list[str]:
    errors = [max_len_error(DNS1123_SUBDOMAIN_MAX)] if len(value) > DNS1123_SUBDOMAIN_MAX else []
    if not _full(_DNS1123_SUBDOMAIN_FMT, value):
        errors.append(regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errors


def wildcard_dns1123_subdomain(value: str) -> list[str]:
    errors = [max_len_error(DNS1123_SUBDOMAIN_MAX)] if len(value) > DNS1123_SUBDOMAIN_MAX else []
    if not _full(_WILDCARD_FMT, value):
        errors.append(regex_error(_WILDCARD_MSG, _WILDCARD_FMT, "*.example.com"))
    return errors


def is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def port_name(value: str) -> list[str]:
    """IsValidPortName (IANA_SVC_NAME)."""
    errors = [max_len_error(15)] if len(value) > 15 else []
    if not _full("[-a-z0-9]+", value):
        errors.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", value):
        errors.append("must contain at least one letter (a-z)")
    if "--" in value:
        errors.append("must not contain consecutive hyphens")
    if value and (value[0] == "-" or value[-1] == "-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def config_key(value: str) -> list[str]:
    """IsConfigMapKey: the keys of a ConfigMap's or a Secret's data."""
    errors = [max_len_error(DNS1123_SUBDOMAIN_MAX)] if len(value) > DNS1123_SUBDOMAIN_MAX else []
    if not _full(_CONFIG_KEY_FMT, value):
        errors.append(regex_error(_CONFIG_KEY_MSG, _CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errors.append("must not be '.'")
    elif value == "..":
        errors.append("must not be '..'")
    elif value.startswith(".."):
        errors.append("must not start with '..'")
    return errors


def path_segment_name(value: str) -> list[str]:
    """IsValidPathSegmentName: names of RBAC objects (`system:controller:...` is valid)."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in value]


_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _corrupt(offset: int) -> str:
    return f"illegal base64 data at input byte {offset}"
