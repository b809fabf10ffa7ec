"""Secret values never appear in any output, whatever happens to the Secret."""

from __future__ import annotations

import base64

import pytest

from compiler.diff import diff_environments, diff_trees, render_json, render_markdown, render_text
from compiler.diff.redact import LAST_APPLIED

from .diff.builders import config_map, secret, tree

PLAIN = "hunter2-very-secret"
ENCODED = base64.b64encode(PLAIN.encode()).decode()
OTHER = base64.b64encode(b"another-secret-value").decode()


def outputs(result) -> str:
    return render_text(result, line_diffs=True) + render_markdown(result) + render_json(result)


def with_last_applied(body: dict) -> dict:
    body["metadata"]["annotations"] = {LAST_APPLIED: f'{{"data":{{"password":"{ENCODED}"}}}}'}
    return body


CASES = {
    "added": ([], [secret("db", password=ENCODED)]),
    "removed": ([secret("db", password=ENCODED)], []),
    "changed": ([secret("db", password=ENCODED)], [secret("db", password=OTHER)]),
    "renamed": ([secret("db-1a2b", password=ENCODED, user=OTHER)], [secret("db-3c4d", password=ENCODED, user=OTHER)]),
    "kubectl annotation": ([config_map("x")], [with_last_applied(secret("db", password=ENCODED))]),
}


@pytest.mark.parametrize("old, new", CASES.values(), ids=CASES.keys())
def test_secret_values_are_never_shown(old, new):
    result = diff_trees(tree(prod=old), tree(prod=new))
    assert result.changed
    text = outputs(result)
    assert ENCODED not in text and PLAIN not in text
    assert "(redacted, 19 bytes" in text  # the size of the decoded value, so a reviewer sees something changed


def test_an_unchanged_value_keeps_its_marker_and_a_changed_one_says_so():
    result = diff_trees(tree(prod=[secret("db", a=ENCODED, b=ENCODED)]), tree(prod=[secret("db", a=ENCODED, b=OTHER)]))
    [change] = result.environments[0].changes
    assert [(f.pointer, f.old, f.new) for f in change.fields] == [("/data/b", "(redacted, 19 bytes)", "(redacted, 20 bytes, changed)")]


def test_drift_between_environments_redacts_too():
    fleet = tree(staging=[secret("db", "ml-staging", password=ENCODED)], prod=[secret("db", "ml-prod", password=OTHER)])
    result = diff_environments(fleet, "staging", "prod")
    assert result.changed
    assert ENCODED not in outputs(result) and OTHER not in outputs(result)
