"""The one ruamel.yaml setup of the project.

Loading keeps the line and column of every key and list item, so that any later
stage can point a user at the exact place in their file. Dumping is canonical:
the same data gives the same bytes on every machine.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scanner import Scanner

from ..errors import Diagnostic, Location
from . import parse_cache
from .limits import MAX_SPEC_BYTES_VARIABLE, SPEC_TAGS, InputLimits, InputRefused, check_document, check_size, current_limits, decode_utf8, read_limited, too_deep, unprintable
from .yaml_emit import FastEmitter
from .yaml_fast_read import read_plain

KeyPath = tuple[str | int, ...]


@dataclass
class LoadedDocument:
    """One YAML document as plain data, plus where each key path sits in the file."""

    path: str
    index: int
    data: Any
    positions: dict[KeyPath, Location] = field(default_factory=dict)

    def locate(self, key_path: KeyPath) -> Location:
        """Location of key_path, or of its nearest ancestor that has one."""
        return locate(self.positions, key_path, self.path)


def locate(positions: dict[KeyPath, Location], key_path: KeyPath, fallback_path: str) -> Location:
    path = tuple(key_path)
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return positions.get((), Location(fallback_path, 1, 1))


def _plain(node: Any, path: KeyPath, file: str, positions: dict[KeyPath, Location]) -> Any:
    """Turn ruamel's round-trip nodes into dict/list/scalars, recording positions."""
    if isinstance(node, CommentedMap):
        result = {}
        own_line, own_col = (node.lc.line or 0), (node.lc.col or 0)
        for key in node:
            # Keys brought in by a YAML merge key (`<<: *anchor`) have no position of their
            # own in this mapping: they are reported at the mapping itself.
            line, col = node.lc.key(key) if key in node.lc.data else (own_line, own_col)
            child_path = path + (str(key),)
            positions[child_path] = Location(file, line + 1, col + 1)
            result[str(key)] = _plain(node[key], child_path, file, positions)
        return result
    if isinstance(node, CommentedSeq):
        result = []
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            child_path = path + (index,)
            positions[child_path] = Location(file, line + 1, col + 1)
            result.append(_plain(item, child_path, file, positions))
        return result
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if isinstance(node, (datetime.date, datetime.datetime)):
        return node.isoformat()
    return str(node)


