"""Reporters: text, JSON, JUnit, and the summary line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from compiler.validate import Issue, ResourceResult, SkippedRule, ValidationReport
from compiler.validate.report import REPORTERS, format_issue, summary_line, to_json, to_junit, to_text

ISSUE = Issue("rendered/prod/isvc.yaml", 0, 12, "serving.kserve.io/v1beta1", "InferenceService", "ml", "iris", "/spec/predictor/sklearn/storageUrl", 'unknown field "storageUrl"; did you mean "storageUri"?', "additionalProperties")
YAML_ISSUE = Issue("rendered/prod/bad.yaml", 1, 3, "", "", "", "", "/a", 'duplicate key "a" (first at line 2)', "yaml")
REPORT = ValidationReport.build(
    [ISSUE, YAML_ISSUE],
    [SkippedRule("rendered/prod/dr.yaml", 0, "networking.istio.io/v1", "DestinationRule", "ml", "dr", "/spec", "self.x.matches('a')", "unsupported function")],
    [("example.com/v1", "Gadget")],
    [
        ResourceResult("rendered/prod/isvc.yaml", 0, "serving.kserve.io/v1beta1", "InferenceService", "ml", "iris", "invalid"),
        ResourceResult("rendered/prod/bad.yaml", 1, "", "", "", "", "error"),
        ResourceResult("rendered/prod/cm.yaml", 0, "v1", "ConfigMap", "", "settings", "valid"),
        ResourceResult("rendered/prod/g.yaml", 0, "example.com/v1", "Gadget", "ml", "g", "skipped"),
        ResourceResult("rendered/prod/dr.yaml", 0, "networking.istio.io/v1", "DestinationRule", "ml", "dr", "valid"),
    ],
)


def test_text_lines_name_file_line_object_pointer():
    assert format_issue(ISSUE) == 'rendered/prod/isvc.yaml:12: InferenceService ml/iris: /spec/predictor/sklearn/storageUrl: unknown field "storageUrl"; did you mean "storageUri"?'
    assert format_issue(YAML_ISSUE) == 'rendered/prod/bad.yaml:3: /a: duplicate key "a" (first at line 2)'
    text = to_text(REPORT, summary=True).splitlines()
    assert text[0].startswith("rendered/prod/bad.yaml:3:")  # sorted by file
    assert "note: Gadget (example.com/v1) has no schema: not validated" in text
    assert text[-1] == summary_line(REPORT)


def test_summary_line_counts():
    assert summary_line(REPORT) == (
        "Summary: 5 resources found in 5 files - Valid: 2, Invalid: 1, Errors: 1, Skipped: 1, Missing schemas: 1, Issues: 2, CEL rules not evaluated: 1"
    )


def test_json_has_stable_keys_and_the_namespace():
    data = json.loads(to_json(REPORT))
    assert data["ok"] is False
    assert data["issues"][1] == {
        "apiVersion": "serving.kserve.io/v1beta1",
        "column": None,
        "document": 0,
        "file": "rendered/prod/isvc.yaml",
        "keyword": "additionalProperties",
        "kind": "InferenceService",
        "line": 12,
        "message": 'unknown field "storageUrl"; did you mean "storageUri"?',
        "name": "iris",
        "namespace": "ml",
        "pointer": "/spec/predictor/sklearn/storageUrl",
        "severity": "error",
    }
    assert data["missingSchemas"] == [{"apiVersion": "example.com/v1", "kind": "Gadget"}]
    assert data["skipped"][0]["reason"] == "unsupported function"
    assert data["summary"]["invalid"] == 1 and "resources" not in data
    assert len(json.loads(to_json(REPORT, verbose=True))["resources"]) == 5
    assert to_json(REPORT) == to_json(REPORT)


def test_junit_has_a_case_per_resource():
    root = ET.fromstring(to_junit(REPORT))
    assert root.get("tests") == "5" and root.get("failures") == "1" and root.get("errors") == "1"
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert cases["InferenceService ml/iris"].find("failure").get("type") == "additionalProperties"
    assert cases["document 1"].find("error") is not None
    assert cases["Gadget ml/g"].find("skipped") is not None
    assert list(cases["ConfigMap settings"]) == []


def test_ok_and_reporter_registry():
    assert ValidationReport().ok
    assert set(REPORTERS) == {"text", "json", "junit"}
