"""cel-go string extension library (``ext.Strings``, version 2) as celpy functions.

Kubernetes enables ``ext.Strings(ext.StringsVersion(2))`` from 1.29 on
(k8s.io/apiserver/pkg/cel/environment/base.go). The semantics below follow
github.com/google/cel-go/ext/strings.go: indexes count Unicode code points,
out-of-range indexes are evaluation errors, ``trim`` strips what Go's
``unicode.IsSpace`` calls white space.

Every function receives celpy values and returns a celpy value or a
``CELEvalError`` (an error *value*, so ``||``/``&&`` can still absorb it).
"""

from __future__ import annotations

from celpy.celtypes import IntType, ListType, StringType
from celpy.evaluation import CELEvalError

# Go's unicode.IsSpace for the Latin-1 range plus the Unicode Z category members it
# accepts; Python's str.isspace() also counts \x1c-\x1f, which Go does not.
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _is_str(*values: object) -> bool:
    return all(isinstance(v, str) for v in values)


def _is_int(*values: object) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def no_overload(name: str, *args: object) -> CELEvalError:
    kinds = ", ".join(type(a).__name__ for a in args)
    return CELEvalError(f"no such overload: {name}({kinds})")


def char_at(text: object, index: object) -> object:
    if not (_is_str(text) and _is_int(index)):
        return no_overload("charAt", text, index)
    if index < 0 or index > len(text):
        return CELEvalError(f"index out of range: {index}")
    return StringType(text[index : index + 1])


def index_of(text: object, needle: object, offset: object = IntType(0)) -> object:
    if not (_is_str(text, needle) and _is_int(offset)):
        return no_overload("indexOf", text, needle, offset)
    if offset < 0 or offset > len(text):
        return CELEvalError(f"index out of range: {offset}")
    return IntType(text.find(needle, offset))


def last_index_of(text: object, needle: object, offset: object = None) -> object:
    if offset is None:
        offset = IntType(len(text)) if isinstance(text, str) else IntType(0)
    if not (_is_str(text, needle) and _is_int(offset)):
        return no_overload("lastIndexOf", text, needle, offset)
    if offset < 0 or offset > len(text):
        return CELEvalError(f"index out of range: {offset}")
    # cel-go searches for a match *starting* at or before offset.
    return IntType(text.rfind(needle, 0, offset + len(needle)))


def lower_ascii(text: object) -> object:
    if not _is_str(text):
        return no_overload("lowerAscii", text)
    return StringType("".join(c.lower() if "A" <= c <= "Z" else c for c in text))


def upper_ascii(text: object) -> object:
    if not _is_str(text):
        return no_overload("upperAscii", text)
    return StringType("".join(c.upper() if "a" <= c <= "z" else c for c in text))


def replace(text: object, old: object, new: object, count: object = IntType(-1)) -> object:
    if not (_is_str(text, old, new) and _is_int(count)):
        return no_overload("replace", text, old, new, count)
    return StringType(text.replace(old, new, count if count >= 0 else -1))


def split(text: object, separator: object, limit: object = IntType(-1)) -> object:
    """Go strings.SplitN: limit 0 gives [], a negative limit splits everywhere."""
    if not (_is_str(text, separator) and _is_int(limit)):
        return no_overload("split", text, separator, limit)
    if limit == 0:
        return ListType([])
    if separator == "":
        parts = list(text)
        if 0 < limit < len(parts):
            parts = parts[: limit - 1] + ["".join(parts[limit - 1 :])]
    else:
        parts = text.split(separator, limit - 1 if limit > 0 else -1)
    return ListType([StringType(p) for p in parts])


def substring(text: object, start: object, end: object = None) -> object:
    if end is None:
        end = IntType(len(text)) if isinstance(text, str) else IntType(0)
    if not (_is_str(text) and _is_int(start, end)):
        return no_overload("substring", text, start, end)
    if start < 0 or start > len(text):
        return CELEvalError(f"index out of range: {start}")
    if end < 0 or end > len(text):
        return CELEvalError(f"index out of range: {end}")
    if start > end:
        return CELEvalError(f"invalid substring range. start: {start}, end: {end}")
    return StringType(text[start:end])


def trim(text: object) -> object:
    if not _is_str(text):
        return no_overload("trim", text)
    start, end = 0, len(text)
    while start < end and text[start] in _GO_SPACE:
        start += 1
    while end > start and text[end - 1] in _GO_SPACE:
        end -= 1
    return StringType(text[start:end])


def join(items: object, separator: object = StringType("")) -> object:
    if not (isinstance(items, list) and _is_str(separator) and _is_str(*items)):
        return no_overload("join", items, separator)
    return StringType(separator.join(items))


def quote(text: object) -> object:
    """strings.quote: a CEL string literal that evaluates back to ``text``."""
    if not _is_str(text):
        return no_overload("strings.quote", text)
    escapes = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
               "\t": "\\t", "\v": "\\v", "\\": "\\\\", '"': '\\"'}
    return StringType('"' + "".join(escapes.get(c, c) for c in text) + '"')


STRING_FUNCTIONS = {
    "charAt": char_at,
    "indexOf": index_of,  # shared with the Kubernetes list library, see cel_functions
    "lastIndexOf": last_index_of,
    "lowerAscii": lower_ascii,
    "upperAscii": upper_ascii,
    "replace": replace,
    "split": split,
    "substring": substring,
    "trim": trim,
    "join": join,
}
