"""The validation corpus: every file under tests/validation/{valid,invalid} is a case."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.validate import SchemaRegistry, validate_paths
from compiler.validate.engine import make_engine
from tests.conftest import SHARED_CRDS, needs_shared

CORPUS = Path(__file__).parent / "validation"
VALID = sorted((CORPUS / "valid").glob("*.y*ml"))
INVALID = sorted((CORPUS / "invalid").glob("*.y*ml"))
_EXPECT = re.compile(r"^#\s*expect:\s*(?P<pointer>(/[^:]*)?):\s*(?P<message>.+?)\s*$")


def _engines() -> list[str]:
    engines = ["python-jsonschema"]
    try:
        make_engine("jsonschema-rs")
        engines.insert(0, "jsonschema-rs")
    except ImportError:
        pass
    return engines


@pytest.fixture(scope="module", params=_engines())
def registry(request) -> SchemaRegistry:
    return SchemaRegistry("1.33", crd_paths=[SHARED_CRDS], engine=request.param)


def expectations(path: Path) -> list[tuple[str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = _EXPECT.match(line)
        if match:
            found.append((match.group("pointer"), match.group("message")))
    return found


def test_corpus_is_not_empty():
    assert VALID and INVALID
    for path in INVALID:
        assert expectations(path), f"{path.name}: an invalid case needs at least one '# expect: /pointer: message' line"


@needs_shared
@pytest.mark.parametrize("path", VALID, ids=[p.name for p in VALID])
def test_valid_file_has_no_issue(path: Path, registry: SchemaRegistry):
    report = validate_paths([path], registry)
    assert [f"{i.pointer}: {i.message}" for i in report.issues] == []
    assert report.ok and report.counts["valid"] == report.counts["resources"] > 0


@needs_shared
@pytest.mark.parametrize("path", INVALID, ids=[p.name for p in INVALID])
def test_invalid_file_has_exactly_the_expected_issues(path: Path, registry: SchemaRegistry):
    report = validate_paths([path], registry)
    remaining = list(report.issues)
    for pointer, message in expectations(path):
        match = next((issue for issue in remaining if issue.pointer == pointer and message in issue.message), None)
        assert match is not None, f"expected {pointer}: {message!r}; got {[f'{i.pointer}: {i.message}' for i in remaining]}"
        remaining.remove(match)
    assert remaining == [], f"unexpected issues: {[f'{i.pointer}: {i.message}' for i in remaining]}"
    assert not report.ok
    assert all(issue.line for issue in report.issues if issue.pointer), "every issue inside a document has a line"
