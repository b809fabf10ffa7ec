"""Input limits: what a hostile or broken file may cost a run, and the one located line it gets.

Inferplane runs in CI on pull requests, so every YAML file it reads may be hostile. Before a file
can cost more than a moment or a bounded amount of memory, it is refused with one located line:

- YAML-SIZE      more bytes than the limit (only one byte more is ever read);
- YAML-DEPTH     mappings and sequences nested deeper than `max_depth`, counting what aliases
                 expand to (the readers recurse once per level);
- YAML-ALIAS     go-yaml v3's "excessive aliasing" rule (a billion-laughs bomb), or an alias
                 inside its own anchor;
- YAML-TAG       any tag but the standard ones (`!!python/object…`, `!custom`);
- YAML-ENCODING  bytes that are not UTF-8 text (UTF-16, a stray Latin-1 byte, a NUL).

Both readers use this module: source/yaml_io.py (specs, ruamel.yaml) and validate/loader.py
(manifests and CRDs, libyaml). The defaults are far above any real file and are changed with the
environment variables below (docs/security-input.md).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml
from ruamel.yaml import nodes as ruamel_nodes

from ..errors import Diagnostic, Location, UsageError

KiB, MiB = 1 << 10, 1 << 20
MAX_SPEC_BYTES_VARIABLE = "INFERPLANE_MAX_SPEC_BYTES"
MAX_MANIFEST_BYTES_VARIABLE = "INFERPLANE_MAX_MANIFEST_BYTES"
MAX_DEPTH_VARIABLE = "INFERPLANE_MAX_DEPTH"
VARIABLES = (MAX_SPEC_BYTES_VARIABLE, MAX_MANIFEST_BYTES_VARIABLE, MAX_DEPTH_VARIABLE)


@dataclass(frozen=True)
class InputLimits:
    # Specs (services, environments, overlays, patches) are read by ruamel.yaml, in pure Python,
    # ~50 µs per value: at this limit a file of one-character list items reads in 3.5 s (75 MiB
    # peak), a realistic one (a long env list) in 1.5 s. The largest example spec is 4.6 KB.
    max_spec_bytes: int = 256 * KiB
    # Manifests and CRDs are read by libyaml. The largest real one is a CRD: KServe's
    # LLMInferenceService CRD is 2.7 MB (0.7 s), and the API server refuses any request body over
    # 3 MiB, so no object that can be applied is larger. At this limit a file of one-character
    # list items reads in 3.6 s (340 MiB peak).
    max_manifest_bytes: int = 4 * MiB
    # The deepest real input is a CRD schema (cert-manager's Issuer: 39 levels); specs nest fewer
    # than 10. 100 levels keep every reader (ruamel's composer, our walks) far below Python's
    # recursion limit.
    max_depth: int = 100

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> InputLimits:
        defaults = cls()
        return cls(
            max_spec_bytes=_setting(environ, MAX_SPEC_BYTES_VARIABLE, defaults.max_spec_bytes),
            max_manifest_bytes=_setting(environ, MAX_MANIFEST_BYTES_VARIABLE, defaults.max_manifest_bytes),
            max_depth=_setting(environ, MAX_DEPTH_VARIABLE, defaults.max_depth),
        )


_UNITS = {"": 1, "k": 1000, "kb": 1000, "kib": 1 << 10, "m": 1000**2, "mb": 1000**2, "mib": 1 << 20, "g": 1000**3, "gb": 1000**3, "gib": 1 << 30}
_SETTING = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$")


def _setting(environ: Mapping[str, str], name: str, default: int) -> int:
    text = environ.get(name, "")
    if not text.strip():
        return default
    match = _SETTING.match(text.lower())
    if not match or match.group(2) not in _UNITS or int(match.group(1)) < 1:
        raise UsageError(f"{name}={text!r}: expected a positive whole number (bytes may end in KiB, MiB or GiB)")
    return int(match.group(1)) * _UNITS[match.group(2)]


def current_limits() -> InputLimits:
    """The limits of this run: the defaults, changed by the environment variables (which worker
    processes inherit, however they are started)."""
    return _limits_for(tuple(os.environ.get(name, "") for name in VARIABLES))


@functools.lru_cache(maxsize=8)
def _limits_for(settings: tuple[str, ...]) -> InputLimits:
    # Read once per setting: the validator asks for every file it reads.
    return InputLimits.from_environment(dict(zip(VARIABLES, settings)))


def _size(limit: int) -> str:
    for unit, name in ((MiB, "MiB"), (KiB, "KiB")):
        if limit % unit == 0:
            return f"{limit // unit} {name}"
    return f"{limit:,} bytes"


class InputRefused(Exception):
    """An input refused before it is read into data (over a limit, a duplicate key), with where:
    line and column are 1-based."""

    def __init__(self, rule: str, message: str, hint: str, line: int = 1, column: int = 1):
        super().__init__(f"{line}:{column}: {rule}: {message} — {hint}")
        self.rule, self.message, self.hint, self.line, self.column = rule, message, hint, line, column

    @classmethod
    def at(cls, rule: str, message: str, hint: str, mark: Any) -> InputRefused:
        """At a ruamel.yaml or PyYAML mark (0-based line and column)."""
        return cls(rule, message, hint, mark.line + 1, mark.column + 1)

    def diagnostic(self, path: str) -> Diagnostic:
        return Diagnostic(self.rule, self.message, self.hint, Location(path, self.line, self.column))


# ---------------------------------------------------------------- size and encoding


def read_limited(path: Path, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes of the file: enough for `check_size` to refuse a larger one
    without reading it (a 50 MB file, /dev/zero behind a symlink). Raises OSError."""
    limit = max_bytes + 1
    with open(path, "rb", buffering=0) as handle:
        # Ask for the file's size first, not the limit: a read of n bytes allocates n bytes.
        data = handle.read(min(os.fstat(handle.fileno()).st_size + 1, limit))
        while len(data) < limit:  # until the end (a file that grew, a pipe, /dev/zero) or the limit
            more = handle.read(limit - len(data))
            if not more:
                break
            data += more
        return data


