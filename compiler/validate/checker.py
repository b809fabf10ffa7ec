"""Checking one object: schema, list-type uniqueness, then CEL rules where the CRD has them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import apiserver
from .messages import Finding, describe
from .registry import SchemaRegistry
from .model import Status


@dataclass
class Identity:
    api_version: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""

    @classmethod
    def of(cls, body: Any) -> "Identity":
        if not isinstance(body, dict):
            return cls()
        meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        text = lambda value: value if isinstance(value, str) else ""  # noqa: E731
        return cls(text(body.get("apiVersion")), text(body.get("kind")), text(meta.get("namespace")), text(meta.get("name")))


@dataclass
class Outcome:
    identity: Identity
    status: Status
    findings: list[Finding] = field(default_factory=list)
    skipped_rules: list[tuple[str, str, str]] = field(default_factory=list)  # (pointer, rule, reason)
    missing: tuple[str, str] | None = None


def check_object(body: Any, registry: SchemaRegistry, *, ignore_missing_schemas: bool = False, cel: bool = True) -> Outcome:
    identity = Identity.of(body)
    if not isinstance(body, dict):
        kind = "array" if isinstance(body, list) else type(body).__name__
        return Outcome(identity, "error", [Finding("", "type", f"a Kubernetes object must be a mapping, got {kind}")])
    header = [Finding(f"/{key}", "required", f'missing required field "{key}"') for key in ("apiVersion", "kind") if not isinstance(body.get(key), str) or not body.get(key)]
    if header:
        return Outcome(identity, "error", header)
    kind_schema = registry.lookup(identity.api_version, identity.kind)
    missing = (identity.api_version, identity.kind)
    if kind_schema is None:
        if ignore_missing_schemas:
            return Outcome(identity, "skipped", missing=missing)
        return Outcome(identity, "error", [Finding("", "missing-schema", registry.missing_reason(*missing))], missing=missing)
    findings: list[Finding] = []
    try:
        valid = kind_schema.compiled.is_valid(body)
    except ValueError as error:  # e.g. a date or a set in an object built in memory: not JSON
        return Outcome(identity, "error", [Finding("", "type", f"not JSON data: {error}")])
    if not valid:
        findings.extend(describe(kind_schema.compiled.violations(body)))
    findings.extend(kind_schema.list_types.check(body))
    findings.extend(apiserver.check(body))  # what the server checks in Go beyond the published schema
    skipped: list[tuple[str, str, str]] = []
    if cel and kind_schema.cel_schema is not None:
        _check_cel(kind_schema, body, findings, skipped)
    return Outcome(identity, "invalid" if findings else "valid", findings, skipped)


def _check_cel(kind_schema, body: dict, findings: list[Finding], skipped: list[tuple[str, str, str]]) -> None:
    validator, why_not = kind_schema.cel_validator()
    if validator is None:
        skipped.append(("", "*", why_not or "CEL rules not evaluated"))
        return
    try:
        violations, skips = validator.validate(body)
    except Exception as error:  # noqa: BLE001 - a CEL engine failure must not hide the schema results
        skipped.append(("", "*", f"CEL evaluation failed: {error}"))
        return
    for violation in violations:
        message = violation.message or f"failed rule: {violation.rule}"
        findings.append(Finding(violation.pointer, "x-kubernetes-validations", message))
    for skip in skips:
        skipped.append((skip.pointer, skip.rule, skip.reason))
