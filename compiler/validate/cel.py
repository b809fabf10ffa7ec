"""Offline evaluation of CRD ``x-kubernetes-validations`` (CEL) rules.

Usage::

    validator = CelValidator.from_schema(openapi_v3_schema)  # compiles every rule once
    violations, skips = validator.validate(obj)

The walk mirrors the apiserver (apiextensions-apiserver/pkg/apiserver/schema/cel/
validation.go): a rule runs with ``self`` bound to the value at its schema node,
for every list item under ``items``, every value under ``additionalProperties``
and every declared property that is present once schema defaults are applied
(the apiserver defaults before it validates); absent or null values are not
validated; ``allOf`` branches add their rules to the same value.

A rule that cannot be evaluated faithfully (unsupported function or syntax,
budget exhausted, evaluator failure) is a :class:`CelSkip` with the reason,
never a pass. Transition rules (``oldSelf``) only run on update, so they are
skipped here unless ``optionalOldSelf`` is set, in which case they run as on
create with ``oldSelf`` = ``optional.none()``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from celpy.celtypes import BoolType

from .cel_functions import OPTIONAL_NONE
from .cel_program import (
    CompiledExpression,
    StepBudget,
    compile_expression,
    evaluate,
)
from .cel_values import apply_defaults, to_cel

TRANSITION_SKIP_REASON = "transition rule (oldSelf): only evaluated on update"

# Step budgets: a rule's AST node visits, and all visits of one validate() call. They
# play the role of the apiserver's PerCallLimit / RuntimeCELCostBudget (cost units differ).
DEFAULT_MAX_STEPS_PER_RULE = 100_000
DEFAULT_MAX_STEPS_PER_OBJECT = 1_000_000
_MAX_MESSAGE_BYTES = 5 * 1024  # celconfig.MaxEvaluatedMessageExpressionSizeBytes


@dataclass(frozen=True)
class CelViolation:
    pointer: str  # JSON pointer of the value the rule sits on, or of its fieldPath
    rule: str
    message: str
    reason: str | None = None  # the rule's reason (FieldValueInvalid, ...) when it sets one


@dataclass(frozen=True)
class CelSkip:
    pointer: str
    rule: str
    reason: str


@dataclass(frozen=True)
class RuleInfo:
    """A rule as compiled, for reporting: where it sits and whether it can run."""

    schema_path: str
    rule: str
    problem: str | None
    transition: bool


@dataclass(frozen=True)
class _Rule:
    rule: str
    compiled: CompiledExpression
    message: str
    message_expression: CompiledExpression | None
    field_path: tuple[str, ...]
    reason: str | None
    optional_old_self: bool

    @property
    def error_subject(self) -> str:
        # apiserver's ruleErrorString: the message when there is one, else the rule.
        return self.message.strip() or self.rule.strip()


@dataclass
class _Node:
    schema: Mapping[str, Any]  # the node's own schema, which decides CEL types
    schema_path: str
    resource_root: bool
    rules: tuple[_Rule, ...] = ()
    properties: dict[str, _Node] = field(default_factory=dict)
    items: _Node | None = None
    additional: _Node | None = None
    all_of: tuple[_Node, ...] = ()

    def is_empty(self) -> bool:
        return not (self.rules or self.properties or self.items or self.additional or self.all_of)


@dataclass
class _Findings:
    violations: list[CelViolation] = field(default_factory=list)
    skips: list[CelSkip] = field(default_factory=list)


class CelValidator:
    """Compiled CEL rules of one CRD version's ``openAPIV3Schema``."""

    def __init__(
        self,
        schema: Mapping[str, Any],
        root: _Node | None,
        max_steps_per_rule: int = DEFAULT_MAX_STEPS_PER_RULE,
        max_steps_per_object: int = DEFAULT_MAX_STEPS_PER_OBJECT,
    ) -> None:
        self._schema = schema
        self._root = root
        self._max_steps_per_rule = max_steps_per_rule
        self._max_steps_per_object = max_steps_per_object

    @classmethod
    def from_schema(cls, schema: Mapping[str, Any], **budgets: int) -> CelValidator:
        return cls(schema, _build(schema, schema, "", resource_root=True), **budgets)

    def rules(self) -> list[RuleInfo]:
        found: list[RuleInfo] = []
        _collect_rules(self._root, found)
        return found

    def validate(self, obj: Any) -> tuple[list[CelViolation], list[CelSkip]]:
        findings = _Findings()
        if self._root is not None:
            budget = StepBudget(self._max_steps_per_rule, self._max_steps_per_object)
            _visit(self._root, apply_defaults(obj, self._schema), "", budget, findings)
        return findings.violations, findings.skips


