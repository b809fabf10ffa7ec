"""The diff's results, as plain data. Reporters format them; the CLI picks the exit code from `changed`.

Values inside results are already safe to show: Secret `data`/`stringData` values are replaced
by redaction markers before a result is built (see `redact.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from .model import Identity, Resource

FieldOp = Literal["add", "remove", "replace", "reorder"]
ResourceStatus = Literal["added", "removed", "changed", "renamed"]


@dataclass(frozen=True)
class FieldChange:
    """One changed field.

    `pointer` is an RFC 6901 JSON pointer into the new document (into the old one for `remove`);
    `path` is the same place for people, with named list items shown by name: `containers[main].image`.
    `old`/`new` are None when the field is absent on that side. `reorder` means a list whose
    order matters (Istio routes are tried in order) kept its items but changed their order;
    old and new are then the item names in order.
    """

    op: FieldOp
    pointer: str
    path: str
    old: Any = None
    new: Any = None
    cause: str = ""  # the spec `file:line` that set the new value ('' when not known: a folder diff)
    cause_kind: str = ""  # service, overlay, defaults, environment, patch (emit/provenance.py)

    def to_dict(self) -> dict:
        data = {"op": self.op, "pointer": self.pointer, "path": self.path, "old": self.old, "new": self.new}
        if self.cause:
            data["cause"] = {"at": self.cause, "kind": self.cause_kind}
        return data


@dataclass(frozen=True)
class ResourceChange:
    """One resource that differs between the two sides. `old` is None when added, `new` when removed.

    Both sides hold redacted, pruned bodies; `line_diff.line_diff` turns them into YAML lines
    only for the resources a reporter shows (dumping YAML is the slowest step of a diff).
    """

    status: ResourceStatus
    old: Resource | None
    new: Resource | None
    fields: tuple[FieldChange, ...] = ()
    similarity: float | None = None  # renames only: how alike the two bodies are, 0..1
    cause: str = ""  # the spec `file:line` the object as a whole comes from ('' when not known)
    cause_kind: str = ""

    @property
    def causes(self) -> tuple[str, ...]:
        """The distinct spec places behind this change, fields first, in field order."""
        found = [field.cause for field in self.fields if field.cause] or ([self.cause] if self.cause else [])
        return tuple(dict.fromkeys(found))

    @property
    def identity(self) -> Identity:
        resource = self.new or self.old
        assert resource is not None
        return resource.identity

    @property
    def service(self) -> str:
        resource = self.new or self.old
        assert resource is not None
        return resource.service

    @property
    def display(self) -> str:
        if self.status == "renamed" and self.old and self.new:
            return f"{self.old.identity.display} → {self.new.identity.display}"
        return self.identity.display

    @property
    def path(self) -> str:
        resource = self.new or self.old
        assert resource is not None
        return resource.path

    def to_dict(self) -> dict:
        data: dict[str, Any] = {
            "status": self.status,
            "identity": self.identity.key(),
            "kind": self.identity.kind,
            "namespace": self.identity.namespace,
            "name": self.identity.name,
            "service": self.service,
            "path": self.path,
            "fields": [change.to_dict() for change in self.fields],
        }
        if self.cause:
            data["cause"] = {"at": self.cause, "kind": self.cause_kind}
        if self.status == "renamed" and self.old:
            data["oldIdentity"] = self.old.identity.key()
            data["oldPath"] = self.old.path
            data["similarity"] = round(self.similarity or 0.0, 3)
        return data


@dataclass(frozen=True)
class SummaryItem:
    """One change in reviewers' words, e.g. topic "traffic", text "sklearn-iris: canary weight 10% → 25%"."""

    environment: str
    service: str
    topic: str
    text: str
    old: Any = None
    new: Any = None
    resource: str = ""  # the resource the item was read from, as `Kind namespace/name`
    causes: tuple[str, ...] = ()  # the spec `file:line`s behind the resource's change

    def to_dict(self) -> dict:
        return {
            "environment": self.environment,
            "service": self.service,
            "topic": self.topic,
            "text": self.text,
            "old": self.old,
            "new": self.new,
            "resource": self.resource,
            "causes": list(self.causes),
        }


@dataclass(frozen=True)
class ChangeGroup:
    """The same change to objects of one kind in several services, told once.

    Members are changes whose every field changed alike (path, old and new value, and the spec
    place that caused it): typically an environment default or a shared overlay. `members`
    are the grouped resources' displays, in service order."""

    kind: str
    fields: tuple[FieldChange, ...]
    services: tuple[str, ...]
    members: tuple[str, ...]

    @property
    def causes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(field.cause for field in self.fields if field.cause))

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "fields": [field.to_dict() for field in self.fields],
            "services": list(self.services),
            "resources": list(self.members),
            "count": len(self.members),
        }


@dataclass(frozen=True)
class BudgetChange:
    """One GPU class's demand at most replicas (plan/budget.py) before → after.

    A demand is a GPU count, "unbounded" (a service without a replica ceiling), or None when the
    class is not defined on that side."""

    gpu_class: str
    old: int | str | None
    new: int | str | None
    quota: int | None = None

    @property
    def grows(self) -> bool:
        if self.new == "unbounded":
            return self.old != "unbounded"
        if isinstance(self.new, int):
            return self.old is None and self.new > 0 or isinstance(self.old, int) and self.new > self.old
        return False

    def to_dict(self) -> dict:
        return {"gpuClass": self.gpu_class, "old": self.old, "new": self.new, "quota": self.quota, "grows": self.grows}


@dataclass(frozen=True)
class EnvironmentDiff:
    """Everything that differs in one environment (or, for drift, between two environments)."""

    name: str
    changes: tuple[ResourceChange, ...] = ()
    summary: tuple[SummaryItem, ...] = ()
    groups: tuple[ChangeGroup, ...] = ()
    gpu_budget: tuple[BudgetChange, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.changes or self.summary or self.gpu_budget)

    def grouped(self) -> frozenset[str]:
        """The displays of the resources a group tells: reporters do not repeat them one by one."""
        return frozenset(member for group in self.groups for member in group.members)

    def counts(self) -> dict[str, int]:
        counts = {"added": 0, "removed": 0, "changed": 0, "renamed": 0}
        for change in self.changes:
            counts[change.status] += 1
        return counts

    def to_dict(self) -> dict:
        return {
            "environment": self.name,
            "counts": self.counts(),
            "summary": [item.to_dict() for item in self.summary],
            "groups": [group.to_dict() for group in self.groups],
            "gpuBudget": [line.to_dict() for line in self.gpu_budget],
            "resources": [change.to_dict() for change in self.changes],
        }


# 3: environments gained `groups` and `gpuBudget`, fields and resources a `cause`.
JSON_SCHEMA_VERSION = 3


@dataclass(frozen=True)
class DiffResult:
    """The whole diff. `base`/`head` label the two sides (a ref, a folder, or an environment for drift)."""

    base: str
    head: str
    environments: tuple[EnvironmentDiff, ...] = ()
    kind: Literal["revisions", "environments"] = "revisions"
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return any(environment.changed for environment in self.environments)

    def to_dict(self) -> dict:
        side = "environment" if self.kind == "environments" else "revision"
        return {
            # 2: base and head became objects ({"label", "side"}); a consumer checks this first.
            "schemaVersion": JSON_SCHEMA_VERSION,
            "kind": self.kind,
            "base": {"label": self.base, "side": side},
            "head": {"label": self.head, "side": side},
            "changed": self.changed,
            "notes": list(self.notes),
            "environments": [environment.to_dict() for environment in self.environments],
        }
