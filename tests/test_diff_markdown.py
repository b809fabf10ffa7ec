"""The pull-request comment: summary first, one collapsed diff per changed resource, under GitHub's limit."""

from __future__ import annotations

from pathlib import Path

from compiler.diff import diff_trees, load_tree_from_folder, render_markdown
from compiler.diff.report_markdown import DEFAULT_MAX_CHARS, GITHUB_COMMENT_LIMIT

from .diff.builders import config_map, isvc, tree

CASES = Path(__file__).parent / "diff" / "cases"
GOLDEN = Path(__file__).parent / "diff" / "golden"


def test_summary_comes_first_and_names_environment_service_and_weights():
    base = tree(prod=[isvc(weight=10), config_map("untouched", a="1")], staging=[isvc(weight=10)])
    head = tree(prod=[isvc(weight=25), config_map("untouched", a="1")], staging=[isvc(weight=10)])
    text = render_markdown(diff_trees(base, head))
    summary, _, details = text.partition("<details>")
    assert "#### `prod`" in summary and "staging" not in summary
    assert "**`sklearn-iris`**" in summary and "canary weight 10% → 25%" in summary
    assert "<details>" in text and "```diff" in details


def test_only_changed_resources_get_a_block():
    base = tree(prod=[isvc(weight=10), config_map("untouched", a="1"), config_map("gone", a="1")])
    head = tree(prod=[isvc(weight=25), config_map("untouched", a="1"), config_map("fresh", b="2")])
    text = render_markdown(diff_trees(base, head))
    assert text.count("<details>") == 3
    assert "untouched" not in text
    for shown in ("InferenceService ml/sklearn-iris", "ConfigMap ml/gone", "ConfigMap ml/fresh"):
        assert shown in text
    # Each block holds only its own resource's lines.
    iris_block = next(block for block in text.split("<details>") if "InferenceService ml/sklearn-iris" in block)
    assert "-    canaryTrafficPercent: 10" in iris_block and "+    canaryTrafficPercent: 25" in iris_block
    assert "gone" not in iris_block and "fresh" not in iris_block


def test_a_large_diff_is_cut_under_the_comment_limit_with_a_note():
    big = "x" * 2_000
    # Each its own change (identical ones would collapse into one group line and one block).
    base = tree(prod=[config_map(f"cm-{i:03}", payload=f"{big}a{i}") for i in range(120)])
    head = tree(prod=[config_map(f"cm-{i:03}", payload=f"{big}b{i}") for i in range(120)])
    text = render_markdown(diff_trees(base, head))
    assert len(text) < DEFAULT_MAX_CHARS < GITHUB_COMMENT_LIMIT
    shown = text.count("<details>")
    assert 0 < shown < 120
    assert f"… {120 - shown} more resources not shown; run `inferplane diff` locally" in text
    assert text.index("#### `prod`") < text.index("<details>")  # the summary survives the cut


def test_the_limit_is_a_parameter():
    base = tree(prod=[config_map(f"cm-{i}", v=f"1{i}") for i in range(5)])
    head = tree(prod=[config_map(f"cm-{i}", v=f"2{i}") for i in range(5)])
    assert len(render_markdown(diff_trees(base, head), max_chars=1_500)) <= 1_500


def test_names_are_text_not_markup_and_fences_outgrow_backticks():
    base = tree(prod=[config_map("docs", readme="plain")])
    head = tree(prod=[config_map("docs", readme="```\ncode\n```\n<b>bold</b>")])
    text = render_markdown(diff_trees(base, head))
    assert "````diff" in text  # a longer fence than the content's own ```
    assert "<b>" not in text.split("<details>")[0]


def test_no_changes_says_so():
    same = tree(prod=[isvc()])
    assert render_markdown(diff_trees(same, same)).endswith("No changes.\n")


def test_golden_markdown(update_golden):
    case = CASES / "reviewer-words"
    result = diff_trees(load_tree_from_folder(case / "base"), load_tree_from_folder(case / "head"))
    # Fixed labels: the golden must not depend on where the repository is checked out.
    text = render_markdown(result.__class__(base="main", head="HEAD", environments=result.environments))
    golden = GOLDEN / "reviewer-words.md"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), "run `pytest --update-golden` and review the change"


def test_risky_changes_come_first_highest_rank_first_and_a_marker_leads():
    from compiler.diff.risk import risks

    case = CASES / "reviewer-words"
    result = diff_trees(load_tree_from_folder(case / "base"), load_tree_from_folder(case / "head"))
    ranks = [risk.rank for risk in risks(result)]
    assert ranks == sorted(ranks) and ranks[0] == 1  # wider access before traffic, GPUs and hosts
    text = render_markdown(result)
    assert text.startswith("<!-- inferplane-diff -->\n")
    assert text.index("Review first") < text.index("#### `prod`")


def test_max_bytes_counts_utf8_and_never_cuts_inside_a_block():
    case = CASES / "reviewer-words"
    result = diff_trees(load_tree_from_folder(case / "base"), load_tree_from_folder(case / "head"))
    for limit in (1_500, 3_000, 6_000):
        text = render_markdown(result, limit)
        assert len(text.encode("utf-8")) <= limit
        assert text.count("<details>") == text.count("</details>")
        assert text.count("```") % 2 == 0
