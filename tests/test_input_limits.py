"""Input limits (compiler/source/limits.py) in both readers: specs (ruamel.yaml, parse_documents /
load_file) and manifests (libyaml, validate's iter_documents). Each limit on both sides of its
boundary: exactly at the limit is read, one over is one located refusal and nothing else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from compiler.errors import Location, UsageError
from compiler.source import limits as limits_module
from compiler.source.limits import MAX_DEPTH_VARIABLE, MAX_MANIFEST_BYTES_VARIABLE, MAX_SPEC_BYTES_VARIABLE, KiB, MiB, InputLimits, allowed_alias_ratio, current_limits, excessive_aliasing
from compiler.source.yaml_io import load_file, parse_documents
from compiler.validate.loader import Problem, iter_documents, read_manifest

DEPTH_HINT = "flatten the structure (real files nest fewer than 40 levels); the limit is INFERPLANE_MAX_DEPTH"
TAG_HINT = "remove it: only standard tags are read (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq)"


def spec_errors(text: str, limits: InputLimits | None = None) -> list[tuple[str, int, int, str]]:
    docs, errors = parse_documents(text, "f.yaml", limits)
    assert not (docs and errors)
    return [(e.rule, e.location.line, e.location.column, f"{e.message} — {e.hint}") for e in errors]


def manifest_problems(text: str | bytes, limits: InputLimits | None = None) -> list[tuple[int | None, int | None, str]]:
    return [(p.line, p.column, p.message) for p in iter_documents(text, limits) if isinstance(p, Problem)]


def nested_flow(levels: int) -> str:
    """A top-level mapping (one level) holding levels - 1 nested flow sequences."""
    return "a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"


# ---------------------------------------------------------------- size


@pytest.mark.parametrize("size, refused", [(100, False), (101, True)])
def test_a_spec_file_over_max_spec_bytes_is_refused_at_its_first_line(tmp_path: Path, size: int, refused: bool):
    path = tmp_path / "s.yaml"
    path.write_text("a: " + "x" * (size - 4) + "\n")
    assert path.stat().st_size == size
    docs, errors = load_file(path, "services/s.yaml", InputLimits(max_spec_bytes=100))
    if refused:
        assert [e.format() for e in errors] == [
            "services/s.yaml:1:1: error[YAML-SIZE]: the file is larger than 100 bytes — no real spec comes near this; split the file, or raise the limit with INFERPLANE_MAX_SPEC_BYTES"
        ]
    else:
        assert not errors and docs[0].data == {"a": "x" * (size - 4)}


@pytest.mark.parametrize("size, refused", [(100, False), (101, True)])
def test_a_manifest_over_max_manifest_bytes_is_refused(size: int, refused: bool):
    text = b"a: " + b"x" * (size - 4) + b"\n"
    problems = manifest_problems(text, InputLimits(max_manifest_bytes=100))
    message = "YAML-SIZE: the file is larger than 100 bytes — no real manifest or CRD comes near this; split the file, or raise the limit with INFERPLANE_MAX_MANIFEST_BYTES"
    assert problems == ([(1, 1, message)] if refused else [])


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as handle:
        handle.truncate(50 * 1000 * 1000)  # sparse: 50 MB of NUL bytes
    started = time.perf_counter()
    assert len(read_manifest(path)) == 4 * MiB + 1
    docs, errors = load_file(path, "huge.yaml")
    assert time.perf_counter() - started < 1
    assert (docs, [(e.rule, e.location, e.message) for e in errors]) == ([], [("YAML-SIZE", Location("huge.yaml", 1, 1), "the file is larger than 256 KiB")])


# ---------------------------------------------------------------- nesting


def flow_mappings(levels: int) -> str:
    return "a: " + "{a: " * (levels - 1) + "1" + "}" * (levels - 1) + "\n"


def block_mappings(levels: int) -> str:
    return "".join(" " * level + "a:\n" for level in range(levels - 1)) + " " * (levels - 1) + "b: 1\n"


@pytest.mark.parametrize("shape, where", [(nested_flow, (1, 103)), (flow_mappings, (1, 400)), (block_mappings, (101, 101))])
def test_nesting_at_the_limit_is_read_and_one_level_more_is_refused_where_it_opens(shape, where):
    message = f"mappings and sequences nested deeper than 100 levels — {DEPTH_HINT}"
    assert spec_errors(shape(100)) == [] and manifest_problems(shape(100)) == []
    assert spec_errors(shape(101)) == [("YAML-DEPTH", *where, message)]
    assert manifest_problems(shape(101)) == [(*where, f"YAML-DEPTH: {message}")]


def test_ten_thousand_levels_are_refused_fast_in_both_readers():
    for text in ("spec: " + "[" * 10_000 + "]" * 10_000 + "\n", "spec: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"):
        started = time.perf_counter()
        assert [rule for rule, *_ in spec_errors(text)] == ["YAML-DEPTH"]
        assert [message.split(":")[0] for *_, message in manifest_problems(text)] == ["YAML-DEPTH"]
        assert time.perf_counter() - started < 0.5


def test_nesting_that_aliases_expand_to_counts():
    def chain(links: int) -> str:  # a0 is one list; each next one holds the previous: links + 1 levels below the root
        return "a0: &a0 [x]\n" + "".join(f"a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, links))

    assert spec_errors(chain(99)) == [] and manifest_problems(chain(99)) == []
    assert spec_errors(chain(100)) == [("YAML-DEPTH", 100, 12, f"mappings and sequences nested deeper than 100 levels — {DEPTH_HINT}")]
    # libyaml keeps no mark of an alias: the manifest reader points at the list holding it.
    assert manifest_problems(chain(100)) == [(100, 6, f"YAML-DEPTH: mappings and sequences nested deeper than 100 levels — {DEPTH_HINT}")]


def test_a_lower_depth_limit_applies():
    assert spec_errors(nested_flow(3), InputLimits(max_depth=3)) == []
    assert [rule for rule, *_ in spec_errors(nested_flow(4), InputLimits(max_depth=3))] == ["YAML-DEPTH"]


# ---------------------------------------------------------------- aliases


def test_go_yaml_alias_ratio_at_its_boundaries():
    assert allowed_alias_ratio(400_000) == 0.99
    assert allowed_alias_ratio(4_000_000) == pytest.approx(0.10)
    assert allowed_alias_ratio(2_200_000) == pytest.approx(0.545)
    assert allowed_alias_ratio(400_001) < 0.99 and allowed_alias_ratio(5_000_000) == 0.10
    assert not excessive_aliasing(1001, 100) and excessive_aliasing(1001, 1000)  # more than 100 alias decodes
    assert not excessive_aliasing(1000, 999) and excessive_aliasing(1001, 999)  # more than 1,000 decodes
    assert not excessive_aliasing(10_000, 9_900) and excessive_aliasing(10_000, 9_901)  # more than 99%


def go_yaml_refuses(text: str) -> bool:
    """go-yaml v3's decoder.unmarshal, done the slow way: every alias of the document PyYAML
    composed is expanded, every node decoded is counted (as an alias decode below an alias), and
    the ratio is checked at each one."""
    import yaml

    def children(node: yaml.Node) -> list[yaml.Node]:
        if isinstance(node, yaml.MappingNode):
            return [child for pair in node.value for child in pair]
        return node.value if isinstance(node, yaml.SequenceNode) else []

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    home: dict[int, tuple[int, int] | None] = {id(root): None}  # where each node is written; elsewhere it is an alias

    def find_homes(node: yaml.Node) -> None:
        for index, child in enumerate(children(node)):
            if id(child) not in home:
                home[id(child)] = (id(node), index)
                find_homes(child)

    find_homes(root)
    count = {"decoded": 1, "aliases": 0}  # the document node

    def decode(node: yaml.Node, alias_depth: int) -> bool:
        count["decoded"] += 1
        count["aliases"] += alias_depth > 0
        if excessive_aliasing(count["decoded"], count["aliases"]):
            return True
        for index, child in enumerate(children(node)):
            if home[id(child)] == (id(node), index):
                refused = decode(child, alias_depth)
            else:  # the alias node, then its value one alias level deeper
                count["decoded"] += 1
                count["aliases"] += alias_depth > 0
                refused = excessive_aliasing(count["decoded"], count["aliases"]) or decode(child, alias_depth + 1)
            if refused:
                return True
        return False

    return decode(root, 0)


def bomb(copies: int) -> str:
    """Three levels of lists of nine aliases, then `copies` aliases of the third."""
    levels = "a: &a [" + ", ".join(["lol"] * 9) + "]\nb: &b [" + ", ".join(["*a"] * 9) + "]\nc: &c [" + ", ".join(["*b"] * 9) + "]\n"
    return levels + "d: [" + ", ".join(["*c"] * copies) + "]\n"


def test_excessive_aliasing_matches_go_yaml_on_both_sides_of_its_boundary():
    verdicts = {copies: go_yaml_refuses(bomb(copies)) for copies in range(1, 60)}
    first_refused = min(copies for copies, refused in verdicts.items() if refused)
    assert first_refused > 1 and all(verdicts[copies] for copies in range(first_refused, 60))
    for copies in (first_refused - 1, first_refused):
        spec, manifest = spec_errors(bomb(copies)), manifest_problems(bomb(copies))
        if copies < first_refused:
            assert spec == [] and manifest == []
        else:
            assert [(rule, line) for rule, line, *_ in spec] == [("YAML-ALIAS", 4)]
            assert [(line, message.split(":")[0]) for line, _, message in manifest] == [(4, "YAML-ALIAS")]


def test_a_billion_laughs_is_refused_in_milliseconds_at_the_alias_that_tips_the_ratio():
    text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    started = time.perf_counter()
    errors = spec_errors(text)
    problems = manifest_problems(text)
    assert time.perf_counter() - started < 0.2
    message = "excessive aliasing: 4,630 of the first 4,671 values are copies made by aliases — write the values out or use fewer aliases; kubectl's YAML reader (go-yaml) refuses this too"
    assert errors == [("YAML-ALIAS", 4, 25, message)]  # the fourth *a2 of a3
    assert problems == [(4, 5, f"YAML-ALIAS: {message}")]  # libyaml keeps no mark of an alias: the list holding it


def test_an_alias_inside_its_own_anchor_is_refused():
    text = "a: &loop\n  again: *loop\n"
    hint = "a value cannot contain itself: write the inner value out"
    assert spec_errors(text) == [("YAML-ALIAS", 2, 10, f"an alias inside the value of its own anchor — {hint}")]
    assert manifest_problems(text) == [(2, 3, f"YAML-ALIAS: an alias inside the value of its own anchor — {hint}")]


def test_ordinary_anchors_and_merge_keys_still_read():
    # (not `y:`: kubectl's reader takes that key for the boolean true, see test_yaml_scalars.py)
    text = "base: &b {x: 1, w: [1, 2]}\nother:\n  <<: *b\n  z: *b\n"
    expected = {"base": {"x": 1, "w": [1, 2]}, "other": {"x": 1, "w": [1, 2], "z": {"x": 1, "w": [1, 2]}}}
    docs, errors = parse_documents(text, "f.yaml")
    assert not errors and docs[0].data == expected
    assert [item.data for item in iter_documents(text)] == [expected]
    # An anchor defined again names the later value (YAML 1.2); ruamel would warn on stderr.
    docs, errors = parse_documents("a: &b 1\nb: &b 2\nc: *b\n", "f.yaml")
    assert not errors and docs[0].data == {"a": 1, "b": 2, "c": 2}


# ---------------------------------------------------------------- tags


def test_standard_tags_keep_working_in_both_readers():
    text = "a: !!str 1\nb: !!int '2'\nc: !!float 3\nd: !!bool true\ne: !!null ''\nf: !!map {x: 1}\ng: !!seq [1]\nh: !<tag:yaml.org,2002:str> 5\n"
    docs, errors = parse_documents(text, "f.yaml")
    expected = {"a": "1", "b": 2, "c": 3.0, "d": True, "e": None, "f": {"x": 1}, "g": [1], "h": "5"}
    assert not errors and docs[0].data == expected
    [document] = iter_documents(text)
    assert document.data == expected


@pytest.mark.parametrize(
    "value, shown, column",
    [("!!python/object/apply:os.system [echo]", "!!python/object/apply:os.system", 7), ("!!python/object:x.Y {a: 1}", "!!python/object:x.Y", 7), ("!vault secret", "!vault", 7), ("[1, !custom 2]", "!custom", 11)],
)
def test_unknown_tags_are_refused_where_they_are(value: str, shown: str, column: int):
    text = f"a: 1\nspec: {value}\n"
    assert spec_errors(text) == [("YAML-TAG", 2, column, f"unknown tag {shown!r} — {TAG_HINT}")]
    assert manifest_problems(text) == [(2, column, f"YAML-TAG: unknown tag {shown!r} — {TAG_HINT}")]


def test_binary_is_a_manifest_tag_but_not_a_spec_tag():
    text = "data: !!binary aGk=\n"
    assert spec_errors(text) == [("YAML-TAG", 1, 7, f"unknown tag '!!binary' — {TAG_HINT}")]
    assert [item.data for item in iter_documents(text)] == [{"data": "aGk="}]


# ---------------------------------------------------------------- encoding


def test_a_byte_that_is_not_utf8_is_located_in_characters(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_bytes("a: 1\nb: café \xe9\n".encode("utf-8").replace(b"\xc3\xa9\n", b"\xe9\n"))
    expected = "byte 0xe9 is not UTF-8 text — save the file as UTF-8 (the byte is not part of any UTF-8 character)"
    docs, errors = load_file(path, "s.yaml")
    assert [e.format() for e in errors] == [f"s.yaml:2:9: error[YAML-ENCODING]: {expected}"]  # é counts one column
    assert manifest_problems(path.read_bytes()) == [(2, 9, f"YAML-ENCODING: {expected}")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_utf16_and_utf32_specs_are_refused(tmp_path: Path, encoding: str):
    path = tmp_path / "s.yaml"
    path.write_bytes("a: 1\n".encode(encoding))
    _, errors = load_file(path, "s.yaml")
    name = encoding.upper()
    assert [e.format() for e in errors] == [f"s.yaml:1:1: error[YAML-ENCODING]: the file is {name} (it starts with a {name} byte order mark) — save it as UTF-8"]


def test_manifests_may_be_utf16_as_for_kubectl_but_not_utf32():
    assert [item.data for item in iter_documents("a: 1\n".encode("utf-16"))] == [{"a": 1}]
    assert manifest_problems("a: 1\n".encode("utf-32")) == [(1, 1, "YAML-ENCODING: the file is UTF-32 (it starts with a UTF-32 byte order mark) — save it as UTF-8")]


def test_a_utf8_byte_order_mark_is_fine(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    docs, errors = load_file(path, "s.yaml")
    assert not errors and docs[0].data == {"a": 1} and docs[0].positions[("a",)] == Location("s.yaml", 1, 1)


@pytest.mark.parametrize("character, hint", [("\x00", "a NUL byte: is the file UTF-16 or binary? save it as UTF-8 text"), ("\x07", "remove it, or write it as an escape (\\x07 style) in a double-quoted string")])
def test_control_characters_are_located(character: str, hint: str):
    text = f"a: 1\nb: é{character}\n"
    message = f"character U+{ord(character):04X} is not allowed in YAML — {hint}"
    assert spec_errors(text) == [("YAML-ENCODING", 2, 5, message)]
    assert manifest_problems(text) == [(2, 5, f"YAML-ENCODING: {message}")]
    assert manifest_problems(text.encode()) == [(2, 5, f"YAML-ENCODING: {message}")]


# ---------------------------------------------------------------- comments: linear time


def test_parse_time_grows_linearly_with_comments():
    """The round-trip scanner joined comment lines by concatenating a growing string: 4 times the
    comments took 16 times as long. Linear is 4 times; the margin absorbs a busy machine."""

    def seconds(mib: float) -> float:
        text = "a:\n  b: 1\n" + "  # " + "x" * 75 + "\n" * 1 + ("  # " + "x" * 75 + "\n") * int(mib * MiB / 80) + "  c: 2\n"
        best = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            docs, errors = parse_documents(text, "f.yaml")
            best = min(best, time.perf_counter() - started)
            assert not errors and docs[0].data == {"a": {"b": 1, "c": 2}}
        return best

    assert seconds(1) / seconds(0.25) < 8


# ---------------------------------------------------------------- configuration


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    assert current_limits() == InputLimits(256 * KiB, 4 * MiB, 100)
    monkeypatch.setenv(MAX_SPEC_BYTES_VARIABLE, "1MiB")
    monkeypatch.setenv(MAX_MANIFEST_BYTES_VARIABLE, "12")
    monkeypatch.setenv(MAX_DEPTH_VARIABLE, "200")
    assert current_limits() == InputLimits(MiB, 12, 200)
    assert spec_errors(nested_flow(200)) == []
    assert [rule for rule, *_ in spec_errors(nested_flow(201))] == ["YAML-DEPTH"]
    assert manifest_problems(b"a: 12345678\n") == []
    assert manifest_problems(b"a: 123456789\n") == [(1, 1, "YAML-SIZE: the file is larger than 12 bytes — no real manifest or CRD comes near this; split the file, or raise the limit with INFERPLANE_MAX_MANIFEST_BYTES")]


@pytest.mark.parametrize("value", ["0", "-1", "4 parsecs", "lots"])
def test_a_bad_limit_setting_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, value: str):
    monkeypatch.setenv(MAX_DEPTH_VARIABLE, value)
    with pytest.raises(UsageError, match=f"INFERPLANE_MAX_DEPTH='{value}': expected a positive whole number"):
        limits_module.current_limits()


# ---------------------------------------------------------------- inferplane validate


def test_validate_refuses_hostile_files_with_one_line_each_in_well_under_a_second(tmp_path: Path):
    from click.testing import CliRunner

    from compiler.cli import main

    laughs = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9))
    (tmp_path / "bomb.yaml").write_text(laughs)
    (tmp_path / "deep.yaml").write_text("a: " + "[" * 10_000 + "]" * 10_000 + "\n")
    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(50 * 1000 * 1000)
    (tmp_path / "tag.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: !!python/name:os.system ''}\n")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["validate", str(tmp_path)], catch_exceptions=False)
    assert time.perf_counter() - started < 1
    assert result.exit_code == 1
    assert [line.replace(f"{tmp_path}/", "").split(" — ")[0] for line in result.stdout.splitlines()] == [
        "bomb.yaml:4: YAML-ALIAS: excessive aliasing: 4,630 of the first 4,671 values are copies made by aliases",
        "deep.yaml:1: YAML-DEPTH: mappings and sequences nested deeper than 100 levels",
        "huge.yaml:1: YAML-SIZE: the file is larger than 4 MiB",
        "tag.yaml:4: YAML-TAG: unknown tag '!!python/name:os.system'",
    ]
