"""The mutation run's CORE table (bench/mutation.py) names every rule module and every emitter,
each with test files that exist: a new module cannot stay out of the measure unnoticed."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from mutation import CORE  # noqa: E402

NOT_CORE = {"rules/__init__.py", "rules/registry.py", "emit/__init__.py"}  # imports and the registry: no behaviour of their own


def test_every_rule_module_and_emitter_is_a_core_module():
    modules = {path.relative_to(REPO / "compiler").as_posix() for folder in ("rules", "emit") for path in (REPO / "compiler" / folder).glob("*.py")}
    assert sorted(modules - NOT_CORE - set(CORE)) == []


def test_every_core_module_and_its_tests_exist():
    assert [module for module in CORE if not (REPO / "compiler" / module).is_file()] == []
    assert {module: missing for module, tests in CORE.items() if (missing := [t for t in tests if not (REPO / t).exists()])} == {}
