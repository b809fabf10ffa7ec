"""A fast writer for the plain data the compiler renders, byte-identical to yaml_io's libyaml dump.

PyYAML's representer (Python) walked every value of every manifest and asked its resolver about
every string: 19 % of a cold compile. The text libyaml writes for block-style plain data is simple:
two spaces per mapping level, sequences not indented under their key, `{}` and `[]` for empty
collections, a literal block's lines two spaces deeper than its key or dash. What is not simple is
how one string is written (plain, 'single', "double" with escapes, `|-` block): a string of
letters, digits and a few safe characters is plain unless PyYAML's resolver reads it as another
type (then single-quoted), and any other string is decided by libyaml itself, once per distinct
string, and remembered.

Anything this module cannot prove it writes identically returns None, and the caller uses the
libyaml dump: a multi-line string libyaml does not write as a literal block, a float other than
a plain decimal, a key libyaml writes as a complex `? key`, a key that is not a string, a
collection met twice in a document kept in its own order (libyaml writes an anchor), a type
other than dict, list, str, int, float, bool and None. tests/test_yaml_emit.py compares both
writers on every committed YAML file, generated fleets and random data (hypothesis).
"""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple

# Longer strings could reach libyaml's line width (65,536) at some indentation and be folded.
_MAX_SCALAR = 8_000
# libyaml writes a key longer than 128 characters as a complex key (`? key`).
_MAX_KEY = 120
_BREAKS = re.compile("[\r\x85\u2028\u2029]")
_DECIMAL = re.compile(r"^-?[0-9]+\.[0-9]+\Z")
# Strings libyaml writes plain when its resolver reads them as strings, and in single quotes when
# it would read them as another type: no indicator first (`-?:,[]{}#&*!|>'"%@` and the backquote,
# `.` for `...`), none of `#`, quotes, `,` or brackets after, `:` only before a character that is
# not a space, a space only between characters, ASCII only. Every other string is decided by
# libyaml itself (FastEmitter._learn).
_PLAIN = re.compile(r"^[A-Za-z0-9_/](?:[A-Za-z0-9_./@=+~$()-]|:(?=[^ ])| (?=.))*\Z", re.ASCII)


class Block(NamedTuple):
    """A literal block scalar: `|`, `|-` or `|+` (maybe with an indentation indicator), then its
    lines, written two spaces deeper than the key or dash it follows (an empty line stays empty)."""

    header: str
    lines: tuple[str, ...]

    def at(self, indent: str) -> str:
        inner = indent + "  "
        return self.header + "".join("\n" + (inner + line if line else "") for line in self.lines)


class _NotProven(Exception):
    """This document holds something only libyaml's own dump is known to write."""


