"""`inferplane --version` and `--help` import click and the leaves only (docs/performance.md):
the stage modules are imported by the commands that run them."""

from __future__ import annotations

import subprocess
import sys

import pytest

from compiler import cli
from compiler.emit.images import IMAGE_FORMATS

HEAVY = ("compiler.pipeline", "compiler.validate", "compiler.spec.models", "pydantic", "detect_secrets", "ruamel.yaml", "compiler.diff")


def _modules_after(*args: str) -> set[str]:
    code = f"import sys\nfrom compiler.cli import main\ntry:\n    main({list(args)!r})\nexcept SystemExit:\n    pass\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.splitlines())


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("compile", "--help"), ("validate", "--help")])
def test_help_and_version_import_no_stage(args):
    loaded = _modules_after(*args)
    assert "click" in loaded and "compiler.cli" in loaded
    assert sorted(name for name in HEAVY if name in loaded) == []


def test_a_command_still_imports_what_it_runs():
    """The other side: the check above can fail (a compile loads the pipeline)."""
    loaded = _modules_after("-C", "examples/kind-scale-to-zero", "compile", "--all", "--check")
    assert "compiler.pipeline" in loaded


def test_the_images_formats_spelled_in_the_cli_are_the_emitters():
    assert cli.IMAGE_FORMATS == IMAGE_FORMATS
