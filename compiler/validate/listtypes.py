"""`x-kubernetes-list-type: map | set` uniqueness, which JSON Schema cannot say.

The API server rejects a custom resource whose list-map has two items with the same keys or whose
set repeats a value; server-side apply (Flux always, Argo CD optionally) rejects the same in built-in
kinds (e.g. two containers with one name). The schema is compiled once into a "plan": the part of
the schema tree that leads to annotated lists, following `$ref` and `allOf`. Checking an object then
walks only the keys the plan names, so objects without such lists cost almost nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from .messages import Finding, show
from .pointer import split, to_pointer


@dataclass(eq=False)
class _Plan:
    properties: dict[str, "_Plan"] = field(default_factory=dict)
    additional: "_Plan | None" = None
    items: "_Plan | None" = None
    list_type: str | None = None
    map_keys: tuple[str, ...] = ()
    key_defaults: dict[str, Any] = field(default_factory=dict)
    # Every property the schema names, pruned or not: additionalProperties applies to the others only.
    named: set[str] = field(default_factory=set)

    def children(self) -> list["_Plan"]:
        found = list(self.properties.values())
        found += [plan for plan in (self.additional, self.items) if plan is not None]
        return found


class ListTypeChecker:
    def __init__(self, schema: dict, documents: dict[str, dict] | None = None):
        self._documents = dict(documents or {})
        self._root_document = schema
        self._memo: dict[int, _Plan] = {}
        root = self._build(schema, schema)
        self._root = root if self._prune(root) else None

    @property
    def needed(self) -> bool:
        return self._root is not None

    # ------------------------------------------------------------ building the plan

    def _resolve(self, node: dict, document: dict) -> tuple[dict, dict]:
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            uri, _, fragment = node["$ref"].partition("#")
            if uri:
                absolute = urljoin(document.get("$id", ""), uri)
                target_document = self._documents.get(absolute)
                if target_document is None:
                    return {}, document
                document = target_document
            target = document
            for token in split(fragment):
                target = target.get(token, {}) if isinstance(target, dict) else {}
            node, seen = target, seen + 1
        return (node if isinstance(node, dict) else {}), document

    def _build(self, node: Any, document: dict) -> _Plan:
        if not isinstance(node, dict):
            return _Plan()
        node, document = self._resolve(node, document)
        if id(node) in self._memo:
            return self._memo[id(node)]
        plan = _Plan()
        self._memo[id(node)] = plan  # before recursing: recursive schemas point back at this plan
        self._fill(plan, node, document)
        for part in node.get("allOf") or []:  # e.g. metadata wrapped as allOf [ObjectMeta, name rules]
            self._fill(plan, *self._resolve(part, document))
        return plan

    def _fill(self, plan: _Plan, node: dict, document: dict) -> None:
        list_type = node.get("x-kubernetes-list-type")
        if list_type in ("map", "set"):
            plan.list_type = list_type
            plan.map_keys = tuple(node.get("x-kubernetes-list-map-keys") or ())
            item_schema, _ = self._resolve(node.get("items") or {}, document)
            properties = item_schema.get("properties") or {}
            plan.key_defaults = {key: properties[key]["default"] for key in plan.map_keys if "default" in (properties.get(key) or {})}
        for name, child in (node.get("properties") or {}).items():
            plan.named.add(name)
            if name not in plan.properties:
                plan.properties[name] = self._build(child, document)
        if isinstance(node.get("additionalProperties"), dict) and plan.additional is None:
            plan.additional = self._build(node["additionalProperties"], document)
        if isinstance(node.get("items"), dict) and plan.items is None:
            plan.items = self._build(node["items"], document)

    def _prune(self, root: _Plan) -> bool:
        """Keep only branches that lead to a list-type; True when anything is left.

        Recursive schemas make the plan a graph, so relevance flows backwards from the annotated
        lists along reversed edges (one pass, linear in the size of the plan).
        """
        parents: dict[int, list[_Plan]] = {}
        plans: dict[int, _Plan] = {id(root): root}
        stack = [root]
        while stack:
            plan = stack.pop()
            for child in plan.children():
                parents.setdefault(id(child), []).append(plan)
                if id(child) not in plans:
                    plans[id(child)] = child
                    stack.append(child)
        relevant = {key for key, plan in plans.items() if plan.list_type}
        frontier = list(relevant)
        while frontier:
            for parent in parents.get(frontier.pop(), ()):
                if id(parent) not in relevant:
                    relevant.add(id(parent))
                    frontier.append(id(parent))
        for plan in plans.values():
            plan.properties = {name: child for name, child in plan.properties.items() if id(child) in relevant}
            if plan.additional is not None and id(plan.additional) not in relevant:
                plan.additional = None
            if plan.items is not None and id(plan.items) not in relevant:
                plan.items = None
        return id(root) in relevant

    # ------------------------------------------------------------ checking an object

    def check(self, instance: Any) -> list[Finding]:
        findings: list[Finding] = []
        if self._root is not None:
            self._walk(self._root, instance, (), findings)
        return findings

    def _walk(self, plan: _Plan, value: Any, path: tuple, findings: list[Finding]) -> None:
        if isinstance(value, dict):
            for name, child in plan.properties.items():
                if name in value:
                    self._walk(child, value[name], (*path, name), findings)
            if plan.additional is not None:
                for name, item in value.items():
                    if name not in plan.named:
                        self._walk(plan.additional, item, (*path, name), findings)
        elif isinstance(value, list):
            if plan.list_type == "map":
                findings.extend(_duplicate_keys(plan, value, path))
            elif plan.list_type == "set":
                findings.extend(_duplicate_values(value, path))
            if plan.items is not None:
                for index, item in enumerate(value):
                    self._walk(plan.items, item, (*path, index), findings)


def _identity(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _duplicate_keys(plan: _Plan, items: list, path: tuple) -> list[Finding]:
    first_index: dict[str, int] = {}
    findings = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        key = {name: item.get(name, plan.key_defaults.get(name)) for name in plan.map_keys}
        identity = _identity(key)
        if identity in first_index:
            shown = ", ".join(f"{name}={show(val)}" for name, val in key.items())
            findings.append(
                Finding(to_pointer((*path, index)), "list-map-key", f"duplicate entry with {shown} (same key as item {first_index[identity]}); keys must be unique in this list")
            )
        else:
            first_index[identity] = index
    return findings


def _duplicate_values(items: list, path: tuple) -> list[Finding]:
    first_index: dict[str, int] = {}
    findings = []
    for index, item in enumerate(items):
        identity = _identity(item)
        if identity in first_index:
            findings.append(Finding(to_pointer((*path, index)), "list-set", f"duplicate value {show(item)} (same as item {first_index[identity]}); this list is a set"))
        else:
            first_index[identity] = index
    return findings
