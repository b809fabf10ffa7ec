"""Facts about exposure and access: hosts, mTLS and authorization policies.

Hosts are sets (the summary says which were added or removed); an authorization policy is its
action plus the set of its rules, each rule written in one line a reviewer can read.
"""

from __future__ import annotations

from typing import Any

from .fact import Facts, Reader
from .fact import put as _put
from .fact import spec_of as _spec


def _strings(values: Any) -> list[str]:
    return [str(value) for value in values] if isinstance(values, list) else []


# ------------------------------------------------------------------ hosts


def read_gateway_hosts(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    hosts: set[str] = set()
    for server in spec.get("servers") or []:  # Istio Gateway
        if isinstance(server, dict):
            hosts.update(_strings(server.get("hosts")))
    for listener in spec.get("listeners") or []:  # Gateway API Gateway
        if isinstance(listener, dict) and listener.get("hostname"):
            hosts.add(str(listener["hostname"]))
    _put(facts, "hosts", "hosts", frozenset(hosts) or None)


def read_spec_hosts(body: dict, facts: Facts) -> None:
    _put(facts, "hosts", "hosts", frozenset(_strings(_spec(body).get("hosts"))) or None)


def read_route_hostnames(body: dict, facts: Facts) -> None:
    _put(facts, "hosts", "hosts", frozenset(_strings(_spec(body).get("hostnames"))) or None)


def read_certificate_hosts(body: dict, facts: Facts) -> None:
    _put(facts, "hosts", "certificate DNS names", frozenset(_strings(_spec(body).get("dnsNames"))) or None)


def read_domain_mapping_host(body: dict, facts: Facts) -> None:
    # A Knative DomainMapping's name is the domain it serves.
    name = (body.get("metadata") or {}).get("name")
    _put(facts, "hosts", "hosts", frozenset({str(name)}) if name else None)


def read_ingress_hosts(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    hosts = {str(rule["host"]) for rule in spec.get("rules") or [] if isinstance(rule, dict) and rule.get("host")}
    for tls in spec.get("tls") or []:
        if isinstance(tls, dict):
            hosts.update(_strings(tls.get("hosts")))
    _put(facts, "hosts", "hosts", frozenset(hosts) or None)


# ------------------------------------------------------------------ mTLS


def read_peer_authentication(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    # No mode means "inherit from the namespace or mesh": worth saying, so it is kept as UNSET.
    _put(facts, "mtls", "mTLS mode", ((spec.get("mtls") or {}).get("mode")) or "UNSET")
    for port, setting in sorted((spec.get("portLevelMtls") or {}).items(), key=lambda item: str(item[0])):
        if isinstance(setting, dict):
            _put(facts, "mtls", f"mTLS mode on port {port}", setting.get("mode") or "UNSET")


def read_destination_rule_tls(body: dict, facts: Facts) -> None:
    policy = _spec(body).get("trafficPolicy") or {}
    _put(facts, "mtls", "client TLS mode", (policy.get("tls") or {}).get("mode"))


# ------------------------------------------------------------------ authorization


def read_authorization_policy(body: dict, facts: Facts) -> None:
    spec = _spec(body)
    _put(facts, "authorization", "action", spec.get("action") or "ALLOW")
    rules = spec.get("rules")
    _put(facts, "authorization", "rules", frozenset(describe_rule(rule) for rule in rules or [] if isinstance(rule, dict)))
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    _put(facts, "authorization", "applies to", ", ".join(f"{k}={v}" for k, v in sorted(selector.items())) or "whole namespace")


def describe_rule(rule: dict) -> str:
    """One line per rule: `from namespaces=[a]; to methods=[POST] paths=[/v1/*]; when ...`."""
    parts = []
    sources = [entry.get("source") or {} for entry in rule.get("from") or [] if isinstance(entry, dict)]
    operations = [entry.get("operation") or {} for entry in rule.get("to") or [] if isinstance(entry, dict)]
    if sources:
        parts.append("from " + " or ".join(_fields(source) for source in sources))
    if operations:
        parts.append("to " + " or ".join(_fields(operation) for operation in operations))
    conditions = [c for c in rule.get("when") or [] if isinstance(c, dict)]
    if conditions:
        parts.append("when " + " and ".join(_condition(c) for c in conditions))
    return "; ".join(parts) or "any request"


def _fields(entry: dict) -> str:
    return " ".join(f"{key}=[{', '.join(_strings(values))}]" for key, values in sorted(entry.items())) or "anyone"


def _condition(condition: dict) -> str:
    text = f"{condition.get('key')} in [{', '.join(_strings(condition.get('values')))}]"
    if condition.get("notValues"):
        text += f" not in [{', '.join(_strings(condition.get('notValues')))}]"
    return text


NETWORK_READERS: dict[str, tuple[Reader, ...]] = {
    "Gateway": (read_gateway_hosts,),
    "VirtualService": (read_spec_hosts,),
    "HTTPRoute": (read_route_hostnames,),
    "GRPCRoute": (read_route_hostnames,),
    "Certificate": (read_certificate_hosts,),
    "DomainMapping": (read_domain_mapping_host,),
    "Ingress": (read_ingress_hosts,),
    "PeerAuthentication": (read_peer_authentication,),
    "DestinationRule": (read_destination_rule_tls,),
    "AuthorizationPolicy": (read_authorization_policy,),
}
