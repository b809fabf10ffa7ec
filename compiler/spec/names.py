"""Names that become Kubernetes names, folders and files: DNS labels and subdomains, checked when
the spec is checked, so that `../../x` in a namespace is a located error and never a path.

A namespace is the folder `rendered/<env>/<namespace>/`, an object name the file
`<kind>-<name>.yaml`: both are held to Kubernetes' own rules (RFC 1123 label ≤ 63 characters for
namespaces, subdomain ≤ 253 for object names), whether or not the environment configures schemas.
check.py turns a failure into `error[SPEC-NAME]` at the line that set the value.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from .. import upstream

# The pydantic error type check.py maps to the SPEC-NAME diagnostic.
NAME_ERROR = "dns_name"


def _checker(subdomain: bool):
    def check(value: str) -> str:
        problem = upstream.dns1123_problem(value, subdomain)
        if problem:
            hint = upstream.dns1123_hint(value, subdomain)
            raise PydanticCustomError(NAME_ERROR, "{problem}", {"problem": problem, "hint": hint})
        return value

    return check


def _schema(subdomain: bool, description: str) -> dict:
    pattern = upstream.DNS1123_SUBDOMAIN if subdomain else upstream.DNS1123_LABEL
    limit = upstream.DNS_SUBDOMAIN_MAX if subdomain else upstream.DNS_LABEL_MAX
    return {"type": "string", "pattern": pattern.pattern, "maxLength": limit, "description": description}


# A namespace, or a name that must be one DNS label (an environment name).
DnsLabel = Annotated[str, AfterValidator(_checker(False)), WithJsonSchema(_schema(False, "A DNS label (RFC 1123): at most 63 lower-case letters, digits and '-'."))]
# An object name or a domain name.
DnsSubdomain = Annotated[
    str, AfterValidator(_checker(True)), WithJsonSchema(_schema(True, "A DNS subdomain (RFC 1123): at most 253 lower-case letters, digits, '-' and '.'."))
]
