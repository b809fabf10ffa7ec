"""Read an environment's `images.yaml` into {(service, repository): image reference}.

The list is keyed by repository (the reference without tag or digest) so a new tag shows as
one image changing, not one removed and one added. Accepted shapes, so the diff does not break
when the list's layout grows:
- entries (a list, or a map with an `images` list) of maps with `image`/`ref`/`reference`,
  or kustomize's `name` + `newName`/`newTag`/`digest`; an optional `service` names the owner;
- plain reference strings;
- a map {name: reference}.
"""

from __future__ import annotations

from typing import Any

IMAGE_LIST_SERVICE = "images.yaml"  # owner of entries that do not name a service
_REFERENCE_KEYS = ("image", "ref", "reference")


def image_list_entries(data: Any) -> dict[tuple[str, str], str]:
    entries: dict[tuple[str, str], str] = {}
    if isinstance(data, dict) and isinstance(data.get("images"), list):
        data = data["images"]
    if isinstance(data, list):
        for entry in data:
            service, reference = _entry(entry)
            if reference:
                entries[(service, repository(reference))] = reference
    elif isinstance(data, dict):
        for name, reference in sorted(data.items()):
            if isinstance(reference, str):
                entries[(IMAGE_LIST_SERVICE, str(name))] = reference
    return entries


def _entry(entry: Any) -> tuple[str, str | None]:
    if isinstance(entry, str):
        return IMAGE_LIST_SERVICE, entry
    if not isinstance(entry, dict):
        return IMAGE_LIST_SERVICE, None
    service = str(entry.get("service") or IMAGE_LIST_SERVICE)
    for key in _REFERENCE_KEYS:
        if isinstance(entry.get(key), str):
            return service, entry[key]
    if entry.get("name") and any(key in entry for key in ("newName", "newTag", "digest")):
        reference = str(entry.get("newName") or entry["name"])
        if entry.get("newTag"):
            reference += f":{entry['newTag']}"
        if entry.get("digest"):
            reference += f"@{entry['digest']}"
        return service, reference
    return service, None


def repository(reference: str) -> str:
    """`registry:5000/team/model:1.2@sha256:...` → `registry:5000/team/model`."""
    without_digest = reference.split("@", 1)[0]
    last_slash = without_digest.rfind("/")
    colon = without_digest.rfind(":")
    return without_digest[:colon] if colon > last_slash else without_digest