class _Scanner(Scanner):
    """ruamel's plain scanner (no comments kept: positions need none), counting nesting.

    In a flow collection every `[` may start a key, so the scanner looks up to 1,024 characters
    ahead over all open ones: `[[[[…` costs a second before the composer sees the 101st level.
    Refusing that level as it is scanned keeps the lookahead to max_depth open collections. The
    open block collections are the scanner's indentation stack (an indentless sequence adds no
    level there, so this never refuses what the composer would accept)."""

    def fetch_flow_collection_start(self, TokenClass: type, to_push: str) -> None:  # noqa: N803 - ruamel's name
        limits = self.loader.input_limits
        if len(self.indents) + self.flow_level >= limits.max_depth:
            raise too_deep(limits, self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


_MERGE = "tag:yaml.org,2002:merge"
_DUPLICATE_HINT = "remove one of the two keys; YAML keeps only one and tools disagree on which"


class _GuardedComposer(Composer):
    """ruamel's composer, refusing a document over the input limits before anything expands it.

    The composer recurses once per level, so nesting is counted as it goes (a 10,000-deep `[[[…`
    would overflow the stack before any later check); aliases, tags and the nesting that aliases
    expand to are checked on each composed document, where an alias is still one shared node
    (the marks of the aliases are kept aside to point at the one that goes over)."""

    def __init__(self, loader: YAML | None = None) -> None:
        super().__init__(loader)
        # YAML allows an anchor to be defined again (the later one wins); ruamel warns on stderr.
        self.warn_double_anchors = False
        self.nesting = 0
        self.alias_marks: dict[int, list[Any]] = {}

    @property
    def limits(self) -> InputLimits:
        return self.loader.input_limits

    def compose_document(self) -> object:
        self.nesting, self.alias_marks = 0, {}
        node = super().compose_document()
        check_document(node, self.limits, SPEC_TAGS, alias_marks=self.alias_marks)
        return node

    def compose_node(self, parent: object, index: object) -> object:
        if self.parser.check_event(AliasEvent):
            self.alias_marks.setdefault(id(parent), []).append(self.parser.peek_event().start_mark)
            return super().compose_node(parent, index)
        if not self.parser.check_event(MappingStartEvent, SequenceStartEvent):
            return super().compose_node(parent, index)
        if self.nesting >= self.limits.max_depth:
            raise too_deep(self.limits, self.parser.peek_event().start_mark)
        self.nesting += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1

    def compose_mapping_node(self, anchor: Any) -> Any:
        # Before ruamel's constructor does: it reports both values in full, on one line of any length.
        node = super().compose_mapping_node(anchor)
        first: dict[str, Any] = {}
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.tag != _MERGE:
                seen = first.setdefault(key.value, key)
                if seen is not key:
                    message = f'duplicate key "{key.value}" (first at line {seen.start_mark.line + 1})'
                    raise InputRefused.at("YAML-DUPLICATE-KEY", message, _DUPLICATE_HINT, key.start_mark)
        return node


def _loader(limits: InputLimits) -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    # The round-trip scanner keeps comments, and joins a run of comment lines by concatenating a
    # growing string per line: quadratic (4 MiB of comments took 8 s). Positions need no comments.
    yaml.Scanner = _Scanner
    yaml.Composer = _GuardedComposer
    yaml.input_limits = limits
    return yaml


def parse_documents(text: str, path: str, limits: InputLimits | None = None) -> tuple[list[LoadedDocument], list[Diagnostic]]:
    """Parse every document of a YAML stream. Syntax errors and inputs over a limit become diagnostics."""
    limits = limits or current_limits()
    plain = read_plain(text, path, limits.max_depth)  # libyaml, for files where it reads as ruamel does
    if plain is not None:
        return [LoadedDocument(path, index, data, positions) for index, data, positions in plain], []
    try:
        raw_docs = list(_loader(limits).load_all(text))
    except InputRefused as exc:
        return [], [exc.diagnostic(path)]
    except ReaderError as exc:  # a character YAML does not allow (ruamel checks the whole text first)
        return [], [unprintable(text, exc.position, exc.character).diagnostic(path)]
    except DuplicateKeyError as exc:  # keys equal once read (`1` and `0x1`): the composer compares text
        mark = exc.problem_mark
        return [], [Diagnostic("YAML-DUPLICATE-KEY", "duplicate key: two keys of this mapping read as the same value", _DUPLICATE_HINT, Location(path, mark.line + 1, mark.column + 1))]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        return [], [
            Diagnostic(
                "YAML-SYNTAX",
                f"invalid YAML: {(exc.problem or exc.context or 'syntax error').strip()}",
                "fix the YAML syntax at this position",
                Location(path, mark.line + 1, mark.column + 1) if mark else Location(path),
            )
        ]
    docs = []
    for index, raw in enumerate(raw_docs):
        if raw is None:
            continue
        positions: dict[KeyPath, Location] = {(): Location(path, 1, 1)}
        data = _plain(raw, (), path, positions)
        docs.append(LoadedDocument(path, index, data, positions))
    return docs, []


def load_file(path: Path, display_path: str | None = None, limits: InputLimits | None = None) -> tuple[list[LoadedDocument], list[Diagnostic]]:
    """Every non-empty document of a spec file. The file is read only up to the size limit and
    must be UTF-8; anything else is one located diagnostic."""
    shown = display_path or str(path)
    limits = limits or current_limits()
    try:
        data = read_limited(path, limits.max_spec_bytes)
        cache = parse_cache.active()
        key = cache.key(data, shown, limits) if cache is not None else ""
        parsed = cache.get(key) if cache is not None else None
        if parsed is not None:
            return parsed
        check_size(len(data), limits.max_spec_bytes, "spec", MAX_SPEC_BYTES_VARIABLE)
        text = decode_utf8(data)
    except OSError as exc:
        return [], [Diagnostic("IO-READ", f"cannot read file: {exc}", "check the path and its permissions", Location(shown))]
    except InputRefused as exc:
        return [], [exc.diagnostic(shown)]
    parsed = parse_documents(text, shown, limits)
    if cache is not None:
        cache.put(key, parsed)
    return parsed


# ---------------------------------------------------------------- dumping

# Keys that lead a mapping, in this order; every other key follows alphabetically.
# Kustomize and kubectl readers expect apiVersion/kind/metadata first and `name` leading list items.
_LEADING_KEYS = ("apiVersion", "kind", "metadata", "name", "namespace")
_LEADING_RANK = {key: rank for rank, key in enumerate(_LEADING_KEYS)}


def canonical(data: Any) -> Any:
    """Return data with every mapping's keys in canonical order (recursively)."""
    if isinstance(data, dict):
        return {key: canonical(data[key]) for key in _canonical_keys(data)}
    if isinstance(data, (list, tuple)):
        return [canonical(item) for item in data]
    return data


# Dumping uses libyaml through PyYAML: 0.4 ms per manifest against ruamel's 4.8 ms (measured on
# the rendered InferenceServices, byte-identical output); it was most of a compile's time.
_SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _CanonicalDumper(_SafeDumper):  # type: ignore[misc,valid-type]
    """Block style, keys as given (see `canonical`), literal blocks for multi-line text, and
    quotes around every string that some reader would take for another type."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # Multi-line text (scripts, certificates) reads far better as a literal block.
    if "\n" in data and not any(ch in data for ch in "\t\r") and data == data.rstrip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_CanonicalDumper.add_representer(str, _represent_str)
# PyYAML quotes a string its resolver would read as another type. That resolver is YAML 1.1, like
# go-yaml v2 with which kubectl, Argo CD and Flux read manifests (`on`, `yes` are booleans there:
# unquoted, a label value "on" would reach the API server as true). These add what 1.1's table
# lacks but go-yaml v2 or YAML 1.2 readers (ruamel) take for non-strings: y/n booleans, 0o
# octals, decimals with leading zeros (`08`), exponents without a dot.
_CanonicalDumper.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_CanonicalDumper.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0o[0-7_]+|[0-9][0-9_]*)$"), list("-+0123456789"))
_CanonicalDumper.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$"), list("-+0123456789.")
)


def libyaml_dump(data: Any, keep_order: bool = False) -> str:
    """Canonical YAML text of one document, written by libyaml (the reference of yaml_emit)."""
    return yaml.dump(
        data if keep_order else canonical(data),
        Dumper=_CanonicalDumper,
        default_flow_style=False,
        sort_keys=False,
        allow_unicode=True,
        width=1 << 16,  # never fold long lines: folding makes diffs noisy
    )


def _canonical_keys(mapping: dict) -> list:
    return sorted(mapping, key=lambda k: (_LEADING_RANK.get(k, len(_LEADING_KEYS)), str(k)))


_EMITTER = FastEmitter(lambda data: libyaml_dump(data, keep_order=True), _canonical_keys, _CanonicalDumper.yaml_implicit_resolvers)
_ORDERED_EMITTER = FastEmitter(lambda data: libyaml_dump(data, keep_order=True), list, _CanonicalDumper.yaml_implicit_resolvers)


def dump(data: Any, keep_order: bool = False) -> str:
    """Canonical YAML text of one document: yaml_emit's, which is libyaml's byte for byte, or
    libyaml's own for what yaml_emit cannot prove it writes identically."""
    # canonical() copies every collection, so the libyaml dump never meets one twice (no anchors).
    fast = _ORDERED_EMITTER.dump(data, check_shared=True) if keep_order else _EMITTER.dump(data, check_shared=False)
    return fast if fast is not None else libyaml_dump(data, keep_order)


def dump_all(documents: Iterator[Any] | list[Any]) -> str:
    return "---\n".join(dump(doc) for doc in documents)


def round_trip_loader() -> YAML:
    """A loader/dumper pair that keeps comments, order and quoting (used by `promote`)."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 16
    return yaml
