"""OpenAPI formats: each predicate on both sides of its rule, the schema rewrite, the messages."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED

from compiler.validate import SchemaRegistry, ValidationInput, format_checks as check, validate_objects
from compiler.validate.formats import TYPED, crd_dialect, integer_format, is_range_bound
from compiler.validate.messages import format_message, range_message

# predicate -> (values Kubernetes accepts, values it rejects); the comments say which rule each probes.
CASES = {
    check.is_base64: (["aGVsbG8=", "QUJD", "QQ==", "QUI="], ["", "QQ", "QQ=", "aGVs\nbG8=", "not base64!", "QQ==QQ==", "QUJD-_"]),
    check.is_go_base64: (["", "QQ==", "aGVs\nbG8=", "aGVs\r\nbG8=", "QUJD"], ["QQ", "QQ=", "not base64!", "QQ==QQ==", "QUJD="]),
    check.is_date: (["2024-02-29", "2023-12-31", "0000-02-29"], ["2023-02-29", "2024-13-01", "2024-04-31", "2024-1-01", "20240101", "2024-01-01\n"]),
    check.is_date_time: (
        ["2024-02-29T10:00:00Z", "2024-02-29t10:00:00.123+02:00", "2024-02-29T23:59:59z", "2024-02-29T10:00:00+99:99"],
        ["2024-02-29T24:00:00Z", "2024-02-29T10:60:00Z", "2024-02-29T10:00:00", "2024-02-29 10:00:00Z", "yesterday", "2023-02-29T10:00:00Z", "2024-02-29T10:00:00Z\n", "T10:00:00Z"],
    ),
    check.is_rfc3339: (
        ["2024-02-29T10:00:00Z", "2024-02-29T10:00:00.5+05:30", "2024-02-29T10:00:00,5-01:00"],
        ["2024-02-29t10:00:00z", "2024-02-29T10:00:00+24:00", "2024-02-29T10:00:60Z", "2024-02-30T10:00:00Z", "", "2024-02-29T10:00:00"],
    ),
    check.is_go_duration: (
        ["30s", "1h30m", "1.5h", "-5m", "+5m", "0", ".5s", "1µs", "2562047h47m16.854775807s"],
        ["", "5", "1e3s", "1d", "s", ".s", "2562048h", "-", "99999999999999999999s"],
    ),
    check.is_duration: (["30s", "3 weeks", "1ms", "2 days", " 5 min ", "1 hour 30 min"], ["", "5", "five minutes", "1y", "99999999999999999999 h", "1.5 days"]),
    check.is_ipv4: (["10.0.0.1", "0.0.0.0", "::ffff:1.2.3.4"], ["010.0.0.1", "256.0.0.1", "::1", "10.0.0.1%eth0", "10.0.0", ""]),
    check.is_ipv6: (["::1", "2001:db8::1", "::ffff:1.2.3.4", "0001:0002::"], ["1.2.3.4", "fe80::1%eth0", "2001:db8::g", "1:2:3:4:5:6:7:8:9", ""]),
    check.is_cidr: (["10.0.0.0/8", "10.0.0.1/32", "2001:db8::/32", "10.0.0.0/08", "::ffff:1.2.3.4/128"], ["10.0.0.0/33", "10.0.0.0", "10.0.0.0/ 8", "10.0.0.0/255.0.0.0", "2001:db8::/129", "10.0.0.0/0000000000000000000000000000000000008x", "fe80::%eth0/64"]),
    check.is_mac: (
        ["01:23:45:67:89:ab", "01-23-45-67-89-AB", "0123.4567.89ab", "01:23:45:67:89:ab:cd:ef", ":".join(["00"] * 20)],
        ["01:23:45:67:89", "01:23-45:67:89:ab", "0123.4567.89ag", "01:23:45:67:89:ab:cd", "0123456789ab", ""],
    ),
    # HostnamePattern's quirks: one label takes a "-" only after its first character; a last label has 2+.
    check.is_hostname: (
        ["example.com", "a", "a-", "a-bc", "münchen.de", "xn--mnchen-3ya.de", "1example.com", "a-b.c-d", "a+b.cd", "a" * 63 + ".com"],
        ["", "my-host", "x.y", "-a.com", "a..b", "a" * 64 + ".com", "under_score.com", "a.-b", "a.b--c", "exa mple.com", ("a" * 63 + ".") * 4 + "com"],
    ),
    check.is_email: (["a@b", "john.doe@example.com", "John Doe <john@example.com>", '"quoted name"@example.com', "x@[10.0.0.1]"], ["plainaddress", "a@", "@b", "a@b@c", "a..b@c", ".a@b", "a@b.", "a b@c"]),
    check.is_request_uri: (
        ["https://example.com/path?q=1", "/absolute/path", "mailto:a@b", "*", "http://[::1]:8080/", "http://user:pw@host/", "http://h/a#b", "http://h/%41"],
        ["", "relative/path", "http://host:port/", "http://exa mple.com/", "/a%zz", "://x", "1http://x", "http://h/\x7f", "http://us er@h/"],
    ),
    check.is_uuid: (["123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174000", "123e4567e89b12d3a456426614174000"], ["123e4567-e89b-12d3-a456-42661417400", "g23e4567-e89b-12d3-a456-426614174000", ""]),
    check.is_uuid3: (["a987fbc9-4bed-3078-cf07-9141ba07c9f3"], ["a987fbc9-4bed-4078-8f07-9141ba07c9f3"]),
    check.is_uuid4: (["a987fbc9-4bed-4078-8f07-9141ba07c9f3", "A987FBC9-4BED-4078-BF07-9141BA07C9F3"], ["a987fbc9-4bed-4078-cf07-9141ba07c9f3", "a987fbc9-4bed-3078-8f07-9141ba07c9f3"]),
    check.is_uuid5: (["987fbc97-4bed-5078-9f07-9141ba07c9f3"], ["987fbc97-4bed-4078-9f07-9141ba07c9f3"]),
    check.is_bson_object_id: (["507f1f77bcf86cd799439011", "507F1F77BCF86CD799439011"], ["507f1f77bcf86cd79943901", "507f1f77bcf86cd79943901z", ""]),
    check.is_isbn10: (["0321751043", "0-321-75104-3", "0 321 75104 3", "080442957X"], ["0321751044", "032175104", "080442957x"]),
    check.is_isbn13: (["9780321751041", "978-0321751041", "978 0 321 75104 1"], ["978-0321751042", "978032175104"]),
    check.is_isbn: (["0321751043", "978-0321751041"], ["0321751044", "978-0321751042", ""]),
    check.is_credit_card: (["4111 1111 1111 1111", "4111-1111-1111-1111", "4111x1111x1111x1111"], ["4111 1111 1111 1112", "1234", ""]),
    check.is_ssn: (["123-45-6789", "123 45 6789", "123-45 6789"], ["123456789", "123-45-678", "123-45-67890", "abc-de-fghi"]),
    check.is_hexcolor: (["#fff", "FFFFFF", "#a1B2c3"], ["#ffff", "#ggg", "fff\n", ""]),
    check.is_rgbcolor: (["rgb(255,255,255)", "rgb( 0 , 10 , 200 )"], ["rgb(256,0,0)", "rgba(0,0,0,0)", "rgb(0,0)", "rgb(01,0,0)"]),
    check.is_quantity: (["500m", "2Gi", "1e3", "1.5", "+1"], ["2GB", "one", "", "1.5.5"]),
    check.is_k8s_short_name: (["my-name", "a", "a" * 63], ["My-name", "a" * 64, "-a", "a.b", ""]),
    check.is_k8s_long_name: (["a.b-c.d", "a" * 253, "a" * 70], ["a..b", "-a", "A.b", "a" * 254, ""]),
}


@pytest.mark.parametrize("predicate", list(CASES), ids=[p.__name__ for p in CASES])
def test_predicate_accepts_and_rejects(predicate):
    accepted, rejected = CASES[predicate]
    assert [value for value in accepted if predicate(value) is not True] == []
    assert [value for value in rejected if predicate(value) is not False] == []


# ---------------------------------------------------------------- the schema rewrite


def _prepared(node: dict, dialect=None) -> dict:
    return (dialect or crd_dialect("1.33")).prepare({"type": "object", "properties": {"x": node}})[0]["properties"]["x"]


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ({"type": "integer", "format": "int32"}, {"type": "integer", "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}),
        ({"type": "integer", "format": "int64"}, {"type": "integer", "format": "int64", "minimum": -(2**63), "maximum": 2**63 - 1}),
        ({"type": "integer"}, {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}),  # JSON decoding: int64 or float64
        ({"type": "integer", "format": "uuid"}, {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}),  # dropped
        ({"type": ["integer", "null"], "format": "int32"}, {"type": ["integer", "null"], "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}),
        ({"type": ["integer", "string"]}, {"type": ["integer", "string"], "minimum": -(2**63), "maximum": 2**63 - 1}),  # or a Quantity
        ({"type": ["integer", "string"], "x-inferplane-go-integer": "int32"}, {"type": ["integer", "string"], "x-inferplane-go-integer": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}),
        ({"type": "integer", "format": "int32", "minimum": 0, "maximum": 100}, {"type": "integer", "format": "int32", "minimum": 0, "maximum": 100}),
        ({"type": "integer", "format": "int32", "minimum": -5e9}, {"type": "integer", "format": "int32", "minimum": -(2**31), "maximum": 2**31 - 1}),
        ({"type": "string", "format": "int32"}, {"type": "string"}),
        ({"type": "string", "format": "datetime"}, {"type": "string", "format": "date-time"}),  # compared without dashes
        ({"type": "string", "format": "password"}, {"type": "string"}),  # accepted by every string
        ({"type": "string", "format": "k8s-short-name"}, {"type": "string"}),  # only from 1.34
        ({"format": "ipv4"}, {"format": "ipv4"}),  # no type: the string formats apply
        ({"type": "number", "format": "double"}, {"type": "number", "format": "double"}),
        ({"type": "number", "format": "int32"}, {"type": "number"}),
        ({"type": "object", "format": "byte"}, {"type": "object"}),
        ({"type": "object", "properties": {"format": {"type": "string"}}}, {"type": "object", "properties": {"format": {"type": "string"}}}),
    ],
)
def test_custom_resource_schemas_keep_what_the_api_server_keeps(node, expected):
    assert _prepared(node) == expected


def test_kubernetes_1_34_checks_short_and_long_names():
    assert _prepared({"type": "string", "format": "k8s-short-name"}, crd_dialect("1.34")) == {"type": "string", "format": "k8s-short-name"}
    assert "k8s-long-name" in crd_dialect("v1.35.2").checkers and "k8s-long-name" not in crd_dialect("1.33").checkers


def test_built_in_kinds_check_only_what_go_decoders_reject():
    assert _prepared({"type": "string", "format": "hostname"}, TYPED) == {"type": "string"}
    assert _prepared({"type": "string", "format": "byte"}, TYPED) == {"type": "string", "format": "byte"}
    assert TYPED.checkers["byte"]("") and not crd_dialect("1.33").checkers["byte"]("")


def test_prepare_returns_the_checkers_of_the_formats_it_kept():
    schema = {"type": "object", "properties": {"a": {"type": "string", "format": "byte"}, "b": {"type": "integer", "format": "int32"}}}
    _, checkers = crd_dialect("1.33").prepare(schema)
    assert set(checkers) == {"byte"}
    assert crd_dialect("1.33").prepare({"type": "object"})[1] == {}


def test_prepare_leaves_its_input_alone():
    schema = {"type": "object", "properties": {"a": {"type": "integer", "format": "int32"}}}
    crd_dialect("1.33").prepare(schema)
    assert schema == {"type": "object", "properties": {"a": {"type": "integer", "format": "int32"}}}


# ---------------------------------------------------------------- messages


def test_a_bound_from_the_format_is_reported_as_the_type():
    node = _prepared({"type": "integer", "format": "int32"})
    assert integer_format(node) == "int32"
    assert is_range_bound(node, "maximum", 2**31 - 1) == "int32"
    assert is_range_bound(_prepared({"type": "integer", "maximum": 10}), "maximum", 10) is None
    assert range_message("int32", 2**31) == "must be of type int32: 2147483648 is not between -2147483648 and 2147483647"


def test_format_message_uses_the_api_servers_words():
    assert format_message("byte", "no!") == 'must be of type byte: "no!" (expected base64-encoded data)'
    assert format_message("isbn", "1") == 'must be of type isbn: "1"'
    assert format_message("date", "x" * 100) == f'must be of type date: "{"x" * 58}… (expected a date such as 2006-01-02)'


# ---------------------------------------------------------------- through the validator


# A CRD of its own, so these tests need no ../shared: the API server keeps these formats.
CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                replicas: {type: integer, format: int32}
                budget: {type: integer}
                port: {x-kubernetes-int-or-string: true}
                caBundle: {type: string, format: byte}
                since: {type: string, format: date-time}
                address: {type: string, format: ipv4}
                secret: {type: string, format: password}
                ratio: {type: number, format: double}
"""
WIDGET = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "namespace": "ns"}}
GOOD = {"replicas": 2**31 - 1, "budget": -(2**63), "port": 2**63 - 1, "caBundle": "QQ==", "since": "2024-02-29T10:00:00Z", "address": "10.0.0.1", "secret": "", "ratio": 1e300}
BAD = {"replicas": 2**31, "budget": 2**63, "port": -(2**63) - 1, "caBundle": "QQ", "since": "2024-02-30T10:00:00Z", "address": "10.0.0.256"}
EXPECTED = [
    ("/spec/address", 'must be of type ipv4: "10.0.0.256" (expected an IPv4 address)'),
    ("/spec/budget", "must be of type int64: 9223372036854775808 is not between -9223372036854775808 and 9223372036854775807"),
    ("/spec/caBundle", 'must be of type byte: "QQ" (expected base64-encoded data)'),
    ("/spec/port", "must be of type int64: -9223372036854775809 is not between -9223372036854775808 and 9223372036854775807"),
    ("/spec/replicas", "must be of type int32: 2147483648 is not between -2147483648 and 2147483647"),
    ("/spec/since", 'must be of type date-time: "2024-02-30T10:00:00Z" (expected an RFC 3339 date-time such as 2006-01-02T15:04:05Z)'),
]


