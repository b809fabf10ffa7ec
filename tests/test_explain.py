"""`inferplane explain` answers for every ID any command can print: rules and the stages' own IDs."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.commands.diagnostic_ids import DIAGNOSTIC_IDS
from compiler.commands.explain import known_ids
from tests.conftest import REPO

ID_SHAPE = re.compile(r"^(?:[A-Z]{2,}(?:-[A-Z0-9]+)+|IO|VERSION|PROMOTE)$")
NOT_IDS = {"UTF-8", "UTF-16", "UTF-32"}  # encodings named in messages
PRINTED = re.compile(r"\b(?:error|warning|notice)\[([A-Z0-9-]+)\]")


def ids_in_code() -> set[str]:
    found = set()
    for path in (REPO / "compiler").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID_SHAPE.match(node.value):
                found.add(node.value)
    return found - NOT_IDS


def ids_in_goldens() -> set[str]:
    found = set()
    for golden in [*REPO.glob("tests/bad_input/*/stderr.txt"), *REPO.glob("tests/cases/*/expected/stderr*.txt")]:
        found.update(PRINTED.findall(golden.read_text(encoding="utf-8")))
    return found


def test_every_id_in_the_code_is_explained():
    assert sorted(ids_in_code() - set(known_ids())) == []


def test_every_id_a_golden_shows_is_explained():
    printed = ids_in_goldens()
    assert len(printed) > 40  # the corpus prints many IDs: the scan itself works
    assert sorted(printed - set(known_ids())) == []


def test_no_stage_id_shadows_a_rule():
    from compiler.rules import all_rules

    assert {rule.id for rule in all_rules()} & set(DIAGNOSTIC_IDS) == set()


@pytest.mark.parametrize(("given", "first_line"), [
    ("yaml-alias", "YAML-ALIAS (source): aliases expand far beyond the document (a billion-laughs bomb)"),
    ("KS-03", "KS-03 (error): service name is a DNS label KServe accepts"),
])
def test_explain_prints_the_id_its_stage_or_severity_and_summary(given, first_line):
    result = CliRunner().invoke(main, ["explain", given])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == first_line


def test_an_unknown_id_is_a_usage_error_with_the_closest_one():
    result = CliRunner().invoke(main, ["explain", "ks03"])
    assert result.exit_code == 2
    assert result.stderr == "inferplane: error: unknown ID 'KS03' — did you mean 'KS-03'? — `inferplane explain --list` lists every ID\n"


def test_list_names_every_id_once_with_its_summary():
    result = CliRunner().invoke(main, ["explain", "--list"])
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.splitlines()]
    assert listed == known_ids()
    assert any(line.startswith("OUT-WRITE ") and line.endswith("the rendered tree could not be written") for line in result.output.splitlines())


@pytest.mark.parametrize("args", [["explain"], ["explain", "KS-03", "--list"]])
def test_explain_needs_one_id_or_list(args):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr == "inferplane: error: give one ID or --list (not both)\n"
