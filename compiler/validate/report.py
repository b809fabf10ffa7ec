"""Reporters: a ValidationReport as text, JSON or JUnit XML, plus a one-line summary.

Text lines read `file:line: Kind namespace/name: /pointer: message`, like a compiler's, so editors
and CI annotate them. JSON has fixed keys (sorted) and includes the namespace; JUnit has one test case
per resource, grouped by file, for CI dashboards.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Callable

from .model import Issue, ResourceResult, ValidationReport


def _who(kind: str, namespace: str, name: str) -> str:
    if not kind:
        return ""
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}".rstrip()


def format_issue(issue: Issue) -> str:
    where = f"{issue.file}:{issue.line}" if issue.line else issue.file
    parts = [where]
    who = _who(issue.kind, issue.namespace, issue.name)
    if who:
        parts.append(who)
    if issue.pointer:
        parts.append(issue.pointer)
    parts.append(issue.message)
    return ": ".join(parts)


def summary_line(report: ValidationReport) -> str:
    counts = report.counts
    files = len({resource.file for resource in report.resources})
    noun = "resource" if counts["resources"] == 1 else "resources"
    text = (
        f"Summary: {counts['resources']} {noun} found in {files} file{'s' if files != 1 else ''} - "
        f"Valid: {counts['valid']}, Invalid: {counts['invalid']}, Errors: {counts['errors']}, "
        f"Skipped: {counts['skipped']}, Missing schemas: {counts['missingSchemas']}, Issues: {counts['issues']}"
    )
    if counts["celRulesSkipped"]:
        text += f", CEL rules not evaluated: {counts['celRulesSkipped']}"
    return text


def to_text(report: ValidationReport, summary: bool = False) -> str:
    lines = [format_issue(issue) for issue in report.issues]
    reported = {(issue.api_version, issue.kind) for issue in report.issues if issue.keyword == "missing-schema"}
    for api_version, kind in report.missing_schemas:
        if (api_version, kind) not in reported:
            lines.append(f"note: {kind} ({api_version}) has no schema: not validated")
    if summary:
        lines.append(summary_line(report))
    return "\n".join(lines) + ("\n" if lines else "")


def _issue_dict(issue: Issue) -> dict:
    return {
        "file": issue.file,
        "document": issue.document,
        "line": issue.line,
        "column": issue.column,
        "apiVersion": issue.api_version,
        "kind": issue.kind,
        "namespace": issue.namespace,
        "name": issue.name,
        "pointer": issue.pointer,
        "keyword": issue.keyword,
        "severity": issue.severity,
        "message": issue.message,
    }


def _resource_dict(resource: ResourceResult) -> dict:
    return {
        "file": resource.file,
        "document": resource.document,
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "namespace": resource.namespace,
        "name": resource.name,
        "status": resource.status,
    }


def to_json(report: ValidationReport, summary: bool = True, verbose: bool = False) -> str:
    """Issues, skipped CEL rules and missing schemas; every resource's verdict only when verbose."""
    data: dict = {
        "ok": report.ok,
        "issues": [_issue_dict(issue) for issue in report.issues],
        "skipped": [
            {"file": s.file, "document": s.document, "apiVersion": s.api_version, "kind": s.kind, "namespace": s.namespace, "name": s.name, "pointer": s.pointer, "rule": s.rule, "reason": s.reason}
            for s in report.skipped
        ],
        "missingSchemas": [{"apiVersion": api_version, "kind": kind} for api_version, kind in report.missing_schemas],
    }
    if summary:
        data["summary"] = report.counts
    if verbose:
        data["resources"] = [_resource_dict(resource) for resource in report.resources]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_junit(report: ValidationReport, summary: bool = False) -> str:
    issues_by_resource: dict[tuple[str, int], list[Issue]] = defaultdict(list)
    for issue in report.issues:
        issues_by_resource[(issue.file, issue.document)].append(issue)
    by_file: dict[str, list[ResourceResult]] = defaultdict(list)
    for resource in report.resources:
        by_file[resource.file].append(resource)
    counts = report.counts
    root = ET.Element("testsuites", name="inferplane validate", tests=str(counts["resources"]), failures=str(counts["invalid"]), errors=str(counts["errors"]))
    for file in sorted(by_file):
        resources = by_file[file]
        suite = ET.SubElement(
            root,
            "testsuite",
            name=file,
            tests=str(len(resources)),
            failures=str(sum(r.status == "invalid" for r in resources)),
            errors=str(sum(r.status == "error" for r in resources)),
            skipped=str(sum(r.status == "skipped" for r in resources)),
        )
        for resource in resources:
            label = _who(resource.kind, resource.namespace, resource.name) or f"document {resource.document}"
            case = ET.SubElement(suite, "testcase", name=label, classname=f"{file}#{resource.document}")
            found = issues_by_resource.get((resource.file, resource.document), [])
            if resource.status == "skipped":
                ET.SubElement(case, "skipped", message=f"no schema for {resource.kind} ({resource.api_version})")
            elif found:
                tag = "error" if resource.status == "error" else "failure"
                text = "\n".join(f"{i.pointer or '/'}: {i.message}" for i in found)
                element = ET.SubElement(case, tag, message=found[0].message, type=found[0].keyword)
                element.text = text
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


REPORTERS: dict[str, Callable[..., str]] = {"text": to_text, "json": to_json, "junit": to_junit}
