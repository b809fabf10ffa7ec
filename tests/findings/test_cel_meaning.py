"""validate/cel.py, the glue around the CEL interpreter: which schema nodes carry rules (and the
schema path each is reported at), where a failing rule points (its node, or its fieldPath), and
which message it gives (messageExpression, then message, then the rule), with its reason."""

from __future__ import annotations

from compiler.validate.cel import CelValidator, CelViolation, RuleInfo

SPEC = {
    "type": "object",
    "x-kubernetes-validations": [
        {"rule": "self.replicas <= self.max", "fieldPath": ".replicas", "reason": "FieldValueInvalid", "messageExpression": "'replicas ' + string(self.replicas) + ' over ' + string(self.max)"},
        {"rule": "self.max < 100", "messageExpression": ""},
    ],
    "properties": {
        "replicas": {"type": "integer"},
        "max": {"type": "integer"},
        "ports": {"type": "array", "items": {"type": "integer", "x-kubernetes-validations": [{"rule": "self > 0", "message": "  positive  "}]}},
        "labels": {"type": "object", "additionalProperties": {"type": "string", "x-kubernetes-validations": [{"rule": "self.size() < 4", "message": "short"}]}},
        "quiet": {"type": "object", "properties": {"a": {"type": "string"}}},
    },
    "allOf": [{"x-kubernetes-validations": [{"rule": "self.replicas != 13", "message": "unlucky"}]}, "not a schema", {"description": "no rules"}],
}
SCHEMA = {
    "type": "object",
    "x-kubernetes-validations": [{"rule": "has(self.spec)", "message": "spec is required"}, "not a rule"],
    "properties": {"spec": SPEC, "plain": {"type": "string"}},
}


def test_each_rule_is_reported_at_its_schema_path():
    assert CelValidator.from_schema(SCHEMA).rules() == [
        RuleInfo("/", "has(self.spec)", None, False),
        RuleInfo("/properties/spec", "self.replicas <= self.max", None, False),
        RuleInfo("/properties/spec", "self.max < 100", None, False),
        RuleInfo("/properties/spec/properties/ports/items", "self > 0", None, False),
        RuleInfo("/properties/spec/properties/labels/additionalProperties", "self.size() < 4", None, False),
        RuleInfo("/properties/spec/allOf/0", "self.replicas != 13", None, False),
    ]


def test_a_schema_without_rules_has_no_rule_tree():
    validator = CelValidator.from_schema({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}, "allOf": [{"description": "d"}]})
    assert validator.rules() == [] and validator.validate({"a": ["x"]}) == ([], [])


def test_violations_point_at_the_node_or_its_field_path_with_their_message_and_reason():
    obj = {"spec": {"replicas": 13, "max": 200, "ports": [1, 0], "labels": {"a/b": "long", "c": "x"}, "quiet": {"a": "x"}, "extra": 1}}
    violations, skips = CelValidator.from_schema(SCHEMA).validate(obj)
    assert skips == []
    assert violations == [
        CelViolation("/spec", "self.max < 100", "failed rule: self.max < 100"),  # an empty messageExpression is none
        CelViolation("/spec", "self.replicas != 13", "unlucky"),
        CelViolation("/spec/ports/1", "self > 0", "positive"),
        CelViolation("/spec/labels/a~1b", "self.size() < 4", "short"),
    ]
    violations, _ = CelValidator.from_schema(SCHEMA).validate({"spec": {"replicas": 12, "max": 10}})
    assert violations == [CelViolation("/spec/replicas", "self.replicas <= self.max", "replicas 12 over 10", "FieldValueInvalid")]


def test_null_values_and_missing_objects():
    validator = CelValidator.from_schema(SCHEMA)
    assert validator.validate({"spec": None}) == ([], [])
    assert validator.validate({}) == ([CelViolation("", "has(self.spec)", "spec is required")], [])


def test_validation_rules_only_where_the_schema_has_the_node():
    # The rule tree follows `validation` (here the schema itself) only where the node schema has the same node.
    from compiler.validate.cel import _build

    validation = {"items": {"x-kubernetes-validations": [{"rule": "true"}]}, "additionalProperties": {"x-kubernetes-validations": [{"rule": "true"}]}, "properties": {"a": {"x-kubernetes-validations": [{"rule": "true"}]}}}
    assert _build(validation, {"type": "object"}, "", True) is None
    assert _build(validation, {"items": True, "additionalProperties": False, "properties": {"a": True}}, "", True) is None


import pytest  # noqa: E402

from compiler.validate.cel import CelSkip, parse_field_path  # noqa: E402


@pytest.mark.parametrize(("path", "segments"), [
    (".a.b", ("a", "b")),
    (".a['x.y']", ("a", "x.y")),
    (".a['it\\'s']", ("a", "it's")),
    (".a['b\\\\c']", ("a", "b\\c")),
    ("['a'].b", ("a", "b")),
    (".a['']", ("a", "")),
    (".ab", ("ab",)),
    (".aXb", ("aXb",)),
    (".a['x", ()),  # no closing quote
    ("", ()),
    (".", ()), ("..a", ()), (".a.", ()), (".a[0]", ()), ("a", ()), (".a['x'", ()), (".a['x']b", ()), (".a[", ()), (".a]", ()),
])
def test_field_paths(path, segments):
    assert parse_field_path(path) == segments


