"""Results of validation as plain data: inputs, issues, per-resource verdicts and the report.

Nothing here formats text (that is `report.py`) or decides an exit code (that is the CLI's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

Status = Literal["valid", "invalid", "error", "skipped"]


@dataclass(frozen=True)
class ValidationInput:
    """One object to validate. `positions` maps JSON pointers to 1-based lines of `file`."""

    body: Any
    file: str
    document: int = 0
    positions: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Issue:
    file: str
    document: int
    line: int | None
    api_version: str
    kind: str
    namespace: str
    name: str
    pointer: str
    message: str
    keyword: str
    severity: str = "error"
    column: int | None = None

    def sort_key(self) -> tuple:
        return (self.file, self.document, self.line or 0, self.column or 0, self.pointer, self.keyword, self.message)


@dataclass(frozen=True)
class SkippedRule:
    """A CEL rule that was not evaluated, and why (unsupported function, cost, ...)."""

    file: str
    document: int
    api_version: str
    kind: str
    namespace: str
    name: str
    pointer: str
    rule: str
    reason: str

    def sort_key(self) -> tuple:
        return (self.file, self.document, self.pointer, self.rule, self.reason)


@dataclass(frozen=True)
class ResourceResult:
    """The verdict on one document: valid, invalid (schema issues), error (unreadable or no schema), skipped."""

    file: str
    document: int
    api_version: str
    kind: str
    namespace: str
    name: str
    status: Status

    def sort_key(self) -> tuple:
        return (self.file, self.document)


@dataclass(frozen=True)
class ValidationReport:
    """Plain lists (compare with `== []`), each in a stable order: see `build`."""

    issues: list[Issue] = field(default_factory=list)
    skipped: list[SkippedRule] = field(default_factory=list)
    missing_schemas: list[tuple[str, str]] = field(default_factory=list)
    resources: list[ResourceResult] = field(default_factory=list)

    @classmethod
    def build(cls, issues, skipped, missing, resources) -> "ValidationReport":
        """A report with every part in a stable order, whatever order the work was done in."""
        return cls(
            issues=sorted(set(issues), key=Issue.sort_key),
            skipped=sorted(set(skipped), key=SkippedRule.sort_key),
            missing_schemas=sorted(set(missing)),
            resources=sorted(resources, key=ResourceResult.sort_key),
        )

    @property
    def ok(self) -> bool:
        return not any(issue.severity == "error" for issue in self.issues)

    def _count(self, status: Status) -> int:
        return sum(1 for resource in self.resources if resource.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "resources": len(self.resources),
            "valid": self._count("valid"),
            "invalid": self._count("invalid"),
            "errors": self._count("error"),
            "skipped": self._count("skipped"),
            "missingSchemas": len(self.missing_schemas),
            "issues": len(self.issues),
            "celRulesSkipped": len(self.skipped),
        }

    def merged(self, other: "ValidationReport") -> "ValidationReport":
        return ValidationReport.build(
            [*self.issues, *other.issues],
            [*self.skipped, *other.skipped],
            [*self.missing_schemas, *other.missing_schemas],
            [*self.resources, *other.resources],
        )
