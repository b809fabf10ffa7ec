"""Kubernetes CEL IP and CIDR libraries.

Upstream: k8s.io/apiserver/pkg/cel/library/ip.go and cidr.go (Go ``net/netip``).
Kubernetes rejects IPv4-mapped IPv6 addresses and IPv6 zones on top of netip's
own rules; Python's ``ipaddress`` already rejects IPv4 octets with leading zeros
like netip does. The address predicates follow netip, not Python: for example a
private 10.0.0.1 *is* a global unicast address for Go.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from celpy.celtypes import BoolType, IntType, StringType
from celpy.evaluation import CELEvalError

from .cel_strings import no_overload

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_LINK_LOCAL_MULTICAST = (
    ipaddress.ip_network("224.0.0.0/24"),
    ipaddress.ip_network("ff02::/16"),
)


@dataclass(frozen=True)
class CelIP:
    address: Address

    def __str__(self) -> str:
        return str(self.address)


@dataclass(frozen=True)
class CelCIDR:
    """A prefix as written: the address keeps its host bits, like netip.Prefix."""

    address: Address
    prefix_length: int

    @property
    def network(self) -> Network:
        return ipaddress.ip_network(f"{self.address}/{self.prefix_length}", strict=False)

    def __str__(self) -> str:
        return f"{self.address}/{self.prefix_length}"


class _ParseError(ValueError):
    pass


def _parse_address(text: str) -> Address:
    if "%" in text:
        raise _ParseError("IP address with zone value is not allowed")
    try:
        address = ipaddress.ip_address(text)
    except ValueError as err:
        raise _ParseError(f"IP Address {text!r} parse error during conversion from string: {err}") from None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        raise _ParseError("IPv4-mapped IPv6 addresses are not allowed")
    return address


def _parse_cidr(text: str) -> CelCIDR:
    address_text, slash, length_text = text.partition("/")
    if not slash or not length_text.isdigit() or (len(length_text) > 1 and length_text[0] == "0"):
        raise _ParseError(f"network address parse error during conversion from string: {text!r}")
    address = _parse_address(address_text)
    length = int(length_text)
    if length > address.max_prefixlen:
        raise _ParseError(f"network address parse error during conversion from string: {text!r}")
    return CelCIDR(address, length)


def _is_valid(parse: Callable[[str], object]) -> Callable[[object], object]:
    def predicate(text: object) -> object:
        if not isinstance(text, str):
            return no_overload("isIP/isCIDR", text)
        try:
            parse(text)
        except _ParseError:
            return BoolType(False)
        return BoolType(True)

    return predicate


def ip(text: object) -> object:
    if isinstance(text, CelCIDR):  # <cidr>.ip(): the address part of the prefix
        return CelIP(text.address)
    if not isinstance(text, str):
        return no_overload("ip", text)
    try:
        return CelIP(_parse_address(text))
    except _ParseError as err:
        return CELEvalError(str(err))


def cidr(text: object) -> object:
    if not isinstance(text, str):
        return no_overload("cidr", text)
    try:
        return _parse_cidr(text)
    except _ParseError as err:
        return CELEvalError(str(err))


def is_canonical(text: object) -> object:
    """ip.isCanonical(string): true when the text is netip's String() form."""
    parsed = ip(text)
    if not isinstance(parsed, CelIP):
        return parsed
    return BoolType(str(parsed.address) == text)


def _ip_predicate(name: str, test: Callable[[Address], bool]) -> Callable[[object], object]:
    def predicate(value: object) -> object:
        if not isinstance(value, CelIP):
            return no_overload(name, value)
        return BoolType(test(value.address))

    predicate.__name__ = name
    return predicate


def _is_link_local_multicast(a: Address) -> bool:
    return any(a.version == net.version and a in net for net in _LINK_LOCAL_MULTICAST)


def _is_global_unicast(a: Address) -> bool:
    if a.is_unspecified or a.is_loopback or a.is_multicast or a.is_link_local:
        return False
    return a != ipaddress.IPv4Address("255.255.255.255")


def _coerce_ip(value: object) -> object:
    return ip(value) if isinstance(value, str) else value


def contains_ip(prefix: object, value: object) -> object:
    other = _coerce_ip(value)
    if isinstance(other, CELEvalError):
        return other
    if not isinstance(prefix, CelCIDR) or not isinstance(other, CelIP):
        return no_overload("containsIP", prefix, value)
    network = prefix.network
    return BoolType(other.address.version == network.version and other.address in network)


def contains_cidr(prefix: object, value: object) -> object:
    other = cidr(value) if isinstance(value, str) else value
    if isinstance(other, CELEvalError):
        return other
    if not isinstance(prefix, CelCIDR) or not isinstance(other, CelCIDR):
        return no_overload("containsCIDR", prefix, value)
    network = prefix.network
    return BoolType(
        other.address.version == network.version
        and other.prefix_length >= prefix.prefix_length
        and other.address in network
    )


def _cidr_method(name: str, apply: Callable[[CelCIDR], object]) -> Callable[[object], object]:
    def method(value: object) -> object:
        if not isinstance(value, CelCIDR):
            return no_overload(name, value)
        return apply(value)

    method.__name__ = name
    return method


def _family(value: object) -> object:
    if not isinstance(value, CelIP):
        return no_overload("family", value)
    return IntType(value.address.version)


def to_string(value: CelIP | CelCIDR) -> StringType:
    return StringType(str(value))


IP_FUNCTIONS = {
    "ip": ip,
    "isIP": _is_valid(_parse_address),
    "cidr": cidr,
    "isCIDR": _is_valid(_parse_cidr),
    "family": _family,
    "isUnspecified": _ip_predicate("isUnspecified", lambda a: a.is_unspecified),
    "isLoopback": _ip_predicate("isLoopback", lambda a: a.is_loopback),
    "isLinkLocalMulticast": _ip_predicate("isLinkLocalMulticast", _is_link_local_multicast),
    "isLinkLocalUnicast": _ip_predicate("isLinkLocalUnicast", lambda a: a.is_link_local),
    "isGlobalUnicast": _ip_predicate("isGlobalUnicast", _is_global_unicast),
    "containsIP": contains_ip,
    "containsCIDR": contains_cidr,
    "prefixLength": _cidr_method("prefixLength", lambda c: IntType(c.prefix_length)),
    "masked": _cidr_method("masked", lambda c: CelCIDR(c.network.network_address, c.prefix_length)),
}

# Namespaced: ip.isCanonical(<string>)
IP_NAMESPACE_FUNCTIONS = {"isCanonical": is_canonical}
