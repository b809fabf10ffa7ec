"""Field-level diff of two pruned documents, and the alignment that keeps line diffs free of noise.

Maps compare key by key; named lists (every item a map with a distinct `name`) compare item
by name; other lists are aligned with difflib so an inserted item shows as one addition.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any

from .normalize import Path, named_items, pointer, same_leaf
from .result import FieldChange

# Lists whose order changes behaviour even when matched by name: Istio tries routes in order.
ORDER_SENSITIVE_LISTS = frozenset({"http", "tcp", "tls"})

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class _Where:
    """One place seen from both sides: its path in the old and the new document, and a label for people."""

    old_path: Path = ()
    new_path: Path = ()
    label: str = ""

    def key(self, key: str) -> _Where:
        shown = f".{key}" if _PLAIN_KEY.match(key) else f"[{json.dumps(key)}]"
        return _Where(self.old_path + (key,), self.new_path + (key,), (self.label + shown).lstrip("."))

    def item(self, old_index: int | None, new_index: int | None, shown: str) -> _Where:
        return _Where(
            self.old_path + ((old_index,) if old_index is not None else ()),
            self.new_path + ((new_index,) if new_index is not None else ()),
            f"{self.label}[{shown}]",
        )


def diff_values(old: Any, new: Any) -> list[FieldChange]:
    """Every field that differs between two pruned documents, in document order."""
    changes: list[FieldChange] = []
    _walk(old, new, _Where(), changes)
    return changes


def _walk(old: Any, new: Any, at: _Where, out: list[FieldChange]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(new) + [key for key in old if key not in new]:
            child = at.key(key)
            if key not in old:
                out.append(FieldChange("add", pointer(child.new_path), child.label, None, new[key]))
            elif key not in new:
                out.append(FieldChange("remove", pointer(child.old_path), child.label, old[key], None))
            else:
                _walk(old[key], new[key], child, out)
    elif isinstance(old, list) and isinstance(new, list):
        old_named, new_named = named_items(old), named_items(new)
        if old_named is not None and new_named is not None:
            _walk_named(old, new, old_named, new_named, at, out)
        else:
            _walk_sequence(old, new, at, out)
    elif isinstance(old, (dict, list)) or isinstance(new, (dict, list)) or not same_leaf(at.new_path, old, new):
        out.append(FieldChange("replace", pointer(at.new_path), at.label, old, new))


def _walk_named(old: list, new: list, old_named: dict, new_named: dict, at: _Where, out: list[FieldChange]) -> None:
    old_index = {name: index for index, name in enumerate(old_named)}
    new_index = {name: index for index, name in enumerate(new_named)}
    for name in list(new_named) + [name for name in old_named if name not in new_named]:
        child = at.item(old_index.get(name), new_index.get(name), name)
        if name not in old_named:
            out.append(FieldChange("add", pointer(child.new_path), child.label, None, new_named[name]))
        elif name not in new_named:
            out.append(FieldChange("remove", pointer(child.old_path), child.label, old_named[name], None))
        else:
            _walk(old_named[name], new_named[name], child, out)
    list_key = at.new_path[-1] if at.new_path else None
    if list_key in ORDER_SENSITIVE_LISTS:
        kept_old = [name for name in old_named if name in new_named]
        kept_new = [name for name in new_named if name in old_named]
        if kept_old != kept_new:
            out.append(FieldChange("reorder", pointer(at.new_path), at.label, kept_old, kept_new))


def _walk_sequence(old: list, new: list, at: _Where, out: list[FieldChange]) -> None:
    matcher = difflib.SequenceMatcher(a=[_fingerprint(i) for i in old], b=[_fingerprint(i) for i in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for offset in range(paired):
            child = at.item(i1 + offset, j1 + offset, str(j1 + offset))
            _walk(old[i1 + offset], new[j1 + offset], child, out)
        for index in range(i1 + paired, i2):
            child = at.item(index, None, str(index))
            out.append(FieldChange("remove", pointer(child.old_path), child.label, old[index], None))
        for index in range(j1 + paired, j2):
            child = at.item(None, index, str(index))
            out.append(FieldChange("add", pointer(child.new_path), child.label, None, new[index]))


def _fingerprint(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def align(old: Any, new: Any, path: Path = ()) -> Any:
    """`new`, with every value that means the same as in `old` written as in `old`.

    Line diffs of the result show only real changes: `cpu: 1000m` → `cpu: 1` disappears, and
    named items keep the old order unless their order matters.
    """
    if isinstance(old, dict) and isinstance(new, dict):
        return {key: align(old[key], value, path + (key,)) if key in old else value for key, value in new.items()}
    if isinstance(old, list) and isinstance(new, list):
        old_named, new_named = named_items(old), named_items(new)
        if old_named is not None and new_named is not None:
            order = list(new_named)
            if not path or path[-1] not in ORDER_SENSITIVE_LISTS:
                order = [name for name in old_named if name in new_named] + [name for name in new_named if name not in old_named]
            # Integer path parts, as in the documents: a container named "limits" is not a quantity map.
            return [
                align(old_named[name], new_named[name], path + (index,)) if name in old_named else new_named[name]
                for index, name in enumerate(order)
            ]
        if len(old) == len(new):
            return [align(o, n, path + (index,)) for index, (o, n) in enumerate(zip(old, new))]
        return new
    if not isinstance(old, (dict, list)) and not isinstance(new, (dict, list)) and same_leaf(path, old, new):
        return old
    return new