def one_rule(rule, **fields) -> CelValidator:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}, "s": {"type": "string"}}, "x-kubernetes-validations": [{"rule": rule, **fields}]}
    return CelValidator.from_schema(schema)


def test_a_rule_that_is_not_bool_or_not_text_is_skipped():
    assert one_rule("self.a + 1").validate({"a": 1}) == ([], [CelSkip("", "self.a + 1", "rule evaluated to IntType, not bool")])
    validator = one_rule(5)
    assert validator.rules() == [RuleInfo("/", "", "parse error: ^", False)]
    assert validator.validate({"a": 1}) == ([], [CelSkip("", "", "parse error: ^")])


def test_a_runtime_error_rejects_the_object_naming_the_message_or_else_the_rule():
    assert one_rule("self.a / 0 == 1", message=" boom ").validate({"a": 1})[0] == [CelViolation("", "self.a / 0 == 1", "modulus or divide by zero evaluating rule: boom")]
    assert one_rule("self.a / 0 == 1").validate({"a": 1})[0] == [CelViolation("", "self.a / 0 == 1", "modulus or divide by zero evaluating rule: self.a / 0 == 1")]


@pytest.mark.parametrize(("expression", "message"), [
    ("self.a", "fallback"),  # not a string
    ("'two\\nlines'", "fallback"),
    ("'   '", "fallback"),
    ("'" + "x" * 5121 + "'", "fallback"),  # over celconfig's 5 KiB
    ("'" + "x" * 5120 + "'", "x" * 5120),
    ("' a is ' + string(self.a) + ' '", "a is 1"),
])
def test_message_expressions_fall_back_to_the_message(expression, message):
    assert one_rule("self.a == 2", messageExpression=expression, message="fallback").validate({"a": 1})[0] == [CelViolation("", "self.a == 2", message)]


def test_keys_are_escaped_in_pointers():
    validator = CelValidator.from_schema({"type": "object", "additionalProperties": {"type": "string", "x-kubernetes-validations": [{"rule": "self != 'x'"}]}})
    assert validator.validate({"a~b/c": "x", "d": "y"})[0] == [CelViolation("/a~0b~1c", "self != 'x'", "failed rule: self != 'x'")]


def test_a_list_where_the_schema_has_no_items_rules():
    validator = CelValidator.from_schema({"type": "object", "properties": {"l": {"type": "array", "items": {"type": "string"}, "x-kubernetes-validations": [{"rule": "self.size() < 2"}]}}})
    assert validator.validate({"l": ["a", "b"]})[0] == [CelViolation("/l", "self.size() < 2", "failed rule: self.size() < 2")]


def test_an_embedded_resource_shows_its_kind_to_its_rules():
    template = {"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-validations": [{"rule": "self.kind == 'Pod'"}], "properties": {"spec": {"type": "object"}}}
    validator = CelValidator.from_schema({"type": "object", "properties": {"t": template}})
    assert validator.validate({"t": {"apiVersion": "v1", "kind": "Job", "spec": {}}})[0] == [CelViolation("/t", "self.kind == 'Pod'", "failed rule: self.kind == 'Pod'")]


def test_a_call_no_overload_matches_says_so():
    validator = CelValidator.from_schema({"type": "object", "properties": {"s": {"type": "string"}}, "x-kubernetes-validations": [{"rule": "self.s.charAt('x') == 'a'", "message": "m"}]})
    assert validator.validate({"s": "abc"})[0] == [CelViolation(
        "", "self.s.charAt('x') == 'a'",
        "'no such overload: charAt(StringType, StringType)': call arguments did not match a supported operator, function or macro signature for rule: m",
    )]


def test_a_message_expression_that_is_not_text_is_none_and_a_deep_field_path_is_joined():
    validator = one_rule("self.a == 2", messageExpression=5, fieldPath=".x.y")
    assert validator.validate({"a": 1})[0] == [CelViolation("/x/y", "self.a == 2", "failed rule: self.a == 2")]


def test_a_value_too_deep_to_convert_skips_every_rule_of_its_node(monkeypatch: pytest.MonkeyPatch):
    import compiler.validate.cel as cel

    def too_deep(*_args):
        raise RecursionError  # what converting schema-less data nested without end raises

    monkeypatch.setattr(cel, "to_cel", too_deep)
    validator = CelValidator.from_schema({"type": "object", "x-kubernetes-preserve-unknown-fields": True, "x-kubernetes-validations": [{"rule": "true"}, {"rule": "false"}]})
    reason = "value nests too deeply to convert to CEL"
    assert validator.validate({"a": {}}) == ([], [CelSkip("", "true", reason), CelSkip("", "false", reason)])
