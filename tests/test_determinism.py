"""Same inputs, same bytes: across runs, hash seeds and the order files were created in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from compiler.output.write import existing_files
from tests.conftest import REPO

INPUTS = ("services", "environments", "overlays")


def copy_project(target: Path, reverse: bool) -> None:
    for folder in INPUTS:
        files = sorted((REPO / folder).rglob("*"), reverse=reverse)
        for path in files:
            if path.is_file():
                dest = target / path.relative_to(REPO)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


def compile_in(project: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    # Environments point at ../../shared/crds relative to their files: mirror it with --crd.
    crds = REPO.parent / "shared" / "crds"
    extra = ["--crd", str(crds)] if crds.is_dir() else []
    subprocess.run([sys.executable, "-m", "compiler", "-C", str(project), "compile", "--all", *extra], check=True, env=env, capture_output=True)
    return existing_files(project / "rendered")


def test_output_is_byte_identical_across_seeds_and_file_order(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    copy_project(first, reverse=False)
    copy_project(second, reverse=True)
    out_first = compile_in(first, "1")
    out_second = compile_in(second, "4242")
    assert out_first and out_first == out_second


def test_output_matches_the_committed_tree(tmp_path):
    copy_project(tmp_path, reverse=False)
    out = compile_in(tmp_path, "7")
    assert out == existing_files(REPO / "rendered")
