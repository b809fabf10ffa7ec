"""The CEL hook: CRD kinds with x-kubernetes-validations go through compiler.validate.cel.

The CEL evaluator is another module; these tests put a stand-in in its place to check only how
its results become issues and skipped rules, and that its absence is reported, not hidden.
"""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler.validate import SchemaRegistry, ValidationInput, validate_objects

CRD = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: pools.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Pool, plural: pools}
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
              x-kubernetes-validations:
                - rule: self.min <= self.max
                  message: min must not exceed max
              properties:
                min: {type: integer}
                max: {type: integer}
"""
POOL = {"apiVersion": "example.com/v1", "kind": "Pool", "metadata": {"name": "p", "namespace": "ns"}, "spec": {"min": 3, "max": 1}}


@dataclass(frozen=True)
class FakeViolation:
    pointer: str
    rule: str
    message: str
    reason: str | None = None


@dataclass(frozen=True)
class FakeSkip:
    pointer: str
    rule: str
    reason: str


class FakeCelValidator:
    schemas: list = []

    @classmethod
    def from_schema(cls, schema):
        cls.schemas.append(schema)
        return cls()

    def validate(self, obj):
        spec = obj["spec"]
        violations = [FakeViolation("/spec", "self.min <= self.max", "min must not exceed max")] if spec["min"] > spec["max"] else []
        return violations, [FakeSkip("/spec/min", "isURL(self)", "unsupported function isURL")]


@pytest.fixture
def crd_folder(tmp_path: Path) -> Path:
    (tmp_path / "pool.yaml").write_text(CRD, encoding="utf-8")
    return tmp_path


def install(monkeypatch, validator_class) -> None:
    module = types.ModuleType("compiler.validate.cel")
    module.CelValidator = validator_class
    monkeypatch.setitem(sys.modules, "compiler.validate.cel", module)


def test_violations_become_issues_and_skips_are_reported(monkeypatch, crd_folder):
    install(monkeypatch, FakeCelValidator)
    report = validate_objects([ValidationInput(POOL, "pool.yaml", 0, {"/spec": 7})], SchemaRegistry("1.33", crd_paths=[crd_folder]))
    [issue] = report.issues
    assert (issue.pointer, issue.keyword, issue.message, issue.line) == ("/spec", "x-kubernetes-validations", "min must not exceed max", 7)
    [skip] = report.skipped
    assert (skip.pointer, skip.rule, skip.reason, skip.kind, skip.name) == ("/spec/min", "isURL(self)", "unsupported function isURL", "Pool", "p")
    # It received the CRD's own openAPIV3Schema, rules included.
    assert FakeCelValidator.schemas[-1]["properties"]["spec"]["x-kubernetes-validations"][0]["rule"] == "self.min <= self.max"


def test_cel_can_be_turned_off(monkeypatch, crd_folder):
    install(monkeypatch, FakeCelValidator)
    report = validate_objects([ValidationInput(POOL, "pool.yaml")], SchemaRegistry("1.33", crd_paths=[crd_folder]), cel=False)
    assert report.issues == [] and report.skipped == []


def test_missing_cel_module_is_a_skip_not_a_pass(monkeypatch, crd_folder):
    monkeypatch.setitem(sys.modules, "compiler.validate.cel", None)  # import fails
    report = validate_objects([ValidationInput(POOL, "pool.yaml")], SchemaRegistry("1.33", crd_paths=[crd_folder]))
    assert report.ok
    [skip] = report.skipped
    assert skip.rule == "*" and "not installed" in skip.reason


def test_a_failing_evaluator_does_not_hide_schema_issues(monkeypatch, crd_folder):
    class Broken(FakeCelValidator):
        def validate(self, obj):
            raise RuntimeError("boom")

    install(monkeypatch, Broken)
    body = {**POOL, "spec": {"min": "x", "max": 1}}
    report = validate_objects([ValidationInput(body, "pool.yaml")], SchemaRegistry("1.33", crd_paths=[crd_folder]))
    assert [i.pointer for i in report.issues] == ["/spec/min"]
    assert report.skipped[0].reason == "CEL evaluation failed: boom"


def test_kinds_without_rules_never_call_cel(monkeypatch, crd_folder):
    install(monkeypatch, FakeCelValidator)
    configmap = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    report = validate_objects([ValidationInput(configmap, "c.yaml")], SchemaRegistry("1.33", crd_paths=[crd_folder]))
    assert report.issues == [] and report.skipped == []
