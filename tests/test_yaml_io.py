from compiler.errors import Location
from compiler.source.yaml_io import canonical, dump, parse_documents


def test_positions_of_keys_and_items_are_one_based():
    docs, _ = parse_documents("a: 1\nb:\n  - x\n  - y: 2\n", "f.yaml")
    assert docs[0].positions[("b",)] == Location("f.yaml", 2, 1)
    assert docs[0].positions[("b", 1, "y")] == Location("f.yaml", 4, 5)


def test_duplicate_keys_are_an_error_with_position():
    docs, errors = parse_documents("a: 1\na: 2\n", "f.yaml")
    assert docs == [] and errors[0].rule == "YAML-DUPLICATE-KEY" and errors[0].location.line == 2


def test_syntax_error_is_located():
    _, errors = parse_documents("a: [1, 2\nb: 3\n", "f.yaml")
    assert errors[0].rule == "YAML-SYNTAX" and errors[0].location.path == "f.yaml"


def test_empty_documents_are_skipped_and_indices_kept():
    docs, _ = parse_documents("a: 0\n---\n---\nb: 1\n", "f.yaml")
    assert [d.index for d in docs] == [0, 2]


def test_canonical_order_leads_with_identity_then_alphabetical():
    data = {"spec": {"z": 1, "a": 2}, "metadata": {"labels": {}, "name": "n"}, "kind": "K", "apiVersion": "v1"}
    assert list(canonical(data)) == ["apiVersion", "kind", "metadata", "spec"]
    assert list(canonical(data)["spec"]) == ["a", "z"]
    assert list(canonical(data)["metadata"]) == ["name", "labels"]


def test_dump_quotes_strings_that_would_change_type():
    text = dump({"a": "true", "b": "1.0", "c": "08", "d": None})
    assert text == "a: 'true'\nb: '1.0'\nc: '08'\nd: null\n"


def test_dump_never_folds_long_lines():
    assert dump({"a": "x " * 200}).count("\n") == 1


def test_dump_is_independent_of_insertion_order():
    assert dump({"b": 1, "a": {"d": 1, "c": 2}}) == dump({"a": {"c": 2, "d": 1}, "b": 1})


def test_merge_keys_resolve_and_locate_at_the_mapping():
    docs, errors = parse_documents("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert not errors
    assert docs[0].data["other"] == {"x": 1, "y": 2}
    assert docs[0].positions[("other", "y")] == Location("f.yaml", 4, 3)
    assert docs[0].positions[("other", "x")].path == "f.yaml"


def test_strings_that_yaml_1_1_reads_as_other_types_are_quoted():
    # kubectl, Argo CD and Flux parse with go-yaml v2 (YAML 1.1): `on` unquoted would be true.
    for word in ("yes", "on", "No", "y", "OFF", "0b101", "1:20", "=", "0o10", "1e3"):
        assert dump({"a": word}) == f"a: '{word}'\n", word
    assert dump({"a": "yesterday", "b": "online"}) == "a: yesterday\nb: online\n"
