"""Text and JSON reporters: colour only when asked, stable JSON, the same data in every format."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.diff import diff_trees, load_tree_from_folder, render_json, render_text

from .diff.builders import config_map, isvc, tree

CASE = Path(__file__).parent / "diff" / "cases" / "reviewer-words"


def canary_result():
    return diff_trees(tree("main", prod=[isvc(weight=10)]), tree("HEAD", prod=[isvc(weight=25), config_map("new", a="1")]))


def test_text_has_ansi_colours_only_when_asked():
    result = canary_result()
    assert "\033[" not in render_text(result, color=False)
    assert "\033[32m" in render_text(result, color=True)


def test_text_names_environment_service_fields_and_old_and_new_values():
    text = render_text(canary_result())
    assert "== prod: 1 added, 1 changed ==" in text
    assert "sklearn-iris: canary weight 10% → 25%" in text
    assert "~ spec.predictor.canaryTrafficPercent: 10 → 25" in text
    assert "+ ConfigMap ml/new" in text


def test_text_can_include_line_diffs():
    text = render_text(canary_result(), line_diffs=True)
    assert "+    canaryTrafficPercent: 25" in text


def test_no_changes():
    same = tree(prod=[isvc()])
    result = diff_trees(same, same)
    assert not result.changed
    assert render_text(result).endswith("no changes\n")
    assert json.loads(render_json(result))["changed"] is False


def test_json_is_stable_and_sorted():
    first = render_json(diff_trees(load_tree_from_folder(CASE / "base"), load_tree_from_folder(CASE / "head")))
    second = render_json(diff_trees(load_tree_from_folder(CASE / "base"), load_tree_from_folder(CASE / "head")))
    assert first == second
    data = json.loads(first)
    assert json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n" == first


def test_json_does_not_depend_on_input_order():
    bodies = [isvc(weight=10), config_map("a", x="1"), config_map("b", y="2")]
    changed = [isvc(weight=25), config_map("a", x="2"), config_map("c", y="2")]
    forward = render_json(diff_trees(tree(prod=bodies), tree(prod=changed)))
    backward = render_json(diff_trees(tree(prod=bodies[::-1]), tree(prod=changed[::-1])))
    assert forward == backward


def test_json_carries_pointers_summary_and_counts():
    data = json.loads(render_json(canary_result()))
    [environment] = data["environments"]
    assert environment["counts"] == {"added": 1, "changed": 1, "removed": 0, "renamed": 0}
    [iris] = [r for r in environment["resources"] if r["kind"] == "InferenceService"]
    assert iris["fields"] == [
        {"op": "replace", "pointer": "/spec/predictor/canaryTrafficPercent", "path": "spec.predictor.canaryTrafficPercent", "old": 10, "new": 25}
    ]
    [traffic] = [item for item in environment["summary"] if item["topic"] == "traffic"]
    assert (traffic["environment"], traffic["service"], traffic["old"], traffic["new"]) == ("prod", "sklearn-iris", 10, 25)
