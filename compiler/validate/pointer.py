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


def line_of(positions: Mapping[str, Any], pointer: str) -> int | None:
    """Line recorded for pointer or for its nearest ancestor (values are ints or have .line)."""
    for candidate in ancestors(pointer):
        if candidate in positions:
            value = positions[candidate]
            line = value if isinstance(value, int) else getattr(value, "line", None)
            if line:
                return line
    return None
