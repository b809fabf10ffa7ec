"""Secret values never leave the diff: they are replaced by markers before anything is compared.

A marker keeps what a reviewer may know (the key exists, its size, whether it changed) and
nothing else; no hash either, since a hash lets anyone confirm a guessed value. Markers differ
exactly when the values differ, so the field diff and the line diff of redacted bodies show
every change to a secret without its content (kubernetes#87840 asks for this; dyff has no masking).
"""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

SECRET_VALUE_FIELDS = ("data", "stringData")
# kubectl copies the whole object, values included, into this annotation.
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def is_secret(body: dict | None) -> bool:
    if not isinstance(body, dict):
        return False
    api_version = str(body.get("apiVersion") or "")
    return body.get("kind") == "Secret" and "/" not in api_version


def redact_pair(old: dict | None, new: dict | None) -> tuple[dict | None, dict | None]:
    """Both sides of one resource with secret values replaced; a changed value gets a marker saying so."""
    old_red = _redacted(old, None)
    new_red = _redacted(new, old)
    return old_red, new_red


def redact(body: dict | None) -> dict | None:
    """One side alone (a resource that was added or removed)."""
    return _redacted(body, None)


def _redacted(body: dict | None, previous: dict | None) -> dict | None:
    if not is_secret(body):
        return body
    assert body is not None
    result = copy.deepcopy(body)
    before = previous if is_secret(previous) else {}
    for field in SECRET_VALUE_FIELDS:
        values = result.get(field)
        if not isinstance(values, dict):
            continue
        earlier = (before or {}).get(field) or {}
        result[field] = {
            key: _marker(field, value, changed=key in earlier and earlier[key] != value) for key, value in values.items()
        }
    annotations = (result.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict) and LAST_APPLIED in annotations:
        earlier_annotations = ((before or {}).get("metadata") or {}).get("annotations") or {}
        changed = LAST_APPLIED in earlier_annotations and earlier_annotations[LAST_APPLIED] != annotations[LAST_APPLIED]
        annotations[LAST_APPLIED] = "(redacted, changed)" if changed else "(redacted)"
    return result


def _marker(field: str, value: Any, changed: bool) -> str:
    size = _size(field, value)
    return f"(redacted, {size} bytes{', changed' if changed else ''})"


def _size(field: str, value: Any) -> int:
    text = "" if value is None else str(value)
    if field == "data":
        try:
            return len(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            pass
    return len(text.encode("utf-8"))
