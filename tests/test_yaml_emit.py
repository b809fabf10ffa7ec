"""yaml_emit writes exactly what libyaml's dump writes, or declines (and libyaml writes)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.source import yaml_io

REPO = Path(__file__).resolve().parent.parent
COMMITTED = [REPO / folder for folder in ("rendered", "examples", "services", "environments", "overlays", "tests")]


def _committed_documents() -> list:
    documents = []
    for root in COMMITTED:
        for path in sorted(root.rglob("*.yaml")):
            try:
                documents += [doc for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader) if doc is not None]
            except yaml.YAMLError:
                continue  # the bad-input corpus holds broken YAML on purpose
    return documents


def _both(data, keep_order: bool) -> tuple[str, str | None]:
    emitter = yaml_io._ORDERED_EMITTER if keep_order else yaml_io._EMITTER
    return yaml_io.libyaml_dump(data, keep_order), emitter.dump(data, check_shared=keep_order)


def test_every_committed_document_is_written_as_libyaml_writes_it():
    documents = _committed_documents()
    assert len(documents) > 500
    written = 0
    for data in documents:
        for keep_order in (False, True):
            reference, fast = _both(data, keep_order)
            if fast is not None:
                written += 1
                assert fast == reference
    assert written > 0.75 * 2 * len(documents)


def test_every_rendered_manifest_takes_the_fast_writer():
    for path in sorted((REPO / "rendered").rglob("*.yaml")):
        for data in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
            assert yaml_io._EMITTER.dump(data, check_shared=False) is not None, path


# Characters that change how libyaml writes a string: indicators, quotes, spaces, colons,
# escapes, non-ASCII, line breaks, and the letters and digits of booleans, numbers and dates.
_TRICKY = st.text(alphabet=st.sampled_from(list("aeflnorstuyNYOT019._-+:/ #'\"!&*?|>%@`,[]{}=<~\\\t\n\r\x85\u2028é☃\x07 eE")), max_size=12)
_WORDS = st.sampled_from(["", "true", "no", "Off", "y", "N", "null", "~", "0o17", "08", "1e3", "1.5", ".5", "0x1F", "2024-01-02", "=", "<<", "-", "---", "...", "a: b", "a #b", "x:"])
_STRINGS = _TRICKY | _WORDS
_SCALARS = _STRINGS | st.integers() | st.booleans() | st.none() | st.floats(allow_nan=True) | st.sampled_from([0.5, -2.25, 1e20, 3.0])
_DATA = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_STRINGS, inner, max_size=4), max_leaves=25)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_STRINGS, _DATA, min_size=1, max_size=5), st.booleans())
def test_random_plain_data_is_written_as_libyaml_writes_it(data, keep_order):
    reference, fast = _both(data, keep_order)
    assert fast is None or fast == reference


@settings(max_examples=300, deadline=None)
@given(_STRINGS)
def test_every_string_as_key_value_and_item_is_written_as_libyaml_writes_it(text):
    data = {text: text, "list": [text, {text: [text]}], "nested": {"deeper": {text: text}}}
    for keep_order in (False, True):
        reference, fast = _both(data, keep_order)
        assert fast is None or fast == reference


def test_plain_and_quoted_strings_and_literal_blocks_need_no_fallback():
    script = "#!/bin/sh\n\n  indented\nlast\n"
    data = {"a": "plain text", "b": "true", "c": "08", "d": "", "e": "image:tag", "f": [{"g": 1, "h": [[script]]}, {}], "i": None, "j": 0.5, "k": {"l": script}}
    reference, fast = _both(data, keep_order=False)
    assert fast == reference
    assert "b: 'true'\n" in fast and "c: '08'\n" in fast and "d: ''\n" in fast
    assert "k:\n  l: |\n    #!/bin/sh\n\n      indented\n    last\n" in fast


@pytest.mark.parametrize(
    "data",
    [
        {"text": "a\u2028b"},  # a line separator: libyaml breaks the line and indents what follows
        {1: "a key that is not a string"},
        {"k" * 200: "a key libyaml writes as `? key`"},
        {"value": 1e20},  # not a plain decimal
        {"value": ("a", "tuple")},
        [],
        {},
    ],
)
def test_what_it_cannot_prove_is_left_to_libyaml(data):
    assert yaml_io._EMITTER.dump(data, check_shared=False) is None
    assert yaml_io.dump(data) == yaml_io.libyaml_dump(data)


def test_a_collection_met_twice_in_order_kept_data_is_left_to_libyaml():
    shared = {"x": 1}
    data = {"a": shared, "b": shared}
    assert yaml_io._ORDERED_EMITTER.dump(data, check_shared=True) is None
    assert "&id001" in yaml_io.dump(data, keep_order=True) == yaml_io.libyaml_dump(data, keep_order=True)
    assert yaml_io.dump(data) == yaml_io.libyaml_dump(data)  # canonical() copies: no anchor
