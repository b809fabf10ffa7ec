"""Every rule case states its exact findings: file:line:col, ID, message and hint of every
diagnostic, so a case also says that no other rule fires. The cases are tests/test_rules.py's
FIRING and QUIET tables plus the boundaries and branches of tests/findings/cases.py; the expected
lines are in expected.yaml (written by `pytest tests/findings --update-golden`, then read).
A case without an expectation fails, and the registry walk fails when a rule has no case that
checks its message and location and no case where it stays quiet."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml

from compiler.rules import REGISTRY, all_rules
from tests import test_rules
from tests.findings import cases
from tests.findings.exact import finding_lines

EXPECTED_FILE = Path(__file__).with_name("expected.yaml")


def _name(kind: str, rule_id: str, service_patch, env_patch) -> str:
    inputs = json.dumps([service_patch, env_patch], sort_keys=True, default=str)
    return f"{kind} {rule_id} {hashlib.sha256(inputs.encode()).hexdigest()[:10]}"


def _cases() -> dict[str, tuple[str, str, dict | None, dict | None]]:
    found = {}
    for kind, table in (("fires", test_rules.FIRING + cases.FIRING), ("quiet", test_rules.QUIET + cases.QUIET)):
        for rule_id, service_patch, env_patch in table:
            found[_name(kind, rule_id, service_patch, env_patch)] = (kind, rule_id, service_patch, env_patch)
    return found


CASES = _cases()


def _expected() -> dict[str, list[str]]:
    return yaml.safe_load(EXPECTED_FILE.read_text()) or {} if EXPECTED_FILE.is_file() else {}


EXPECTED = _expected()


def _located_line(rule_id: str) -> re.Pattern:
    return re.compile(rf"^[^:\s]+:\d+:\d+: (error|warning)\[{re.escape(rule_id)}\]: \S.* — \S.* @ \S+$")


@pytest.mark.parametrize("name", sorted(CASES))
def test_case_has_exactly_its_findings(name, update_golden):
    kind, rule_id, service_patch, env_patch = CASES[name]
    lines = finding_lines(service_patch, env_patch)
    if update_golden:
        current = _expected()
        current[name] = lines
        EXPECTED_FILE.write_text(yaml.safe_dump(dict(sorted(current.items())), allow_unicode=True, width=1000, sort_keys=False))
        return
    assert name in EXPECTED, f"{name} has no expected findings: run pytest tests/findings --update-golden and read the result"
    fired = [line for line in lines if f"[{rule_id}]: " in line]
    assert (kind == "fires") == bool(fired), f"{rule_id} should {'fire' if kind == 'fires' else 'stay quiet'}: {lines}"
    assert lines == EXPECTED[name]


def test_no_expectation_without_a_case():
    assert sorted(set(EXPECTED) - set(CASES)) == []


def test_every_registered_rule_has_an_exact_firing_case_and_a_quiet_case():
    all_rules()
    missing = []
    for rule_id in sorted(REGISTRY):
        pattern = _located_line(rule_id)
        firing = [name for name, case in CASES.items() if case[:2] == ("fires", rule_id) and any(pattern.match(line) for line in EXPECTED.get(name, []))]
        quiet = [name for name, case in CASES.items() if case[:2] == ("quiet", rule_id) and name in EXPECTED and not any(f"[{rule_id}]: " in line for line in EXPECTED[name])]
        if not firing:
            missing.append(f"{rule_id}: no FIRING case with its exact message at file:line:col")
        if not quiet:
            missing.append(f"{rule_id}: no QUIET case")
    assert missing == []


def test_the_walk_fails_for_a_rule_without_cases(monkeypatch):
    """The registry walk is not vacuous: a rule no case mentions makes it fail."""
    from compiler.rules.registry import Rule

    monkeypatch.setitem(REGISTRY, "ZZ-UNTESTED", Rule("ZZ-UNTESTED", "never tested", "error", lambda ctx: iter(()), "nowhere"))
    with pytest.raises(AssertionError, match="ZZ-UNTESTED: no FIRING case"):
        test_every_registered_rule_has_an_exact_firing_case_and_a_quiet_case()