# --- building the rule tree ------------------------------------------------------

def _build(validation: Mapping[str, Any], node_schema: Mapping[str, Any], path: str,
           resource_root: bool) -> _Node | None:
    """Mirror of the schema holding only the branches that carry rules (None if none)."""
    node = _Node(schema=node_schema, schema_path=path or "/", resource_root=resource_root)
    raw_rules = validation.get("x-kubernetes-validations") or []
    node.rules = tuple(_compile_rule(raw) for raw in raw_rules if isinstance(raw, Mapping))
    items = validation.get("items")
    if isinstance(items, Mapping) and isinstance(node_schema.get("items"), Mapping):
        node.items = _build(items, node_schema["items"], f"{path}/items", _embedded(node_schema["items"]))
    additional = validation.get("additionalProperties")
    if isinstance(additional, Mapping) and isinstance(node_schema.get("additionalProperties"), Mapping):
        node_additional = node_schema["additionalProperties"]
        node.additional = _build(additional, node_additional, f"{path}/additionalProperties",
                                 _embedded(node_additional))
    node_properties = node_schema.get("properties") or {}
    for name, sub in (validation.get("properties") or {}).items():
        if isinstance(sub, Mapping) and isinstance(node_properties.get(name), Mapping):
            child = _build(sub, node_properties[name], f"{path}/properties/{name}",
                           _embedded(node_properties[name]))
            if child is not None:
                node.properties[name] = child
    branches = []
    for index, branch in enumerate(validation.get("allOf") or []):
        if isinstance(branch, Mapping):
            built = _build(branch, node_schema, f"{path}/allOf/{index}", resource_root)
            if built is not None:
                branches.append(built)
    node.all_of = tuple(branches)
    return None if node.is_empty() else node


def _embedded(schema: Mapping[str, Any]) -> bool:
    return bool(schema.get("x-kubernetes-embedded-resource"))


def _compile_rule(raw: Mapping[str, Any]) -> _Rule:
    rule = raw.get("rule") if isinstance(raw.get("rule"), str) else ""
    message_expression = raw.get("messageExpression")
    return _Rule(
        rule=rule,
        compiled=compile_expression(rule),
        message=str(raw.get("message") or ""),
        message_expression=(compile_expression(message_expression)
                            if isinstance(message_expression, str) and message_expression else None),
        field_path=parse_field_path(str(raw.get("fieldPath") or "")),
        reason=str(raw["reason"]) if raw.get("reason") else None,
        optional_old_self=bool(raw.get("optionalOldSelf")),
    )


def parse_field_path(path: str) -> tuple[str, ...]:
    """Segments of a rule's ``fieldPath`` (``.a.b`` or ``.a['x.y']``); () if unusable.

    Same grammar as the apiserver's ValidFieldPath: dotted names and single-quoted
    bracket keys, no numeric indexes. The apiserver rejects a CRD with a bad
    fieldPath, so falling back to the rule's own node loses nothing real.
    """
    segments: list[str] = []
    position = 0
    while position < len(path):
        if path[position] == ".":
            end = position + 1
            while end < len(path) and path[end] not in ".[]":
                end += 1
            if end == position + 1:
                return ()
            segments.append(path[position + 1 : end])
            position = end
        elif path.startswith("['", position):
            end = position + 2
            while end < len(path) and not (path[end] == "'" and path[end - 1] != "\\"):
                end += 1
            if not path.startswith("']", end):
                return ()
            segments.append(path[position + 2 : end].replace("\\'", "'").replace("\\\\", "\\"))
            position = end + 2
        else:
            return ()
    return tuple(segments)