def check_size(length: int, max_bytes: int, what: str, variable: str) -> None:
    if length > max_bytes:
        raise InputRefused(
            "YAML-SIZE",
            f"the file is larger than {_size(max_bytes)}",
            f"no real {what} comes near this; split the file, or raise the limit with {variable}",
        )


_WIDE_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"), (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 when the data starts with their byte order mark (YAML allows them)."""
    return next((encoding for bom, encoding in _WIDE_BOMS if data.startswith(bom)), None)


def decode_utf8(data: bytes) -> str:
    """The text of a spec file, which must be UTF-8 (a leading byte order mark is kept: the YAML
    reader skips it). The first byte that is not UTF-8 is located."""
    encoding = wide_encoding(data)
    if encoding:
        raise InputRefused("YAML-ENCODING", f"the file is {encoding} (it starts with a {encoding} byte order mark)", "save it as UTF-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise not_utf8(data, error.start) from None


def not_utf8(data: bytes, offset: int) -> InputRefused:
    line, column = line_column(data, offset)
    return InputRefused("YAML-ENCODING", f"byte 0x{data[offset]:02x} is not UTF-8 text", "save the file as UTF-8 (the byte is not part of any UTF-8 character)", line, column)


def line_column(data: bytes | str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters, as editors count) of an offset into data."""
    newline: Any = b"\n" if isinstance(data, bytes) else "\n"
    start = data.rfind(newline, 0, offset) + 1
    prefix = data[start:offset]
    width = len(prefix.decode("utf-8", errors="replace")) if isinstance(prefix, bytes) else len(prefix)
    return data.count(newline, 0, offset) + 1, width + 1


def unprintable(data: bytes | str, offset: int, character: int) -> InputRefused:
    """A character YAML does not allow in a stream (a control character, a NUL), at offset."""
    line, column = line_column(data, offset)
    hint = "remove it, or write it as an escape (\\x07 style) in a double-quoted string"
    if character == 0:
        hint = "a NUL byte: is the file UTF-16 or binary? save it as UTF-8 text"
    return InputRefused("YAML-ENCODING", f"character U+{character:04X} is not allowed in YAML", hint, line, column)


# ---------------------------------------------------------------- tags

STANDARD_PREFIX = "tag:yaml.org,2002:"
# The tags a spec may carry: YAML's core types, timestamps (read as text) and the merge key.
SPEC_TAGS = frozenset(STANDARD_PREFIX + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge"))


def check_tag(node: Any, allowed: frozenset[str]) -> None:
    if node.tag not in allowed:
        shown = "!!" + node.tag[len(STANDARD_PREFIX) :] if node.tag.startswith(STANDARD_PREFIX) else node.tag
        raise InputRefused.at(
            "YAML-TAG",
            f"unknown tag {shown!r}",
            "remove it: only standard tags are read (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq)",
            node.start_mark,
        )


# ---------------------------------------------------------------- aliases and depth

# go-yaml v3's "excessive aliasing" rule (gopkg.in/yaml.v3 decode.go, allowedAliasRatio and
# decoder.unmarshal), the rule kubectl, Argo CD and Flux read YAML with: every node decoded counts,
# nodes decoded through an alias count as alias decodes too; once more than 100 alias decodes and
# 1,000 decodes are done, alias decodes may be at most 99% of all decodes up to 400,000 decodes,
# falling linearly to 10% at 4,000,000.
ALIAS_RATIO_RANGE_LOW = 400_000
ALIAS_RATIO_RANGE_HIGH = 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    if decoded <= ALIAS_RATIO_RANGE_LOW:
        return 0.99
    if decoded >= ALIAS_RATIO_RANGE_HIGH:
        return 0.10
    return 0.99 - 0.89 * (decoded - ALIAS_RATIO_RANGE_LOW) / (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW)


def excessive_aliasing(decoded: int, from_aliases: int) -> bool:
    return from_aliases > 100 and decoded > 1000 and from_aliases / decoded > allowed_alias_ratio(decoded)


_MAPPINGS = (yaml.MappingNode, ruamel_nodes.MappingNode)
_SEQUENCES = (yaml.SequenceNode, ruamel_nodes.SequenceNode)
_KIND = {**{cls: "map" for cls in _MAPPINGS}, **{cls: "seq" for cls in _SEQUENCES}}


def too_deep(limits: InputLimits, mark: Any) -> InputRefused:
    return InputRefused.at(
        "YAML-DEPTH",
        f"mappings and sequences nested deeper than {limits.max_depth} levels",
        f"flatten the structure (real files nest fewer than 40 levels); the limit is {MAX_DEPTH_VARIABLE}",
        mark,
    )


def _children(node: Any) -> Iterable[tuple[Any, Any]]:
    """(child, where an alias in its place is reported) in document order: keys and values of a
    mapping (a value at its key), items of a sequence (at the sequence: a node keeps no mark of
    the alias that produced it)."""
    if _KIND[node.__class__] == "map":
        for key, value in node.value:
            yield key, key.start_mark
            yield value, key.start_mark
    else:
        for item in node.value:
            yield item, node.start_mark


def check_document(root: Any, limits: InputLimits, allowed_tags: frozenset[str], may_alias: bool = True, alias_marks: Mapping[int, list[Any]] | None = None) -> None:
    """Refuse a composed document (ruamel.yaml or PyYAML nodes) over a limit, without expanding its
    aliases: an alias is the same node object met again, its expanded size and height known from
    the first meeting. Iterative, so that nesting up to libyaml's own limit cannot overflow the
    stack. A text without `&` has no alias (may_alias False): the walk then keeps no record of
    the nodes it met. `alias_marks`: id(collection) -> marks of the aliases in it, in order, when
    the reader kept them (an alias is then reported where it is written)."""
    if not may_alias:
        _check_nesting(root, limits, allowed_tags)
        return
    decoded, from_aliases = 1, 0  # the document node counts, as in go-yaml
    finished: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, expanded height)
    unfinished: set[int] = set()
    # A frame: [node, its children, expanded size so far, expanded height so far, aliases met].
    stack: list[list[Any]] = []

    def enter(node: Any) -> None:
        nonlocal decoded
        check_tag(node, allowed_tags)
        decoded += 1
        if excessive_aliasing(decoded, from_aliases):
            raise _aliasing(decoded, from_aliases, node.start_mark)
        if node.__class__ in _KIND:
            if len(stack) >= limits.max_depth:
                raise too_deep(limits, node.start_mark)
            unfinished.add(id(node))
            stack.append([node, _children(node), 0, 0, 0])
        else:
            finished[id(node)] = (1, 0)
            if stack:
                stack[-1][2] += 1

    enter(root)
    while stack:
        frame = stack[-1]
        child, where = next(frame[1], (None, None))
        if child is None:
            stack.pop()
            size, height = frame[2] + 1, frame[3] + 1
            unfinished.discard(id(frame[0]))
            finished[id(frame[0])] = (size, height)
            if stack:
                stack[-1][2] += size
                stack[-1][3] = max(stack[-1][3], height)
            continue
        if id(child) not in unfinished and id(child) not in finished:
            enter(child)
            continue
        # Met before: an alias. Its mark, when the reader kept it, else the key or list holding it.
        marks = (alias_marks or {}).get(id(frame[0]))
        where = marks[frame[4]] if marks and frame[4] < len(marks) else where
        frame[4] += 1
        if id(child) in unfinished:
            raise InputRefused.at("YAML-ALIAS", "an alias inside the value of its own anchor", "a value cannot contain itself: write the inner value out", where)
        size, height = finished[id(child)]
        if len(stack) + height > limits.max_depth:
            raise too_deep(limits, where)
        decoded += 1 + size  # the alias, then every node of its value again
        from_aliases += size
        if excessive_aliasing(decoded, from_aliases):
            raise _aliasing(decoded, from_aliases, where)
        frame[2] += 1 + size
        frame[3] = max(frame[3], height)


def _check_nesting(root: Any, limits: InputLimits, allowed_tags: frozenset[str]) -> None:
    """check_document for a tree without aliases: nesting and tags."""
    stack = [(root, 0)]  # (node, collections above it), popped in document order
    while stack:
        node, above = stack.pop()
        check_tag(node, allowed_tags)
        kind = _KIND.get(node.__class__)
        if kind is None:
            continue
        if above >= limits.max_depth:
            raise too_deep(limits, node.start_mark)
        children = [child for pair in node.value for child in pair] if kind == "map" else node.value
        stack.extend((child, above + 1) for child in reversed(children))


def _aliasing(decoded: int, from_aliases: int, mark: Any) -> InputRefused:
    return InputRefused.at(
        "YAML-ALIAS",
        f"excessive aliasing: {from_aliases:,} of the first {decoded:,} values are copies made by aliases",
        "write the values out or use fewer aliases; kubectl's YAML reader (go-yaml) refuses this too",
        mark,
    )
