"""The string formats Kubernetes checks, one predicate each (`str -> bool`), ported from Go.

Custom resources (the API server's structural schema validation, kube-openapi's strfmt.Default):
- k8s.io/kube-openapi pkg/validation/strfmt/default.go registers uri (govalidator.IsRequestURI,
  i.e. net/url.ParseRequestURI), email (net/mail.ParseAddress), hostname (HostnamePattern, at most
  255 bytes and 63 per label), ipv4/ipv6 (net.ParseIP and a "." or ":" in the text), cidr
  (net.ParseCIDR), mac (net.ParseMAC), uuid/uuid3/uuid4/uuid5 (its own case-insensitive patterns
  with optional dashes), isbn/isbn10/isbn13, creditcard, ssn, hexcolor, rgbcolor, byte
  (govalidator.IsBase64: a regex that rejects "" and line breaks) and password (anything);
  bson.go bsonobjectid (24 hex digits); duration.go duration (Go's time.ParseDuration, else the
  "3 weeks" style); quantity.go quantity (resource.ParseQuantity); kubernetes-extensions.go
  k8s-short-name and k8s-long-name. govalidator is pinned at v0.0.0-20190424111038-f61b66f89f4a
  (kube-openapi's go.mod): creditcard strips every non-digit before the regex and Luhn, ssn needs
  exactly 11 bytes.
- date and date-time are go-openapi/strfmt's date.go and time.go, which kube-openapi forked:
  date is time.Parse("2006-01-02"); date-time lower-cases the text, splits it at "t" and checks
  the date and `HH:MM:SS[.frac](z|±HH:MM)` with hours ≤ 23, minutes and seconds ≤ 59.

Built-in kinds are not checked against OpenAPI at all: the API server decodes them into Go types,
so a []byte field (format byte) is base64.StdEncoding as encoding/json decodes it (padding
required, "" allowed, line breaks ignored) and a metav1.Time (format date-time) is
time.Parse(time.RFC3339, …).

Every predicate takes a str and never raises: the schema engines call them for each string.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from ..spec.quantity import parse_quantity

_S = r"[\t\n\f\r ]"  # Go's \s (RE2: ASCII only)


def _full(pattern: str, flags: int = 0):
    return re.compile(pattern, flags).fullmatch


def _predicate(pattern: str, flags: int = 0):
    """A whole-text match as a bool: the engines treat the result as valid or not."""
    match = _full(pattern, flags)
    return lambda text: match(text) is not None


# ---------------------------------------------------------------- byte


# govalidator's Base64 pattern: at least one quantum, no line breaks.
_GOVALIDATOR_BASE64 = _full(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})")
_STD_BASE64 = _full(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def is_base64(text: str) -> bool:
    return _GOVALIDATOR_BASE64(text) is not None


def is_go_base64(text: str) -> bool:
    """encoding/json's []byte: base64.StdEncoding, which skips \\r and \\n."""
    return _STD_BASE64(text.replace("\r", "").replace("\n", "")) is not None


# ---------------------------------------------------------------- dates and times


