"""Diagnostics as code-review annotations: SARIF 2.1.0 (GitHub code scanning, GitLab, IDEs) and
GitHub Actions workflow commands (`::error file=…,line=…,col=…,title=ID::message`).

Every diagnostic already has file:line:col; these reporters only change the spelling. Validation
issues of `inferplane validate` become diagnostics first (`issue_diagnostics`), so both commands
share one reporter per format.
"""

from __future__ import annotations

import json
from typing import Iterable
from urllib.parse import quote

from .. import __version__
from ..errors import Diagnostic, Location
from ..validate import ValidationReport
from ..validate.report import format_issue

# SARIF 2.1.0, OASIS standard: https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html
SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/acme/inferplane"
# result.level (SARIF §3.27.10) and the workflow command (GitHub: "Workflow commands for GitHub
# Actions", ::error / ::warning / ::notice) of each severity.
SARIF_LEVELS = {"error": "error", "warning": "warning"}
GITHUB_COMMANDS = {"error": "error", "warning": "warning"}
# The validator's issue keywords that have their own diagnostic ID; every other keyword is a schema mismatch.
ISSUE_IDS = {"x-kubernetes-validations": "VAL-CEL", "missing-schema": "VAL-NO-SCHEMA", "yaml": "YAML-SYNTAX"}


def issue_diagnostics(report: ValidationReport) -> list[Diagnostic]:
    """Each validation issue as a located diagnostic (message: `Kind ns/name: /pointer: message`)."""
    found = []
    for issue in report.issues:
        where = format_issue(issue)
        message = where.split(": ", 1)[1] if ": " in where else issue.message
        location = Location(issue.file, issue.line or 0, issue.column or 0)
        found.append(Diagnostic(ISSUE_IDS.get(issue.keyword, "VAL-SCHEMA"), message, "", location, "error" if issue.severity == "error" else "warning"))
    return found


def _message(diag: Diagnostic) -> str:
    text = diag.message + (f" — {diag.hint}" if diag.hint else "")
    return text + (f" [environment {diag.environment}]" if diag.environment and "," not in diag.environment else "")


def _sarif_location(location: Location) -> dict:
    # artifactLocation.uri is a URI reference (SARIF §3.4.3): a path with spaces or `<stdin>` is percent-encoded.
    physical: dict = {"artifactLocation": {"uri": quote(location.path)}}
    if location.line:
        physical["region"] = {"startLine": location.line} | ({"startColumn": location.column} if location.column else {})
    return {"physicalLocation": physical}


def to_sarif(diagnostics: Iterable[Diagnostic]) -> str:
    """One SARIF run: the tool, the rules that fired (with their one-line summary), one result per diagnostic."""
    from .explain import summaries  # the rules' summaries: SARIF only (the rules' import is 0.3 s of `validate`)

    diagnostics = list(diagnostics)
    known = summaries()
    rule_ids = sorted({d.rule for d in diagnostics})
    rules = [{"id": rule_id} | ({"shortDescription": {"text": known[rule_id]}} if rule_id in known else {}) for rule_id in rule_ids]
    results = []
    for diag in diagnostics:
        result: dict = {"ruleId": diag.rule, "ruleIndex": rule_ids.index(diag.rule), "level": SARIF_LEVELS[diag.severity], "message": {"text": _message(diag)}}
        if diag.location and diag.location.path:
            result["locations"] = [_sarif_location(diag.location)]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": {"name": "inferplane", "version": __version__, "informationUri": INFORMATION_URI, "rules": rules}}, "results": results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    # The escapes the runner decodes (actions/toolkit, packages/core/src/command.ts escapeData).
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # escapeProperty: data's escapes plus the property separators ':' and ','.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(diagnostics: Iterable[Diagnostic]) -> str:
    """One workflow command per diagnostic: GitHub shows each on the file's line in the pull request."""
    lines = []
    for diag in diagnostics:
        properties = []
        if diag.location and diag.location.path:
            properties.append(f"file={_escape_property(diag.location.path)}")
            if diag.location.line:
                properties.append(f"line={diag.location.line}")
            if diag.location.column:
                properties.append(f"col={diag.location.column}")
        properties.append(f"title={_escape_property(diag.rule)}")
        lines.append(f"::{GITHUB_COMMANDS[diag.severity]} {','.join(properties)}::{_escape_data(_message(diag))}")
    return "\n".join(lines)


# Formats whose whole output is the diagnostics, on stdout, for a machine (code scanning, the
# Actions runner): the text lines are not printed beside them.
FORMATS = ("sarif", "github")


def annotations(output: str, diagnostics) -> str:
    """The diagnostics in one of FORMATS."""
    return {"sarif": to_sarif, "github": to_github}[output](diagnostics)