@pytest.fixture(params=["jsonschema-rs", "python-jsonschema"])
def widgets(request, tmp_path):
    (tmp_path / "widget.yaml").write_text(CRD, encoding="utf-8")
    return SchemaRegistry("1.33", crd_paths=[tmp_path / "widget.yaml"], engine=request.param)


def _issues(registry, spec: dict) -> list[tuple[str, str]]:
    report = validate_objects([ValidationInput({**WIDGET, "spec": spec}, "widget.yaml", 0)], registry)
    return sorted((issue.pointer, issue.message) for issue in report.issues)


def test_both_engines_accept_the_edges_and_report_past_them_alike(widgets):
    assert _issues(widgets, GOOD) == []
    assert _issues(widgets, BAD) == EXPECTED


def test_a_kind_without_string_formats_is_compiled_without_format_checkers(tmp_path, monkeypatch):
    """jsonschema-rs spends ~0.5 µs more per object once it has any custom format."""
    (tmp_path / "widget.yaml").write_text(CRD.split("                caBundle")[0], encoding="utf-8")
    registry = SchemaRegistry("1.33", crd_paths=[tmp_path / "widget.yaml"])
    given, compile_ = [], registry._engine.compile
    monkeypatch.setattr(registry._engine, "compile", lambda schema, documents, formats=None: given.append(formats) or compile_(schema, documents, formats))
    assert _issues(registry, {"replicas": 2**31}) == [EXPECTED[4]]
    assert given == [{}]


GATEWAY_API = SHARED / "crds-extra" / "gateway-api"


@pytest.mark.skipif(not GATEWAY_API.is_dir(), reason=f"Gateway API CRDs not found at {GATEWAY_API} (../shared beside the repository)")
def test_gateway_addresses_are_ipv4_or_ipv6():
    registry = SchemaRegistry("1.33", crd_paths=[GATEWAY_API])
    gateway = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "inference", "namespace": "ml-prod"},
        "spec": {"gatewayClassName": "istio", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}], "addresses": []},
    }
    valid = [{"type": "IPAddress", "value": "10.0.0.1"}, {"type": "IPAddress", "value": "2001:db8::1"}]
    invalid = [{"type": "IPAddress", "value": "10.0.0.256"}, {"type": "IPAddress", "value": "2001:db8::g"}]
    report = validate_objects([ValidationInput({**gateway, "spec": {**gateway["spec"], "addresses": valid + invalid}}, "gateway.yaml", 0)], registry)
    assert [(i.pointer, i.message) for i in report.issues] == [
        ("/spec/addresses/2/value", 'must be of type ipv4 or ipv6: "10.0.0.256"'),
        ("/spec/addresses/3/value", 'must be of type ipv4 or ipv6: "2001:db8::g"'),
    ]