_DATE = _full(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_TIME_OF_DAY = _full(r"([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))")
_RFC3339 = _full(r"([0-9]{4}-[0-9]{2}-[0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:[.,][0-9]+)?(?:Z|[+-]([0-9]{2}):([0-9]{2}))")


def _days_in(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def is_date(text: str) -> bool:
    """time.Parse("2006-01-02", …): the day must exist in its month."""
    match = _DATE(text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    return 1 <= month <= 12 and 1 <= day <= _days_in(year, month)


def is_date_time(text: str) -> bool:
    """go-openapi's IsDateTime, quirks included (lower-cased, split at every "t")."""
    if len(text.encode()) < 4:
        return False
    parts = text.lower().split("t")
    if len(parts) < 2 or not is_date(parts[0]):
        return False
    match = _TIME_OF_DAY(parts[1])
    if match is None:
        return False
    return match.group(1) <= "23" and match.group(2) <= "59" and match.group(3) <= "59"


def is_rfc3339(text: str) -> bool:
    """time.Parse(time.RFC3339, …), as metav1.Time decodes: Go ≥ 1.20 range-checks every field."""
    match = _RFC3339(text)
    if match is None or not is_date(match.group(1)):
        return False
    hour, minute, second = int(match.group(2)), int(match.group(3)), int(match.group(4))
    zone_hour, zone_minute = int(match.group(5) or 0), int(match.group(6) or 0)
    return hour <= 23 and minute <= 59 and second <= 59 and zone_hour <= 23 and zone_minute <= 59


_GO_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "μs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}
_GO_DURATION_PART = re.compile(r"([0-9]*)(?:\.([0-9]*))?([^0-9.]*)")
_MAX_DURATION = 2**63 - 1


def _overflows_int64(digits: str) -> bool:
    """Whether a run of ASCII digits is above int64 (checked on the text: int() refuses 4,300+ digits)."""
    significant = digits.lstrip("0")
    return len(significant) > 19 or (len(significant) == 19 and int(significant) > _MAX_DURATION)


def is_go_duration(text: str) -> bool:
    """time.ParseDuration: [-+] then one or more decimal numbers with a unit, within int64 nanoseconds."""
    rest = text[1:] if text[:1] in ("-", "+") else text
    if rest == "0":
        return True
    if not rest:
        return False
    total = 0
    while rest:
        match = _GO_DURATION_PART.match(rest)
        whole, fraction, unit = match.group(1), match.group(2), match.group(3)
        if (not whole and not fraction) or unit not in _GO_UNITS or _overflows_int64(whole):
            return False
        nanos = int(whole or "0") * _GO_UNITS[unit]
        if fraction:  # Go drops the digits that would overflow; 19 are more than a nanosecond needs
            nanos += int(int(fraction[:19]) * _GO_UNITS[unit] / 10 ** len(fraction[:19]))
        total += nanos
        if total > _MAX_DURATION + (1 if text[0] == "-" else 0):
            return False
        rest = rest[match.end():]
    return True


_STRFMT_DURATION = _full(rf"{_S}*(?:[0-9]+{_S}*[A-Za-zµ]+{_S}*)+")
_STRFMT_DURATION_PART = re.compile(r"([0-9]+)[\t\n\f\r ]*([A-Za-zµ]+)")
_STRFMT_UNITS = (("ns", "nano"), ("us", "µs", "micro"), ("ms", "milli"), ("s", "sec"), ("m", "min"), ("h", "hr", "hour"), ("d", "day"), ("w", "wk", "week"))


def is_duration(text: str) -> bool:
    """strfmt's ParseDuration: Go's syntax, else numbers with units such as "3 weeks" or "1ms"."""
    if is_go_duration(text):
        return True
    if _STRFMT_DURATION(text) is None:
        return False
    matched = False
    for number, unit in _STRFMT_DURATION_PART.findall(text):
        if _overflows_int64(number):  # strconv.Atoi fails
            return False
        unit = unit.lower()
        matched = matched or any(unit == v or (i == len(vs) - 1 and unit.startswith(v)) for vs in _STRFMT_UNITS for i, v in enumerate(vs))
    return matched


# ---------------------------------------------------------------- network


def _go_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """net.ParseIP / netip.ParseAddr without a zone; like Go, IPv4 octets may not have leading zeros."""
    if "%" in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_ipv4(text: str) -> bool:
    return _go_ip(text) is not None and "." in text


def is_ipv6(text: str) -> bool:
    return _go_ip(text) is not None and ":" in text


def is_cidr(text: str) -> bool:
    """net.ParseCIDR: an address, "/", then ASCII digits not above the address's bit length."""
    address, slash, bits = text.partition("/")
    parsed = _go_ip(address) if slash else None
    if parsed is None or re.fullmatch(r"[0-9]+", bits) is None:
        return False
    return len(bits.lstrip("0")) <= 3 and int(bits) <= parsed.max_prefixlen


def is_mac(text: str) -> bool:
    """net.ParseMAC: 6, 8 or 20 octets as xx:xx…, xx-xx… or xxxx.xxxx…"""
    raw = text.encode()
    if len(raw) < 14:
        return False
    if raw[2:3] in (b":", b"-"):
        groups, size = raw.split(raw[2:3]), 2
    elif raw[4:5] == b".":
        groups, size = raw.split(b"."), 4
    else:
        return False
    octets = len(groups) * size // 2
    return octets in (6, 8, 20) and all(len(g) == size and re.fullmatch(rb"[0-9A-Fa-f]+", g) for g in groups)


def _host_char(char: str) -> bool:
    """HostnamePattern's [a-zA-Z0-9\\p{S}\\p{L}]: an ASCII digit, or any Unicode letter or symbol."""
    return "0" <= char <= "9" or unicodedata.category(char)[0] in "LS"


def _matches_hostname_pattern(text: str) -> bool:
    """kube-openapi's HostnamePattern, spelled out: as a regex its bounded repetitions of Unicode
    classes compile to 266,000 RE2 instructions (34 MiB, and "DFA out of memory" on stderr).
    One label: a character, an optional "-", then at most 62 more. Several: labels of 1 to 63
    characters that start and end with a character (inner "-" allowed) and a last one of 2 to 63
    characters with single "-" only between them."""
    labels = text.split(".")
    if len(labels) == 1:
        rest = text[1:].removeprefix("-")
        return bool(text) and _host_char(text[0]) and len(rest) <= 62 and all(map(_host_char, rest))
    *inner, last = labels
    for label in inner:
        if not 1 <= len(label) <= 63 or not (_host_char(label[0]) and _host_char(label[-1])) or not all(c == "-" or _host_char(c) for c in label):
            return False
    parts = last.split("-")
    return all(parts) and all(all(map(_host_char, part)) for part in parts) and 2 <= len(last) - len(parts) + 1 <= 63


def is_hostname(text: str) -> bool:
    if not _matches_hostname_pattern(text) or len(text.encode()) > 255:
        return False
    return all(len(label.encode()) <= 63 for label in text.split("."))


# net/mail.ParseAddress: an addr-spec, or a phrase and <addr-spec>. Go's atext is any printable
# ASCII but the specials, and any non-ASCII; comments (CFWS) are not supported here.
_ATEXT = r"[^\x00-\x20\x7f()<>\[\]:;@\\,\".]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
_QUOTED = r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[^\x00-\x08\x0a-\x1f\x7f])+"'
_ADDR_SPEC = rf"(?:{_DOT_ATOM}|{_QUOTED})@(?:{_DOT_ATOM}|\[[^\[\]\\\x00-\x20\x7f]*\])"
_PHRASE = rf"(?:(?:{_ATEXT}|\.)+|{_QUOTED})(?:[ \t]+(?:(?:{_ATEXT}|\.)+|{_QUOTED}))*"
is_email = _predicate(rf"[ \t]*(?:{_ADDR_SPEC}|(?:{_PHRASE})?[ \t]*<{_ADDR_SPEC}>)[ \t]*")


def _go_unescape(text: str, host: bool) -> bool:
    """net/url's unescape: every % starts two hex digits; a host allows only %25 or escaped non-ASCII
    and none of the characters shouldEscape(…, encodeHost) names."""
    index = 0
    while index < len(text):
        char = text[index]
        if char == "%":
            pair = text[index + 1 : index + 3]
            if re.fullmatch(r"[0-9A-Fa-f]{2}", pair) is None or (host and int(pair[0], 16) < 8 and pair != "25"):
                return False
            index += 3
            continue
        if host and ord(char) < 0x80 and not (char.isalnum() or char in "-_.~!$&'()*+,;=:[]<>\""):
            return False
        index += 1
    return True


def _go_host(host: str) -> bool:
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            return False
        port = host[close + 1 :]
    else:
        colon = host.rfind(":")
        port = host[colon:] if colon >= 0 else ""
    return (port == "" or re.fullmatch(r":[0-9]*", port) is not None) and _go_unescape(host, host=True)


def is_request_uri(text: str) -> bool:
    """net/url.ParseRequestURI: an absolute URI or an absolute path (a #fragment stays in the path)."""
    if not text or re.search(r"[\x00-\x1f\x7f]", text):
        return False
    if text == "*":
        return True
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", text)
    if text.startswith(":"):
        return False  # "missing protocol scheme"
    rest = text[scheme.end() :] if scheme else text
    rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        return scheme is not None  # an opaque URI such as mailto:x
    if scheme and rest.startswith("//"):
        authority, slash, path = rest[2:].partition("/")
        user, at, host = authority.rpartition("@")
        if not _go_host(host if at else authority):
            return False
        if at and not (re.fullmatch(r"[A-Za-z0-9\-._:~!$&'()*+,;=%@]*", user) and _go_unescape(user, host=False)):
            return False
        rest = slash + path
    return _go_unescape(rest, host=False)


# ---------------------------------------------------------------- identifiers and codes


def _case_insensitive(pattern: str):
    return _predicate(pattern, re.IGNORECASE | re.ASCII)


_HEX = "[0-9a-f]"
is_uuid = _case_insensitive(f"{_HEX}{{8}}-?{_HEX}{{4}}-?{_HEX}{{4}}-?{_HEX}{{4}}-?{_HEX}{{12}}")
is_uuid3 = _case_insensitive(f"{_HEX}{{8}}-?{_HEX}{{4}}-?3{_HEX}{{3}}-?{_HEX}{{4}}-?{_HEX}{{12}}")
is_uuid4 = _case_insensitive(f"{_HEX}{{8}}-?{_HEX}{{4}}-?4{_HEX}{{3}}-?[89ab]{_HEX}{{3}}-?{_HEX}{{12}}")
is_uuid5 = _case_insensitive(f"{_HEX}{{8}}-?{_HEX}{{4}}-?5{_HEX}{{3}}-?[89ab]{_HEX}{{3}}-?{_HEX}{{12}}")
is_bson_object_id = _predicate(r"[0-9A-Fa-f]{24}")
is_hexcolor = _predicate(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_RGB_PART = r"(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])"
is_rgbcolor = _predicate(rf"rgb\({_S}*{_RGB_PART}{_S}*,{_S}*{_RGB_PART}{_S}*,{_S}*{_RGB_PART}{_S}*\)")
_SSN = _full(r"[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}")
_CREDIT_CARD = _full(r"4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11}")


def is_ssn(text: str) -> bool:
    return len(text.encode()) == 11 and _SSN(text) is not None


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def is_credit_card(text: str) -> bool:
    digits = re.sub(r"[^0-9]+", "", text)
    return _CREDIT_CARD(digits) is not None and _luhn(digits)


def is_isbn10(text: str) -> bool:
    digits = re.sub(rf"(?:{_S}|-)+", "", text)
    if re.fullmatch(r"[0-9]{9}X|[0-9]{10}", digits) is None:
        return False
    last = 10 if digits[9] == "X" else int(digits[9])
    return (sum((i + 1) * int(d) for i, d in enumerate(digits[:9])) + 10 * last) % 11 == 0


def is_isbn13(text: str) -> bool:
    digits = re.sub(rf"(?:{_S}|-)+", "", text)
    if re.fullmatch(r"[0-9]{13}", digits) is None:
        return False
    checksum = sum((3 if i % 2 else 1) * int(d) for i, d in enumerate(digits[:12]))
    return int(digits[12]) == (10 - checksum % 10) % 10


def is_isbn(text: str) -> bool:
    return is_isbn10(text) or is_isbn13(text)


_SHORT_NAME = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_is_short_name = _full(_SHORT_NAME)
_is_long_name = _full(rf"{_SHORT_NAME}(\.{_SHORT_NAME})*")


def is_k8s_short_name(text: str) -> bool:
    return len(text) <= 63 and _is_short_name(text) is not None


def is_k8s_long_name(text: str) -> bool:
    return len(text) <= 253 and _is_long_name(text) is not None


def is_quantity(text: str) -> bool:
    return parse_quantity(text) is not None
