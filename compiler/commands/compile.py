"""`inferplane compile`: run the pipeline, print what it found, write or check rendered/.

The click wrapper is cli.py's; it prints through a `say(text, err=False)` callable, which the build
record (build_cache.py) keeps to print again when nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from textwrap import indent
from typing import Callable

from .. import pipeline  # pipeline.compile_project looked up at call time: tests replace it
from ..output.layout import GITOPS_DIR
from ..output.transaction import compare_rendered, write_rendered
from ..output.write import Staleness
from ..pipeline import CompileResult
from ..plan.budget import budget_text
from ..source.load import display_path
from .annotations import FORMATS, annotations
from .build_cache import environment_inputs
from .parallel import compile_environments
from .report import diagnostics_text, errors_only, summary_line, to_json

Say = Callable[..., None]


@dataclass(frozen=True)
class CompileChoices:
    check: bool
    strict: bool
    crds: tuple[Path, ...]
    output: str
    quiet: bool
    cache: bool = True


def emit_diagnostics(result: CompileResult, quiet: bool = False, output: str = "text", *, say: Say) -> None:
    shown = errors_only(result.diagnostics) if quiet else result.diagnostics
    if output in FORMATS:
        text = annotations(output, shown)
        if text:
            say(text)
    elif shown:
        names = [env.name for env in result.environments]
        say(diagnostics_text(shown, names), err=True)


def _echo_stale(folder: Path, staleness: Staleness, say: Say) -> None:
    for name in staleness.changed:
        say(f"{display_path(folder / name)}: stale: differs from what compile would write", err=True)
    for name in staleness.missing:
        say(f"{display_path(folder / name)}: stale: missing, compile would write it", err=True)
    for name in staleness.extra:
        say(f"{display_path(folder / name)}: stale: not written by compile, would be removed", err=True)


def environment_dependencies(project: Path, result: CompileResult) -> list[str]:
    """What the environments' validation reads beside the project's folders (CRDs, schema folders)."""
    deps = []
    for env in result.environments:
        if env.environment is not None:
            validation = env.environment.spec.validation
            deps += environment_inputs(project / "environments", list(validation.crds), list(validation.schema_locations) + list(validation.kserve_crds))
    return deps


def compile_and_report(project: Path, env_list: list[str] | None, choices: CompileChoices, say: Say) -> int:
    """Compile, print (through `say`) and write or check rendered/; the exit code. Sets
    `say.result` and `say.replayable` (no notice about this run's rendered/) for the build record."""
    check, output, quiet = choices.check, choices.output, choices.quiet
    result = pipeline.compile_project(project, env_list, pipeline.CompileOptions(crd_paths=choices.crds, strict=choices.strict, cache=choices.cache, run_environments=compile_environments))
    say.result = result
    emit_diagnostics(result, quiet, output, say=say)
    out_root = project / "rendered"
    report: dict = {"ok": result.ok, "diagnostics": [d.to_dict() for d in result.diagnostics], "environments": []}
    if not result.ok:
        say(f"compile failed: {summary_line(result.diagnostics)}; nothing written", err=True)
        if output == "json":
            say(to_json(report))
        return 1
    # Every folder this run renders, written (or compared) as one transaction over rendered/.
    entries = {env.name: env.files for env in result.environments} | {GITOPS_DIR: result.fleet_files}
    if check:
        staleness, notices = compare_rendered(out_root, entries)
    else:
        staleness, notices = {}, write_rendered(out_root, entries)
    if notices and not quiet:
        say(diagnostics_text(notices), err=True)
    stale_any = False
    for env in result.environments:
        folder = out_root / env.name
        entry = {"name": env.name, "path": display_path(folder), "manifests": len(env.manifests), "files": sorted(env.files), "gpuBudget": [line.to_dict() for line in env.gpu_budget]}
        if check:
            stale = staleness[env.name]
            entry["stale"] = {"changed": list(stale.changed), "missing": list(stale.missing), "extra": list(stale.extra)}
            stale_any |= stale.stale
            _echo_stale(folder, stale, say)
        elif output == "text" and not quiet:
            say(f"{env.name}: {len(env.manifests)} manifests → {display_path(folder)}/")
        if output == "text" and env.gpu_budget and not quiet:
            say(indent(budget_text(env.gpu_budget), "  GPU budget: "), err=check)
        report["environments"].append(entry)
    if check:
        stale_any |= staleness[GITOPS_DIR].stale
        _echo_stale(out_root / GITOPS_DIR, staleness[GITOPS_DIR], say)
    if check and output != "json" and (stale_any or not quiet):
        say("rendered tree is stale: run `inferplane compile` and commit the result" if stale_any else "rendered tree is up to date", err=stale_any)
    if output == "json":
        report["stale"] = stale_any
        say(to_json(report))
    say.replayable = not notices  # a notice tells of this run's rendered/ (a recovery): not of the inputs
    return 1 if stale_any else 0
