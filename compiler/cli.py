"""The command line: parse, build, run, report, exit. The only module that imports click.

Exit codes: 0 success; 1 the input, the output or a check failed; 2 the command was used wrongly.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .errors import UsageError
from .load import display_path
from .pipeline import CompileOptions, CompileResult, compile_project
from .report import diagnostics_text, summary_line, to_json
from .write import compare, write_tree

OUTPUT_FORMATS = click.Choice(["text", "json"])


class _Group(click.Group):
    """Usage errors exit 2 (click's default); our own UsageError joins them."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            click.echo(f"inferplane: error: {exc}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inferplane")
@click.option("-C", "--project", "project", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Project root (holds services/, environments/, overlays/).")
@click.pass_context
def main(ctx: click.Context, project: Path) -> None:
    """Compile model-service specs into validated, deterministic Kubernetes manifests."""
    ctx.obj = project


def _emit_diagnostics(result: CompileResult) -> None:
    if result.diagnostics:
        names = [env.name for env in result.environments]
        click.echo(diagnostics_text(result.diagnostics, names), err=True)


@main.command("compile")
@click.option("--env", "envs", multiple=True, help="Environment to compile (repeatable).")
@click.option("--all", "all_envs", is_flag=True, help="Compile every environment.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if rendered/ differs from what compile would write.")
@click.option("--strict", is_flag=True, help="A custom resource with no schema is an error.")
@click.option("--crd", "crds", multiple=True, type=click.Path(exists=True, path_type=Path), help="CRD file or folder to validate custom resources with (repeatable).")
@click.option("-o", "--output", "output", type=OUTPUT_FORMATS, default="text", show_default=True)
@click.pass_obj
def compile_command(project: Path, envs: tuple[str, ...], all_envs: bool, check: bool, strict: bool, crds: tuple[Path, ...], output: str) -> None:
    """Render rendered/<env>/ for the chosen environments (nothing is written on any error)."""
    if bool(envs) == all_envs:
        raise click.UsageError("give --env ENV (repeatable) or --all")
    options = CompileOptions(crd_paths=crds, strict=strict)
    result = compile_project(project, None if all_envs else list(dict.fromkeys(envs)), options)
    _emit_diagnostics(result)
    out_root = project / "rendered"
    report: dict = {"ok": result.ok, "diagnostics": [d.to_dict() for d in result.diagnostics], "environments": []}
    if not result.ok:
        click.echo(f"compile failed: {summary_line(result.diagnostics)}; nothing written", err=True)
        if output == "json":
            click.echo(to_json(report))
        sys.exit(1)
    stale_any = False
    for env in result.environments:
        folder = out_root / env.name
        entry = {"name": env.name, "path": display_path(folder), "manifests": len(env.manifests), "files": sorted(env.files)}
        if check:
            staleness = compare(folder, env.files)
            entry["stale"] = {"changed": list(staleness.changed), "missing": list(staleness.missing), "extra": list(staleness.extra)}
            stale_any |= staleness.stale
            for name in staleness.changed:
                click.echo(f"{display_path(folder / name)}: stale: differs from what compile would write", err=True)
            for name in staleness.missing:
                click.echo(f"{display_path(folder / name)}: stale: missing, compile would write it", err=True)
            for name in staleness.extra:
                click.echo(f"{display_path(folder / name)}: stale: not written by compile, would be removed", err=True)
        else:
            write_tree(folder, env.files)
            if output == "text":
                click.echo(f"{env.name}: {len(env.manifests)} manifests → {display_path(folder)}/")
        report["environments"].append(entry)
    if check and output == "text":
        click.echo("rendered tree is stale: run `inferplane compile` and commit the result" if stale_any else "rendered tree is up to date", err=stale_any)
    if output == "json":
        report["stale"] = stale_any
        click.echo(to_json(report))
    sys.exit(1 if stale_any else 0)


@main.command("schema")
@click.option("--check", is_flag=True, help="Exit 1 if schemas/ is stale instead of writing it.")
@click.pass_obj
def schema_command(project: Path, check: bool) -> None:
    """Write the JSON Schemas of ModelService and Environment to schemas/."""
    from .spec.schema import stale_schemas, write_schemas

    folder = project / "schemas"
    if check:
        stale = stale_schemas(folder)
        for name in stale:
            click.echo(f"{display_path(folder / name)}: stale: run `inferplane schema`", err=True)
        sys.exit(1 if stale else 0)
    for name in write_schemas(folder):
        click.echo(f"wrote {display_path(folder / name)}")


@main.command("explain")
@click.argument("rule_id")
def explain_command(rule_id: str) -> None:
    """Show what a rule checks, why, and its upstream source."""
    from .rules import all_rules

    rules = {rule.id: rule for rule in all_rules()}
    rule = rules.get(rule_id.upper())
    if rule is None:
        raise UsageError(f"unknown rule {rule_id!r}; known rules: {', '.join(sorted(rules))}")
    click.echo(f"{rule.id} ({rule.severity}): {rule.summary}\n")
    click.echo(rule.doc)
    if rule.source:
        click.echo(f"\nSource: {rule.source}")


if __name__ == "__main__":  # pragma: no cover
    main()
