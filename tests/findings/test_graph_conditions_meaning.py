"""GRAPH-04's reading of GJSON (rules/graph.py gjson_problem): each reason a condition is refused,
verbatim, and the valid conditions beside each reason that pass."""

from __future__ import annotations

import pytest

from compiler.rules.graph import gjson_problem


@pytest.mark.parametrize(("condition", "problem"), [
    ("  ", "is empty"),
    ("a(b", "has a `(` at 2 that does not open a `#(` query"),
    ("#(a==1))", "closes a query at 8 that was never opened"),
    ('"abc', "has a string that is never closed"),
    ("#(a==1", "has a `#(` query that is never closed"),
    (".a", "has an empty path component"),
    ("a.", "has an empty path component"),
    ("|a", "has an empty path component"),
    ("a|", "has an empty path component"),
    ("a..b", "has an empty path component"),
    ("#(a=b)", "compares with a single `=`: GJSON's equality is `==`"),
    ("#(a b)", "has a query that is neither a path nor a comparison"),
])
def test_refused(condition, problem):
    assert gjson_problem(condition) == problem


@pytest.mark.parametrize("condition", [
    'instances.#(intent=="chat")',
    '#(a=="x\\"y")',  # an escaped quote inside a string
    '#(a=="x\\\\")',  # an escaped backslash ends the string's escapes
    '#(a==")")',  # a parenthesis inside a string
    'a.#(b=="x..y")',  # dots inside a string
    '#(name=="a=b")',  # `=` inside a string
    "#(a.b)",  # a path query
    "#()",
    "Xa.bX",
])
def test_accepted(condition):
    assert gjson_problem(condition) is None
