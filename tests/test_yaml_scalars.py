"""Plain scalars read as kubectl reads them (go-yaml v2.4.0's resolve.go, then YAML→JSON)."""

import math

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.validate.loader import load_all
from compiler.validate.yaml_scalars import resolve


def _value(text: str):
    return load_all(f"v: {text}\n", "f.yaml")[0]["v"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # sexagesimal is YAML 1.1 only: go-yaml v2 purposely does not read it
        ("10:30", "10:30"),
        ("190:20:30", "190:20:30"),
        ("1:30.5", "1:30.5"),
        # go-yaml v2's booleans: YAML 1.1's words and y/n
        ("y", True), ("Y", True), ("yes", True), ("on", True), ("ON", True), ("True", True),
        ("n", False), ("N", False), ("no", False), ("off", False), ("FALSE", False),
        ("yES", "yES"), ("oN", "oN"),
        ("~", None), ("null", None), ("", None), ("nULL", "nULL"),
        # strconv.ParseInt(s, 0, 64) after dropping every `_`
        ("0x1F", 31), ("0o17", 15), ("017", 15), ("0b101", 5), ("-0b11", -3), ("+1", 1), ("1_000", 1000), ("0", 0),
        ("0x", "0x"), ("+", "+"), ("-x", "-x"),
        # not an integer (8 is no octal digit) but go-yaml's float syntax: 8.0, an integer in JSON
        ("08", 8),
        # floats: go-yaml's yamlStyleFloat, then through JSON (an integral one comes back an integer)
        ("1e3", 1000), ("1.0", 1), ("1.5", 1.5), (".5", 0.5), ("-.5", -0.5), ("1e21", 1e21),
        ("1e400", "1e400"),  # ParseFloat overflows: the scalar stays a string
        ("1.2.3", "1.2.3"), ("2001-12-14", "2001-12-14"), ("<<", "<<"),
    ],
)
def test_plain_scalars_read_as_go_yaml_v2_reads_them(text, expected):
    value = _value(text)
    assert value == expected and type(value) is type(expected)


def test_quoted_scalars_are_strings_and_special_floats_keep_their_kind():
    assert _value('"10:30"') == "10:30" and _value("'y'") == "y"
    assert math.isnan(_value(".nan")) and _value("-.inf") == -math.inf
    assert resolve("1e400") == ("tag:yaml.org,2002:str", "1e400")


def test_keys_become_json_strings_of_what_they_resolve_to():
    # sigs.k8s.io/yaml turns a boolean key into "true": a key `y:` is the key "true" for kubectl
    assert load_all("y: 1\nn: 2\n10:30: 3\n", "f.yaml") == [{"true": 1, "false": 2, "10:30": 3}]


def test_explicit_tags_decode_or_fail_as_in_go_yaml():
    assert load_all("a: !!float 3\nb: !!int '0x10'\n", "f.yaml") == [{"a": 3, "b": 16}]
    with pytest.raises(ValueError, match="cannot decode 'abc' as int"):
        load_all("a: !!int abc\n", "f.yaml")


def test_validate_reports_what_kubectl_would_send(tmp_path):
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flags\n  namespace: default\n"
        "data:\n  at: 10:30\n  enabled: y\n  mode: 'y'\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(manifest)])
    assert result.exit_code == 1
    assert result.stdout == f"{manifest}:8: ConfigMap default/flags: /data/enabled: expected string, got boolean true\n"


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from compiler.validate.yaml_scalars import _BY_SPELLING, tag_of  # noqa: E402


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("yYnNtTfFoO~+-.0123456789_xXbBeE:<abclrsu ")), max_size=8) | st.sampled_from(sorted(_BY_SPELLING)))
def test_the_readers_quick_tag_is_the_full_resolution_of_every_scalar(text):
    assert tag_of(text) == resolve(text)[0]
