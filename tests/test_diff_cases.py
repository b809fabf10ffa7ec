"""Diff cases as folders: tests/diff/cases/<case>/{base,head}/<env>/... and expect.yaml.

Adding a case means adding a folder. expect.yaml may hold:
  changes:        the exact list of changed resources (required) ({environment, status, resource[, old_resource]})
  summary:        items that must be in the summary (every key given must match); [] means none at all (required)
  fields:         field changes that must be among a resource's fields; [] means no resource has any
                  (this or fields_exactly is required: a case that checks nothing fails)
  fields_exactly: the complete field changes of the resources it names
  never_shown:    strings that must not appear in any output (text with line diffs, markdown, json)
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from compiler.diff import (
    diff_trees,
    load_tree_from_folder,
    render_json,
    render_markdown,
    render_text,
)

CASES = Path(__file__).parent / "diff" / "cases"
CASE_NAMES = sorted(path.name for path in CASES.iterdir() if (path / "expect.yaml").is_file())


def run_case(name: str):
    case = CASES / name
    expect = YAML(typ="safe").load((case / "expect.yaml").read_text(encoding="utf-8")) or {}
    result = diff_trees(load_tree_from_folder(case / "base"), load_tree_from_folder(case / "head"))
    return expect, result


@pytest.mark.parametrize("name", CASE_NAMES)
def test_changes(name):
    expect, result = run_case(name)
    assert "changes" in expect, "every case lists its changed resources"
    actual = sorted(
        (env.name, change.status, change.identity.display, change.old.identity.display if change.status == "renamed" else None)
        for env in result.environments
        for change in env.changes
    )
    wanted = sorted((c["environment"], c["status"], c["resource"], c.get("old_resource")) for c in expect["changes"])
    assert actual == wanted
    assert result.changed == bool(wanted) or any(env.summary for env in result.environments)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_summary(name):
    expect, result = run_case(name)
    items = [item for env in result.environments for item in env.summary]
    assert "summary" in expect, "every case states its summary (summary: [] for none)"
    if expect.get("summary") == []:
        assert items == []
        return
    for wanted in expect.get("summary") or []:
        matches = [item for item in items if all(getattr(item, key) == value for key, value in wanted.items())]
        assert matches, f"no summary item {wanted}; have:\n" + "\n".join(f"  {i.service}: {i.text} ({i.old!r} → {i.new!r})" for i in items)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_fields(name):
    expect, result = run_case(name)
    changes = {(env.name, change.identity.display): change for env in result.environments for change in env.changes}
    assert "fields" in expect or "fields_exactly" in expect, "every case states its field changes (fields: [] for none)"
    if expect.get("fields") == [] and not expect.get("fields_exactly"):
        assert {key: [f.to_dict() for f in change.fields] for key, change in changes.items() if change.fields} == {}
    for wanted in expect.get("fields") or []:
        change = changes[(wanted["environment"], wanted["resource"])]
        fields = [f.to_dict() for f in change.fields]
        keys = set(wanted) - {"environment", "resource"}
        assert any(all(f[key] == wanted[key] for key in keys) for f in fields), f"no field {wanted} in {fields}"
    exactly: dict[tuple, list] = {}
    for wanted in expect.get("fields_exactly") or []:
        exactly.setdefault((wanted["environment"], wanted["resource"]), []).append(
            {key: value for key, value in wanted.items() if key not in ("environment", "resource")}
        )
    for key, wanted_fields in exactly.items():
        actual = [{k: f.to_dict()[k] for k in w} for f, w in zip(changes[key].fields, wanted_fields)]
        assert len(changes[key].fields) == len(wanted_fields), [f.to_dict() for f in changes[key].fields]
        assert actual == wanted_fields


@pytest.mark.parametrize("name", CASE_NAMES)
def test_outputs_never_show_secrets_and_only_changed_resources(name):
    expect, result = run_case(name)
    outputs = {
        "text": render_text(result, line_diffs=True),
        "markdown": render_markdown(result),
        "json": render_json(result),
    }
    for secret in expect.get("never_shown") or []:
        for kind, text in outputs.items():
            assert secret not in text, f"{secret!r} leaked in {kind} output"
    changed = [change for env in result.environments for change in env.changes]
    assert outputs["markdown"].count("<details>") == len(changed)
    assert json.loads(outputs["json"])["changed"] == result.changed