class FastEmitter:
    """Writes documents as `reference` (the libyaml dump of one mapping) does, decided per string."""

    def __init__(self, reference: Callable[[Any], str], key_order: Callable[[dict], list], resolvers: dict[Any, list]) -> None:
        self._reference = reference
        self._resolvers = resolvers  # the dumper's implicit resolvers: first character -> [(tag, regexp)]
        self._key_order = key_order
        self._values: dict[str, str | Block | None] = {}
        self._keys: dict[str, str | None] = {}
        self._orders: dict[tuple, list] = {}  # a mapping's keys as given -> in the order written

    # ------------------------------------------------------------ scalars

    def _string(self, text: str) -> str | Block:
        form = self._values.get(text, "")
        if form == "":
            form = self._values[text] = self._learn(text, as_key=False)
        if form is None:
            raise _NotProven
        return form

    def _key(self, key: Any) -> str:
        if key.__class__ is not str:
            raise _NotProven
        form = self._keys.get(key, "")
        if form == "":
            form = self._keys[key] = self._learn(key, as_key=True)
        if form is None:
            raise _NotProven
        return form

    def _learn(self, text: str, as_key: bool) -> str | Block | None:
        """How libyaml writes text as a mapping value (or key) at the top level; None when that
        could depend on where it stands (more than one line, long enough to be folded or to make
        a complex key)."""
        if len(text) > (_MAX_KEY if as_key else _MAX_SCALAR):
            return None
        if _PLAIN.match(text):
            # PyYAML's Resolver.resolve: the first character's resolvers, then the wildcard ones.
            candidates = self._resolvers.get(text[0], []) + self._resolvers.get(None, [])
            return f"'{text}'" if any(regexp.match(text) for _, regexp in candidates) else text
        written = self._reference({text: 0} if as_key else {"k": text})
        if _BREAKS.search(written):  # libyaml breaks lines there too, and indents what follows
            return None
        if written.count("\n") != 1:
            return None if as_key else _literal_block(written)
        if as_key:
            return written[: -len(": 0\n")] if written.endswith(": 0\n") and not written.startswith("? ") else None
        return written[len("k: ") : -1] if written.startswith("k: ") else None

    def _scalar(self, value: Any, indent: str) -> str:
        kind = value.__class__
        if kind is str:
            form = self._string(value)
            return form if form.__class__ is str else form.at(indent)
        if kind is bool:
            return "true" if value else "false"
        if kind is int:
            return str(value)
        if value is None:
            return "null"
        if kind is float:
            text = repr(value)
            if _DECIMAL.match(text):  # PyYAML's represent_float writes repr() for these
                return text
        raise _NotProven

    # ------------------------------------------------------------ collections

    def _mapping(self, data: dict, indent: str, out: list[str]) -> None:
        keys, values = self._keys, self._values  # the hot path: known keys and strings, inline
        names = tuple(data)
        order = self._orders.get(names)
        if order is None:
            order = self._orders[names] = self._key_order(data)
        for key in order:
            value = data[key]
            form = keys.get(key) or self._key(key)
            kind = value.__class__
            if kind is str:
                text = values.get(value)
                out.append(f"{indent}{form}: {text if text.__class__ is str else self._scalar(value, indent)}\n")
            elif kind is dict and value:
                out.append(f"{indent}{form}:\n")
                self._mapping(value, indent + "  ", out)
            elif kind is list and value:
                out.append(f"{indent}{form}:\n")
                self._sequence(value, indent, out)
            else:
                out.append(f"{indent}{form}: {self._leaf(value, indent)}\n")

    def _sequence(self, data: list, indent: str, out: list[str]) -> None:
        inner = indent + "  "
        for item in data:
            kind = item.__class__
            if (kind is dict or kind is list) and item:
                start = len(out)
                if kind is dict:
                    self._mapping(item, inner, out)
                else:
                    self._sequence(item, inner, out)
                # The first line of the item goes on the dash's line.
                out[start] = indent + "- " + out[start][len(inner) :]
            else:
                out.append(indent + "- " + self._leaf(item, indent) + "\n")

    def _leaf(self, value: Any, indent: str) -> str:
        kind = value.__class__
        if kind is dict:
            if value:
                raise _NotProven
            return "{}"
        if kind is list:
            if value:
                raise _NotProven
            return "[]"
        return self._scalar(value, indent)

    def dump(self, data: Any, check_shared: bool) -> str | None:
        """The text of one document, or None when libyaml's dump must write it."""
        if data.__class__ is not dict or not data:
            return None
        if check_shared and _shares_collections(data):
            return None
        out: list[str] = []
        try:
            self._mapping(data, "", out)
        except (_NotProven, RecursionError):
            return None
        return "".join(out)


def _literal_block(written: str) -> Block | None:
    """A multi-line value libyaml wrote as a literal block (`k: |-` then lines two spaces in):
    its header and lines, to be indented where it stands. Anything else (a double-quoted string
    with escaped breaks) depends on the line width: None."""
    header, _, body = written.partition("\n")
    if not header.startswith("k: |") or " " in header[len("k: |") :]:
        return None
    lines = body.split("\n")[:-1]  # the text after the last break is empty
    if any(line and not line.startswith("  ") for line in lines):
        return None
    return Block(header[len("k: ") :], tuple(line[2:] for line in lines))


def _shares_collections(data: Any) -> bool:
    """Whether a dict or list appears twice (libyaml would write an anchor and an alias)."""
    seen: set[int] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if item.__class__ is dict or item.__class__ is list:
            if id(item) in seen:
                return True
            seen.add(id(item))
            stack.extend(item.values() if item.__class__ is dict else item)
    return False
