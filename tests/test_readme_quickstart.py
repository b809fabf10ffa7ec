"""The README's quick start is what .ci/run runs: its two commands, each verbatim and in order."""

from __future__ import annotations

import re

from tests.conftest import REPO


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "README's Quick start has a ```sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_quick_start_sets_up_a_venv_then_installs_compiles_and_tests():
    assert _quick_start_commands() == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && inferplane compile --env prod",
        "python -m pytest",
    ]


def test_ci_run_runs_the_quick_start_commands_verbatim_and_in_order():
    lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    positions = [lines.index(command) for command in _quick_start_commands()]
    assert positions == sorted(positions)
