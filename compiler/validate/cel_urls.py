"""Kubernetes CEL URL library: ``url``, ``isURL`` and the ``getX`` accessors.

Upstream: k8s.io/apiserver/pkg/cel/library/urls.go. ``isURL``/``url`` accept what
Go's ``net/url.ParseRequestURI`` accepts (an absolute URI or an absolute path), and
the accessors read the result of ``net/url.Parse``. Python's urllib is far more
lenient than Go, so the parts of Go's ``net/url`` that decide validity are ported
here (getScheme, parseAuthority, parseHost, validOptionalPort, unescape).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from celpy.celtypes import BoolType, ListType, MapType, StringType
from celpy.evaluation import CELEvalError

from .cel_strings import no_overload


class _UrlError(ValueError):
    pass


@dataclass(frozen=True)
class CelUrl:
    """The opaque ``kubernetes.URL`` value (fields as Go's url.URL exposes them)."""

    scheme: str
    host: str
    path: str
    raw_path: str
    raw_query: str
    opaque: str


_HOST_EXTRA_OK = set("-._~!$&'()*+,;=:[]<>\"")
_USERINFO_OK = set("-._:~!$&'()*+,;=%@")


def _go_scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise _UrlError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _unescape(text: str, host: bool) -> str:
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        b = raw[i]
        if b == ord("%"):
            hexpart = raw[i + 1 : i + 3]
            if len(hexpart) < 2 or any(chr(h) not in "0123456789abcdefABCDEF" for h in hexpart):
                raise _UrlError(f"invalid URL escape {text[i:i + 3]!r}")
            out.append(int(hexpart, 16))
            i += 3
            continue
        if host and b < 0x80 and not (chr(b).isalnum() or chr(b) in _HOST_EXTRA_OK):
            raise _UrlError(f"invalid character {chr(b)!r} in host name")
        out.append(b)
        i += 1
    return out.decode("utf-8", errors="replace")


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    return port[0] == ":" and all("0" <= c <= "9" for c in port[1:])


def _parse_host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise _UrlError("missing ']' in host")
        if not _valid_optional_port(host[end + 1 :]):
            raise _UrlError(f"invalid port {host[end + 1:]!r} after host")
    else:
        colon = host.rfind(":")
        if colon != -1 and not _valid_optional_port(host[colon:]):
            raise _UrlError(f"invalid port {host[colon:]!r} after host")
    return _unescape(host, host=True)


def _parse_authority(authority: str) -> str:
    at = authority.rfind("@")
    host = _parse_host(authority[at + 1 :])
    if at >= 0 and not all(c.isalnum() or c in _USERINFO_OK for c in authority[:at]):
        raise _UrlError("net/url: invalid userinfo")
    return host


def _go_parse(raw: str, via_request: bool) -> CelUrl:
    """net/url.parse(rawURL, viaRequest) without the fragment handling."""
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise _UrlError("net/url: invalid control character in URL")
    if raw == "" and via_request:
        raise _UrlError("empty url")
    if raw == "*":
        return CelUrl("", "", "*", "", "", "")
    scheme, rest = _go_scheme(raw)
    scheme = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        rest, query = rest[:-1], ""
    else:
        rest, _, query = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:
            return CelUrl(scheme, "", "", "", query, rest)  # rootless path: opaque
        if via_request:
            raise _UrlError("invalid URI for request")
        if ":" in rest.partition("/")[0]:
            raise _UrlError("first path segment in URL cannot contain colon")
    host = ""
    if (scheme or (not via_request and not rest.startswith("///"))) and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        host = _parse_authority(authority)
        rest = slash + path
    return CelUrl(scheme, host, _unescape(rest, host=False), rest, query, "")


def parse_request_uri(raw: str) -> CelUrl:
    return _go_parse(raw, via_request=True)


def parse_url(raw: str) -> CelUrl:
    """net/url.Parse: like parse_request_uri but a '#fragment' is split off first."""
    without_fragment = raw.partition("#")[0]
    return _go_parse(without_fragment, via_request=False)


def url(text: object) -> object:
    if not isinstance(text, str):
        return no_overload("url", text)
    try:
        parse_request_uri(text)
        return parse_url(text)
    except _UrlError as err:
        return CELEvalError(f"URL parse error during conversion from string: {err}")


def is_url(text: object) -> object:
    if not isinstance(text, str):
        return no_overload("isURL", text)
    try:
        parse_request_uri(text)
    except _UrlError:
        return BoolType(False)
    return BoolType(True)


def _accessor(name: str, read: Callable[[CelUrl], object]) -> Callable[[object], object]:
    def accessor(value: object) -> object:
        if not isinstance(value, CelUrl):
            return no_overload(name, value)
        return read(value)

    accessor.__name__ = name
    return accessor


def _hostname(u: CelUrl) -> str:
    host = u.host
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host[1:]
    return host.rpartition(":")[0] if ":" in host else host


def _port(u: CelUrl) -> str:
    host = u.host
    if host.startswith("["):
        host = host[host.find("]") + 1 :] if "]" in host else ""
    colon = host.rfind(":")
    return host[colon + 1 :] if colon >= 0 else ""


def _escaped_path(u: CelUrl) -> str:
    # Go keeps the original spelling when it is a valid encoding; otherwise re-escapes.
    if u.raw_path and all(c.isalnum() or c in "-._~!$&'()*+,;=:@/%" for c in u.raw_path):
        return u.raw_path
    return quote(u.path, safe="/!$&'()*+,;=:@~")


def _query(u: CelUrl) -> MapType:
    result: dict[StringType, list[StringType]] = {}
    for key, value in parse_qsl(u.raw_query, keep_blank_values=True):
        result.setdefault(StringType(key), []).append(StringType(value))
    return MapType({k: ListType(v) for k, v in result.items()})


URL_FUNCTIONS = {
    "url": url,
    "isURL": is_url,
    "getScheme": _accessor("getScheme", lambda u: StringType(u.scheme)),
    "getHost": _accessor("getHost", lambda u: StringType(u.host)),
    "getHostname": _accessor("getHostname", lambda u: StringType(_hostname(u))),
    "getPort": _accessor("getPort", lambda u: StringType(_port(u))),
    "getEscapedPath": _accessor("getEscapedPath", lambda u: StringType(_escaped_path(u))),
    "getQuery": _accessor("getQuery", _query),
}
