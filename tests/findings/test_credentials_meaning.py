"""rules/credentials.py, the detector SEC-01 and SEC-02 share: the kind a credential's name says,
credentials in URLs, how much of a value a message shows, and the allow-list comment's reach."""

from __future__ import annotations

import pytest

from compiler.errors import Location
from compiler.rules.credentials import Credential, allowlisted, credentials_in, describe, written_at

VALUE = "hunter2xyz"  # pragma: allowlist secret


@pytest.mark.parametrize(("name", "kind"), [
    ("PASSWORD", "a password"), ("DB_PWD", "a password"), ("CONTRASENA", "a password"),
    ("URL_SIG", "a signature"), ("SIGNATURE", "a signature"),
    ("API_KEY", "an API key"), ("APIKEY", "an API key"),
    ("ACCESS_KEY", "a secret key"), ("PRIVATE_KEY", "a secret key"),
    ("TOKEN", "a token"), ("CREDENTIAL", "a credential"), ("CREDENTIALS", "a credential"), ("SECRET", "a secret"),
])
def test_the_kind_a_name_says(name, kind):
    assert credentials_in(VALUE, name) == (Credential(kind, VALUE),)


@pytest.mark.parametrize("name", ["DB_PASSWORD_FILE", "MYPASS", "USERNAME"])
def test_names_that_say_no_credential(name):
    assert credentials_in(VALUE, name) == ()


def test_credentials_in_urls():
    assert credentials_in(f"https://user:{VALUE}@example.com/x") == (Credential("a password in a URL", VALUE),)
    assert credentials_in("https://@example.com/x") == ()  # an empty user part holds nothing


def test_a_message_shows_four_characters_of_a_value_of_eight_or_more():
    assert Credential("a token", "12345678").shown == "'1234…'"
    assert Credential("a token", "1234567").shown == "'…'"


@pytest.fixture
def spec_file(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text("a: 1\n# pragma: allowlist nextline secret\nb: x\nc: y  # pragma: allowlist secret\nd: z\ne: |\n  z\n---\nf: z\ng: XXXX\n")
    return str(path)


def test_the_allow_list_comment_on_the_line_or_the_line_above(spec_file):
    assert [allowlisted(Location(spec_file, line)) for line in (1, 2, 3, 4, 5)] == [False, False, True, True, False]
    assert not allowlisted(Location(spec_file, 0)) and not allowlisted(None)


def test_a_patch_operations_lines_count_from_its_first(spec_file):
    assert allowlisted(Location(spec_file, 5), since=Location(spec_file, 4))
    assert allowlisted(Location(spec_file, 4), since=Location(spec_file, 4))
    assert not allowlisted(Location(spec_file, 5), since=Location(spec_file, 5))
    assert not allowlisted(Location(spec_file, 5), since=Location(spec_file, 6))  # after the finding: ignored
    assert not allowlisted(Location(spec_file, 5), since=Location(spec_file, 0))
    assert not allowlisted(Location(spec_file, 5), since=Location("other.yaml", 4))


def test_where_a_value_is_written_from_a_start_within_its_document(spec_file):
    assert written_at(Location(spec_file, 1), "z") == Location(spec_file, 5, 4)
    assert written_at(Location(spec_file, 6), "z\n") == Location(spec_file, 7, 3)
    assert written_at(Location(spec_file, 8), "z") == Location(spec_file, 9, 4)  # a start on the separator itself
    assert written_at(Location(spec_file, 9), "z") == Location(spec_file, 9, 4)  # the document's own first line
    assert written_at(Location(spec_file, 7), "f: z") is None  # past the end of its document
    assert written_at(Location(spec_file, 0), "a: 1") == Location(spec_file, 1, 1)
    assert written_at(Location(spec_file, 1), "") is None
    assert written_at(Location(spec_file, 9), "  \n") is None  # a blank value is written nowhere


def test_a_patch_operation_from_the_first_line_or_none(spec_file):
    assert allowlisted(Location(spec_file, 5), since=Location(spec_file, 1))  # lines 1..5 hold line 4's comment
    assert allowlisted(Location(spec_file, 4), since=Location(spec_file, 0))  # no operation line: the finding's own


def test_the_comment_above_a_finding_past_the_last_line(tmp_path):
    path = tmp_path / "short.yaml"
    path.write_text("a: 1\n# pragma: allowlist nextline secret\n")
    assert allowlisted(Location(str(path), 3))


def test_a_file_that_is_not_utf8_is_still_read(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"a: \xff\nb: x  # pragma: allowlist secret\n")
    assert allowlisted(Location(str(path), 2)) and not allowlisted(Location(str(path), 1))


def test_several_credentials_in_one_message():
    found = (Credential("a token", "x" * 8), Credential("a password", "y" * 8), Credential("a secret", "z" * 8))
    assert describe(found) == "a token ('xxxx…'), a password ('yyyy…') and a secret ('zzzz…')"
    assert describe(found[:1]) == "a token ('xxxx…')"