def _collect_rules(node: _Node | None, found: list[RuleInfo]) -> None:
    if node is None:
        return
    for rule in node.rules:
        found.append(RuleInfo(node.schema_path, rule.rule, rule.compiled.problem,
                              rule.compiled.uses_old_self))
    for child in (*node.properties.values(), node.items, node.additional, *node.all_of):
        _collect_rules(child, found)


# --- walking an instance ---------------------------------------------------------

def _pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _visit(node: _Node, value: Any, pointer: str, budget: StepBudget, findings: _Findings) -> None:
    if value is None:
        return  # the apiserver only validates non-null values
    if node.rules:
        try:
            self_value = to_cel(value, node.schema, node.resource_root)
        except RecursionError:  # schema-less (preserve-unknown-fields) data nested without end
            findings.skips.extend(CelSkip(pointer, rule.rule, "value nests too deeply to convert to CEL")
                                  for rule in node.rules)
        else:
            for rule in node.rules:
                _check(rule, self_value, pointer, budget, findings)
    for branch in node.all_of:
        _visit(branch, value, pointer, budget, findings)
    if isinstance(value, list) and node.items is not None:
        for index, item in enumerate(value):
            _visit(node.items, item, f"{pointer}/{index}", budget, findings)
    if isinstance(value, dict):
        for name, item in value.items():
            child = node.properties.get(name) or node.additional
            if child is not None:
                _visit(child, item, f"{pointer}/{_pointer_token(str(name))}", budget, findings)


def _check(rule: _Rule, self_value: Any, pointer: str, budget: StepBudget, findings: _Findings) -> None:
    if rule.compiled.uses_old_self and not rule.optional_old_self:
        findings.skips.append(CelSkip(pointer, rule.rule, TRANSITION_SKIP_REASON))
        return
    bindings = {"self": self_value}
    if rule.compiled.uses_old_self:
        bindings["oldSelf"] = OPTIONAL_NONE  # optionalOldSelf on create: no old object
    result = evaluate(rule.compiled, bindings, budget)
    if result.status == "skip":
        findings.skips.append(CelSkip(pointer, rule.rule, result.detail))
    elif result.status == "error":
        # validation.go: runtime errors reject the object, at the rule's own node.
        findings.violations.append(CelViolation(pointer, rule.rule, _runtime_error_message(rule, result.detail)))
    elif not isinstance(result.value, BoolType):
        findings.skips.append(CelSkip(pointer, rule.rule,
                                      f"rule evaluated to {type(result.value).__name__}, not bool"))
    elif not result.value:
        target = pointer + "".join(f"/{_pointer_token(s)}" for s in rule.field_path)
        message = _failure_message(rule, {"self": self_value}, budget)
        findings.violations.append(CelViolation(target, rule.rule, message, rule.reason))


def _runtime_error_message(rule: _Rule, detail: str) -> str:
    if detail.startswith("no such overload"):
        return (f"'{detail}': call arguments did not match a supported operator, function or macro "
                f"signature for rule: {rule.error_subject}")
    return f"{detail} evaluating rule: {rule.error_subject}"


def _failure_message(rule: _Rule, bindings: dict[str, Any], budget: StepBudget) -> str:
    """messageExpression first (as upstream), then message, then 'failed rule: <rule>'."""
    if rule.message_expression is not None:
        result = evaluate(rule.message_expression, bindings, budget)
        if result.status == "value" and isinstance(result.value, str):
            text = result.value.strip()
            if text and "\n" not in text and len(text.encode()) <= _MAX_MESSAGE_BYTES:
                return text
    if rule.message.strip():
        return rule.message.strip()
    return f"failed rule: {rule.rule.strip()}"
