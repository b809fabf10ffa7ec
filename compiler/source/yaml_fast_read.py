"""Reading spec files with libyaml's C parser, for the files where it reads what ruamel.yaml reads.

ruamel.yaml's pure-Python scanner and composer were 37 % of a cold compile. libyaml composes the
same nodes with the same marks (0-based line and column of every key and item) in a fraction of
the time; the scalars are then typed here by ruamel's own YAML 1.2 resolver, so `yes` stays a
string and `0o17` is read as ruamel reads it.

Only plain, ordinary files take this path. A file holding anything where the two parsers could
differ, or whose reading ruamel reports in its own words, is read by ruamel (yaml_io's
parse_documents), so every diagnostic stays what it was: text that is not ASCII (columns, byte
order marks, line separators), a tab or a carriage return, a block scalar (`|`, `>`), an anchor or alias (`&`, `*`: the
alias limits), a tag (`!`), a directive (`%`), a merge key (`<<`); then, once composed, any
syntax error, a complex key, two keys with the same text, nesting over the limit, a scalar typed
as anything but a string, a null, a boolean, a plain decimal integer or a plain decimal fraction
(timestamps, hex and octal numbers, `1_000`, `.inf`, `=`). tests/test_yaml_fast_read.py compares
both readers on every committed YAML file and on generated documents (hypothesis).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from ruamel.yaml.nodes import ScalarNode as RuamelScalarNode
from ruamel.yaml.resolver import VersionedResolver

from ..errors import Location

# A block scalar (`|`, `>` ending a line, maybe with a comment): libyaml and ruamel disagree on
# some (`|#`, leading blank lines more indented than the first line, `---` inside a root scalar),
# found by comparing both readers on random text.
_NOT_ORDINARY = re.compile(r"[\t\r&*!]|<<|^%|[|>][-+0-9]* *(?:#.*)?$", re.MULTILINE)
_INT = re.compile(r"^-?(?:0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"^-?(?:0|[1-9][0-9]*)\.[0-9]+\Z")
_PREFIX = "tag:yaml.org,2002:"
_RESOLVER = VersionedResolver()  # ruamel's, YAML 1.2: what the round-trip loader types plain scalars by


class _Ruamel(Exception):
    """ruamel.yaml must read this file."""


class _Loader(yaml.CSafeLoader):  # type: ignore[misc,valid-type]
    # Tags are decided in _build (ruamel's resolver), not by PyYAML's YAML 1.1 table.
    def resolve(self, kind, value, implicit):  # noqa: ANN001 - PyYAML's signature
        return ""

    def descend_resolver(self, current_node, current_index):  # noqa: ANN001
        return None

    def ascend_resolver(self):
        return None


def _scalar(node: Any) -> Any:
    value = node.value
    if node.style:  # quoted or a block scalar: a string (plain scalars have style '' or None)
        return value
    tag = _RESOLVER.resolve(RuamelScalarNode, value, (True, False))
    if tag == _PREFIX + "str":
        return value
    if tag == _PREFIX + "null":
        return None
    if tag == _PREFIX + "bool":
        return value.lower() == "true"
    if tag == _PREFIX + "int" and _INT.match(value):
        return int(value)
    if tag == _PREFIX + "float" and _FLOAT.match(value):
        return float(value)
    raise _Ruamel


def _build(node: Any, path: tuple, file: str, positions: dict, room: int) -> Any:
    kind = node.__class__
    if kind is yaml.ScalarNode:
        return _scalar(node)
    if room == 0:
        raise _Ruamel  # over the nesting limit: ruamel's composer reports it where it reports it
    if kind is yaml.MappingNode:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                raise _Ruamel
            key = _scalar(key_node)
            if key.__class__ is not str or key in result:
                raise _Ruamel
            child = path + (key,)
            mark = key_node.start_mark
            positions[child] = Location(file, mark.line + 1, mark.column + 1)
            result[key] = _build(value_node, child, file, positions, room - 1)
        return result
    items = []
    for index, item in enumerate(node.value):
        child = path + (index,)
        mark = item.start_mark
        positions[child] = Location(file, mark.line + 1, mark.column + 1)
        items.append(_build(item, child, file, positions, room - 1))
    return items


def read_plain(text: str, path: str, max_depth: int) -> list[tuple[int, Any, dict]] | None:
    """(index, data, positions) of every non-empty document, or None when ruamel must read it."""
    if not text.isascii() or _NOT_ORDINARY.search(text):
        return None
    loader = _Loader(text)
    documents = []
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            positions: dict = {(): Location(path, 1, 1)}
            data = _build(node, (), path, positions, max_depth)
            if data is not None:
                documents.append((index, data, positions))
            index += 1
    except (yaml.YAMLError, _Ruamel, RecursionError):
        return None
    finally:
        loader.dispose()
    return documents
