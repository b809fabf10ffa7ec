"""JSON pointers (RFC 6901): the one way issues name a place inside an object."""

from __future__ import annotations

from typing import Any, Iterable, Mapping


def escape(part: str | int) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def to_pointer(path: Iterable[str | int]) -> str:
    """('metadata', 'annotations', 'a/b') -> '/metadata/annotations/a~1b'."""
    return "".join("/" + escape(part) for part in path)


def split(pointer: str) -> list[str]:
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [unescape(token) for token in pointer[1:].split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value at pointer; KeyError/IndexError when it does not exist."""
    node = document
    for token in split(pointer):
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def ancestors(pointer: str) -> Iterable[str]:
    """pointer itself, then each parent up to the root ''."""
    while True:
        yield pointer
        if not pointer:
            return
        pointer = pointer.rsplit("/", 1)[0]


def position_of(positions: Mapping[str, Any], pointer: str) -> tuple[int | None, int | None]:
    """(line, column) recorded for pointer or its nearest ancestor.

    Values are line numbers, or objects with `.line` and optionally `.column` (errors.Location).
    """
    for candidate in ancestors(pointer):
        if candidate in positions:
            value = positions[candidate]
            if isinstance(value, int):
                return (value or None), None
            line = getattr(value, "line", None)
            if line:
                return line, getattr(value, "column", None) or None
    return None, None


def from_key_paths(positions: Mapping[tuple, Any]) -> dict[str, Any]:
    """yaml_io's positions (key path → Location) as ValidationInput positions (pointer → Location)."""
    return {to_pointer(key_path): location for key_path, location in positions.items()}
