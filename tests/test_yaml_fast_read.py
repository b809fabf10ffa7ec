"""yaml_fast_read reads what ruamel.yaml reads (data, types, every position), or declines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.source import yaml_io
from compiler.source.limits import InputLimits
from compiler.source.yaml_fast_read import read_plain

REPO = Path(__file__).resolve().parent.parent
LIMITS = InputLimits()


def _ruamel(text: str, path: str = "f.yaml") -> tuple[list, list]:
    """yaml_io's reading with the fast path turned off: ruamel alone."""
    original = yaml_io.read_plain
    yaml_io.read_plain = lambda *args: None
    try:
        return yaml_io.parse_documents(text, path, LIMITS)
    finally:
        yaml_io.read_plain = original


def _agrees(text: str, path: str = "f.yaml") -> bool:
    """Whether the fast reader declined, or read exactly what ruamel reads; True when it read."""
    fast = read_plain(text, path, LIMITS.max_depth)
    if fast is None:
        return False
    docs, diagnostics = _ruamel(text, path)
    assert diagnostics == []
    # repr tells True from 1 and 1 from 1.0; positions hold every key and item.
    assert repr([(d.index, d.data, d.positions) for d in docs]) == repr(fast)
    return True


def _texts() -> list[tuple[str, str]]:
    """Every committed spec-like YAML file, and every file the bad-input corpus writes."""
    texts = []
    for folder in ("services", "environments", "overlays", "examples", "rendered"):
        texts += [(str(p), p.read_text()) for p in sorted((REPO / folder).rglob("*.yaml"))]
    for case in sorted((REPO / "tests" / "bad_input").glob("*/case.yaml")):
        written = yaml.safe_load(case.read_text()).get("write") or {}
        texts += [(f"{case.parent.name}/{name}", content) for name, content in written.items() if isinstance(content, str)]
    return texts


def test_every_committed_and_bad_input_file_reads_as_ruamel_reads_it():
    texts = _texts()
    read = sum(_agrees(text, name) for name, text in texts)
    assert len(texts) >= 300 and read > 0.8 * len(texts)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # aliases: the alias limits are ruamel's reader's
        "a: !!str 1\n",  # a tag
        "a:\n\tb: 1\n",  # a tab
        "a: 1\r\nb: 2\r\n",  # carriage returns
        "name: café\n",  # not ASCII: columns
        "%YAML 1.2\n---\na: 1\n",  # a directive
        "base: &b {x: 1}\nother:\n  <<: *b\n",  # a merge key
        "a: 1\na: 2\n",  # a duplicate key: ruamel's diagnostic
        "a: 1\n'a': 2\n",
        "date: 2024-01-02\n",  # a timestamp
        "n: 0x1F\n",
        "n: 1_000\n",
        "n: 0o17\n",
        "n: 08\n",
        "n: +5\n",
        "n: .inf\n",
        "n: 1e3\n",
        "n: =\n",
        "? [a]\n: 1\n",  # a complex key
        "1: one\n",  # a key that is not a string
        "a: [1, 2\n",  # a syntax error: ruamel words it
        "a: b: c\n",
        "[" * 101 + "]" * 101 + "\n",  # over the nesting limit
        # Block scalars: found by random text, libyaml reads these where ruamel refuses or reads otherwise.
        "a: |#c\n  x\n",
        "x: |\n  \n   0 x: b\n",
        ">\n---\n  text\n",
        "a: |-\n  plain\n",
    ],
)
def test_what_the_two_readers_could_read_differently_is_left_to_ruamel(text):
    assert read_plain(text, "f.yaml", LIMITS.max_depth) is None


def test_the_nesting_limit_is_the_same_on_both_sides():
    limit = LIMITS.max_depth
    assert _agrees("[" * limit + "]" * limit + "\n")
    assert read_plain("[" * (limit + 1) + "]" * (limit + 1) + "\n", "f.yaml", limit) is None
    docs, diagnostics = yaml_io.parse_documents("[" * (limit + 1) + "]" * (limit + 1) + "\n", "f.yaml", LIMITS)
    assert [d.rule for d in diagnostics] == ["YAML-DEPTH"] and docs == []


def test_plain_scalars_are_typed_by_yaml_1_2():
    text = "a: yes\nb: on\nc: True\nd: ~\ne: -0\nf: 1.50\ng: 'true'\nh:\ni: [1, x, 2.5, null, false]\nj: \"two\\nlines\"\n"
    assert _agrees(text)
    (document,) = read_plain(text, "f.yaml", LIMITS.max_depth)
    assert document[1] == {"a": "yes", "b": "on", "c": True, "d": None, "e": 0, "f": 1.5, "g": "true", "h": None, "i": [1, "x", 2.5, None, False], "j": "two\nlines"}


def test_empty_documents_keep_their_index():
    text = "---\n---\na: 1\n---\nnull\n---\n- b\n"
    assert _agrees(text)
    assert [index for index, _, _ in read_plain(text, "f.yaml", LIMITS.max_depth)] == [1, 3]


_KEYS = st.sampled_from(["a", "name", "b-c", "x_y", "image", "on", "y", "null", "1.5", "e"])
_SCALARS = st.sampled_from(["1", "0", "-3", "2.5", "true", "False", "yes", "~", "null", "", "'q'", '"d"', "plain text", "a:b", "http://x/y", "- a", "#c", "v # note", "08", "1e3", "0x1", "'it''s'", '"a\\nb"', "|\n  lit\n", ">\n  fold\n"])


@st.composite
def _documents(draw, depth: int = 0):
    """Block and flow YAML text of random shape and scalars."""
    if depth > 3 or draw(st.integers(0, 3)) == 0:
        return draw(_SCALARS)
    keys = draw(st.lists(_KEYS, min_size=1, max_size=3, unique=True))
    flow = draw(st.booleans())
    if draw(st.booleans()):
        if flow:
            return "{" + ", ".join(f"{k}: {draw(st.sampled_from(['1', 'x', '[a, b]', '{}', 'true']))}" for k in keys) + "}"
        items = [(k, draw(_documents(depth + 1))) for k in keys]
        return "\n".join(f"{k}:\n{_indent(v)}" if "\n" in v and not v.startswith(("|", ">")) else f"{k}: {v}" for k, v in items)
    values = [draw(_documents(depth + 1)) for _ in keys]
    return "\n".join("- " + _indent(v)[2:] for v in values)


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.split("\n"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_documents())
def test_random_documents_read_as_ruamel_reads_them(text):
    fast = read_plain(text + "\n", "f.yaml", LIMITS.max_depth)
    docs, diagnostics = _ruamel(text + "\n")
    if fast is not None:  # libyaml read it: ruamel reads the same data at the same places
        assert diagnostics == []
        assert repr([(d.index, d.data, d.positions) for d in docs]) == repr(fast)


_PIECES = ["key: ", "- ", "\n", "  ", "'a b'", '"x\\ty"', "[", "]", "{", "}", ", ", "1", "1.5", "true", "~", " #c", " ", "x", "---", "...", ":", "?", "\n  ", "\n- ", '"', "'", "\\", "y", "08", "|", ">", "-"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=18))
def test_random_text_is_read_as_ruamel_reads_it_or_left_to_ruamel(pieces):
    text = "".join(pieces)
    fast = read_plain(text, "f.yaml", LIMITS.max_depth)
    if fast is not None:
        docs, diagnostics = _ruamel(text)
        assert diagnostics == []
        assert repr([(d.index, d.data, d.positions) for d in docs]) == repr(fast)
