"""The command line: parse, build, run, report, exit. The only module that imports click.

Exit codes (docs/security-errors.md): 0 success; 1 the input, the output or a check failed; 2 the
command was used wrongly; 70 a bug in inferplane (an unexpected exception).
"""

from __future__ import annotations

import errno
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

import click

from . import __version__
from .errors import InputError, UsageError, unknown_names

if TYPE_CHECKING:
    from .pipeline import CompileResult

# Only what every command needs is imported here: `inferplane --version` and `--help` must not pay
# for pydantic, the validator and detect-secrets (docs/performance.md). Each command imports its
# stage modules itself.
OUTPUT_FORMATS = click.Choice(["text", "json", "sarif", "github"])
# emit/images.py's IMAGE_FORMATS, spelled here so --help does not import the emitters
# (tests/test_cli_lazy.py holds the two equal).
IMAGE_FORMATS = ("text", "json", "skopeo")


def _project_of(ctx: click.Context) -> Path:
    """The -C folder while completing (the group's callback has not run yet)."""
    return Path(ctx.find_root().params.get("project") or ".")


def _complete_environments(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    from .commands.completion import environment_names

    return environment_names(_project_of(ctx), incomplete)


def _complete_services(ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    from .commands.completion import service_names

    return service_names(_project_of(ctx), incomplete)


def _complete_ids(_ctx: click.Context, _param: click.Parameter, incomplete: str) -> list[str]:
    from .commands.completion import diagnostic_id_names

    return diagnostic_id_names(incomplete)


QUIET = click.option("-q", "--quiet", is_flag=True, help="Print errors only (no warnings, notices or progress).")


class _SchemaSourceErrorType(type):
    def __instancecheck__(cls, exc) -> bool:
        loaded = sys.modules.get("compiler.validate.crdsource")
        return loaded is not None and isinstance(exc, loaded.SchemaSourceError)

    def __subclasscheck__(cls, klass) -> bool:
        loaded = sys.modules.get("compiler.validate.crdsource")
        return loaded is not None and issubclass(klass, loaded.SchemaSourceError)


class _SchemaSourceError(Exception, metaclass=_SchemaSourceErrorType):
    """validate.SchemaSourceError without importing the validator: an exception of that class can
    only exist once its module was imported by the command that raised it."""


class _Group(click.Group):
    """Every error leaves here with its exit code: usage 2, input 1 (located lines), a bug 70 (one line)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UsageError as exc:
            click.echo(f"inferplane: error: {exc}", err=True)
            ctx.exit(2)
        except _SchemaSourceError as exc:
            click.echo(f"inferplane: error: unusable schema source: {exc}", err=True)
            ctx.exit(1)
        except InputError as exc:
            from .commands.report import diagnostics_text

            # A stage that cannot go on (unreadable tree, broken schema source): located lines, exit 1.
            click.echo(diagnostics_text(exc.diagnostics), err=True)
            ctx.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click's own: usage errors (exit 2), --help and --version, Ctrl-C
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            from .commands.report import EXIT_INTERNAL_ERROR, internal_error_line, os_error_line

            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # the reader went away (`| head`): click's main exits quietly
            if isinstance(exc, OSError) and exc.filename is not None:
                click.echo(os_error_line(exc), err=True)
                ctx.exit(1)
            debug = bool(ctx.params.get("debug"))
            if debug:
                click.echo(traceback.format_exc().rstrip("\n"), err=True)
            click.echo(internal_error_line(exc, debug), err=True)
            ctx.exit(EXIT_INTERNAL_ERROR)


@click.group(cls=_Group, name="inferplane", context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="inferplane")
@click.option("-C", "--project", "project", type=click.Path(exists=True, file_okay=False, path_type=Path), default=Path("."), show_default=True, help="Project root (holds services/, environments/, overlays/).")
@click.option("--debug", is_flag=True, help="On an internal error (a bug in inferplane), print the traceback too.")
@click.pass_context
def main(ctx: click.Context, project: Path, debug: bool) -> None:
    """Compile model-service specs into validated, deterministic Kubernetes manifests."""
    ctx.obj = project


class _Printed:
    """click.echo that also keeps what it printed, for the build record to print again."""

    def __init__(self) -> None:
        self.parts: list[tuple[bool, str]] = []
        self.result: CompileResult | None = None
        self.replayable = False

    def __call__(self, text: str, err: bool = False) -> None:
        click.echo(text, err=err)
        self.parts.append((err, text + "\n"))


@main.command("compile")
@click.option("--env", "envs", multiple=True, shell_complete=_complete_environments, help="Environment to compile (repeatable).")
@click.option("--all", "all_envs", is_flag=True, help="Compile every environment.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if rendered/ differs from what compile would write.")
@click.option("--strict", is_flag=True, help="A custom resource with no schema is an error.")
@click.option("--crd", "crds", multiple=True, type=click.Path(exists=True, path_type=Path), help="CRD file or folder to validate custom resources with (repeatable).")
@click.option("-o", "--output", "output", type=OUTPUT_FORMATS, default="text", show_default=True, help="text; json; sarif (SARIF 2.1.0 for code scanning); github (Actions annotations).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .inferplane-cache/build/ and parsed.pickle (docs/performance.md).")
@QUIET
@click.pass_obj
def compile_command(project: Path, envs: tuple[str, ...], all_envs: bool, check: bool, strict: bool, crds: tuple[Path, ...], output: str, no_cache: bool, quiet: bool) -> None:
    """Render rendered/<env>/ for the chosen environments (nothing is written on any error)."""
    if bool(envs) == all_envs:
        raise click.UsageError("give --env ENV (repeatable) or --all, not both" if all_envs else "give --env ENV (repeatable) or --all")
    env_list = None if all_envs else list(dict.fromkeys(envs))
    record = None
    if not no_cache:
        # Before any stage is imported: with nothing changed, this is the whole run.
        from .commands.build_cache import BuildRecord

        chosen = {"envs": env_list, "check": check, "strict": strict, "crds": [str(p.resolve()) for p in crds], "output": output, "quiet": quiet}
        record = BuildRecord(project, chosen, crds)
        hit = record.lookup()
        if hit is not None:
            for err, text in hit.output:
                click.echo(text, err=err, nl=False)
            sys.exit(0)
    from .commands.compile import CompileChoices, compile_and_report, environment_dependencies

    say = _Printed()
    code = compile_and_report(project, env_list, CompileChoices(check, strict, crds, output, quiet, cache=not no_cache), say)
    if record is not None and code == 0 and say.replayable and say.result is not None:
        record.store(say.parts, environment_dependencies(project, say.result))
    sys.exit(code)


def _compiled_or_exit(project: Path, envs: list[str] | None, options=None) -> CompileResult:
    from .commands.compile import emit_diagnostics
    from .commands.report import summary_line
    from .pipeline import CompileOptions, compile_project

    result = compile_project(project, envs, options or CompileOptions())
    emit_diagnostics(result, say=click.echo)
    if not result.ok:
        click.echo(f"compile failed: {summary_line(result.diagnostics)}", err=True)
        sys.exit(1)
    return result


@main.command("images")
@click.option("--env", "env_name", required=True, shell_complete=_complete_environments, help="Environment whose images to list.")
@click.option("-o", "--output", "output", type=click.Choice(IMAGE_FORMATS), default="text", show_default=True, help="text, json, or a skopeo-sync YAML for mirroring.")
@click.pass_obj
def images_command(project: Path, env_name: str, output: str) -> None:
    """Every container image the environment's manifests pull (runtime images included)."""
    from .emit.images import list_images, render_images

    result = _compiled_or_exit(project, [env_name])
    env = result.environments[0]
    click.echo(render_images(list_images(env.manifests, env.environment), output), nl=False)


@main.command("diff")
@click.option("--base", "base_ref", help="Git ref to compare with (default: the merge base with the default branch).")
@click.option("--compile-base", is_flag=True, help="Compile the base's specs instead of reading its committed rendered tree.")
@click.option("--from", "from_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Compare two folders: the old rendered tree…")
@click.option("--to", "to_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="…and the new one.")
@click.option("--env", "envs", multiple=True, shell_complete=_complete_environments, help="Limit to these environments (repeatable).")
@click.option("--against", "against", shell_complete=_complete_environments, help="Drift: compare --env ENV with this environment of the same tree.")
@click.option("-o", "--format", "--output", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--color/--no-color", default=None, help="Colour text output (default: when stdout is a terminal and NO_COLOR is not set).")
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed.")
@click.option("--max-bytes", type=click.IntRange(min=1_000), default=65_000, show_default=True, help="Markdown: at most this many UTF-8 bytes, cut between resources (never inside a block).")
@click.pass_obj
def diff_command(project: Path, base_ref: str | None, compile_base: bool, from_dir: Path | None, to_dir: Path | None, envs: tuple[str, ...], against: str | None, output: str, color: bool | None, exit_code: bool, max_bytes: int) -> None:
    """Semantic diff of rendered trees, in the words a reviewer cares about."""
    from .commands.report import use_color
    from .diff import diff_environments, diff_trees, load_tree_from_folder, render_json, render_markdown, render_text
    from .pipeline import CompileOptions

    env_list = list(dict.fromkeys(envs)) or None
    if bool(from_dir) != bool(to_dir):
        raise click.UsageError("--from and --to go together")
    if (base_ref or compile_base) and (from_dir or against):
        # Both compare other trees than the git base: a --base here would be silently ignored.
        raise click.UsageError(f"{'--base' if base_ref else '--compile-base'} compares with a git ref; it does not go with {'--from/--to' if from_dir else '--against'}")
    if against:
        if not env_list or len(env_list) != 1:
            raise click.UsageError("--against compares one environment: give exactly one --env")
        tree = load_tree_from_folder(to_dir) if to_dir else _head_tree(project, None)
        _known_or_usage_error([env_list[0], against], tree.environments)
        result = diff_environments(tree, against, env_list[0])
    elif from_dir and to_dir:
        old, new = load_tree_from_folder(from_dir), load_tree_from_folder(to_dir)
        _known_or_usage_error(env_list or [], {**old.environments, **new.environments})
        result = diff_trees(old, new, environments=env_list)
    else:
        from .commands.review import base_tree, parsed_texts

        with parsed_texts(project, CompileOptions()):
            head = _head_tree(project, env_list)
            base = base_tree(project, base_ref, env_list, CompileOptions(), compile_base)
        result = diff_trees(base, head, environments=env_list or sorted(head.environments))
    if output == "markdown":
        click.echo(render_markdown(result, max_bytes), nl=False)
    elif output == "json":
        click.echo(render_json(result))
    else:
        colour = use_color(color, sys.stdout.isatty(), os.environ)
        # color=: click.echo strips ANSI codes from output that is not a terminal unless told to keep them.
        click.echo(render_text(result, color=colour), nl=False, color=colour)
    sys.exit(1 if exit_code and result.changed else 0)


def _known_or_usage_error(names: list[str], known) -> None:
    unknown = [name for name in names if name not in known]
    if unknown:
        raise unknown_names("environment", unknown, known)


def _head_tree(project: Path, envs: list[str] | None):
    from .commands.report import diagnostics_text
    from .commands.review import compiled_tree
    from .pipeline import CompileOptions

    try:
        return compiled_tree(project, envs, CompileOptions(), label="working tree")
    except InputError as exc:
        click.echo(diagnostics_text(exc.diagnostics), err=True)
        click.echo("compile failed: fix the specs before diffing", err=True)
        sys.exit(1)


def _kubernetes_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A version the bundled core schemas can serve, or a usage error (not a traceback later)."""
    from .validate.core import pick_version

    try:
        if value is not None:
            pick_version(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@main.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, allow_dash=True, path_type=Path))
@click.option("--env", "env_name", shell_complete=_complete_environments, help="Validate every path with this environment's settings (default: found from rendered/<env>/).")
@click.option("--kubernetes-version", default=None, callback=_kubernetes_version, help="Kubernetes version of the core kinds' schemas [default: the environment's, else 1.33].")
@click.option("--crd", "crds", multiple=True, type=click.Path(exists=True, path_type=Path), help="CRD file or folder (repeatable).")
@click.option("--schema-location", "locations", multiple=True, help="kubeconform-style schema location template, folder or URL (repeatable; URLs are read from the cache `schemas pull` fills).")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".inferplane-cache"), show_default=True)
@click.option("--ignore-missing-schemas", is_flag=True, help="Skip kinds with no schema (counted in the summary) instead of failing.")
@click.option("-o", "--output", "output", type=click.Choice(["text", "json", "junit", "sarif", "github"]), default="text", show_default=True)
@click.option("--summary", is_flag=True, help="End with a summary line (text) or block.")
@click.option("--kubeconform", "kubeconform", is_flag=True, help="Also run kubeconform (if on PATH) and report where the two disagree.")
@click.option("--mesh", type=click.Choice(["istio", "asm"]), default=None, help="asm: accept Alibaba ASM's extra Istio fields (dynamic subset routing) [default: the environment's mesh, else istio].")
@QUIET
@click.pass_obj
def validate_command(project: Path, paths: tuple[Path, ...], env_name: str | None, kubernetes_version: str | None, crds: tuple[Path, ...], locations: tuple[str, ...], cache_dir: Path, ignore_missing_schemas: bool, output: str, summary: bool, kubeconform: bool, mesh: str | None, quiet: bool) -> None:
    """Validate manifests (any tree, ours or hand-written; `-` reads standard input) offline, as
    strict as the API server. A project's rendered/<env>/ is judged by that environment's settings."""
    from .commands.annotations import FORMATS, annotations, issue_diagnostics
    from .commands.report import diagnostics_text
    from .commands.validate_tree import CommandLineSources, check_stdin_once, opinion_lines, validate
    from .validate import report as validation_report
    from .validate.kubeconform import second_opinion

    check_stdin_once(paths)
    sources = CommandLineSources(kubernetes_version, crds, locations, cache_dir, mesh)
    validation = validate(paths, project, env_name, sources, ignore_missing_schemas)
    report = validation.report
    if quiet:
        report = type(report)(issues=[i for i in report.issues if i.severity == "error"], resources=report.resources)
    if output in FORMATS:
        notices = [] if quiet else validation.notices
        text = annotations(output, notices + issue_diagnostics(report))
    else:
        if validation.notices and not quiet:
            click.echo(diagnostics_text(validation.notices), err=True)
        render = {"text": validation_report.to_text, "json": validation_report.to_json, "junit": validation_report.to_junit}[output]
        text = render(report, summary=summary and not quiet)
    if text:
        click.echo(text.rstrip("\n"))
    ok = report.ok
    if kubeconform:
        file_paths = [path for path in paths if str(path) != "-"]
        opinion = second_opinion(file_paths, validation.registries[0], report)
        if opinion is None:
            click.echo("kubeconform: not found on PATH; no second opinion", err=True)
        else:
            click.echo("\n".join(opinion_lines(opinion)), err=True)
            ok = ok and opinion.ok
    sys.exit(0 if ok else 1)


@main.group("schemas")
def schemas_group() -> None:
    """Schemas of custom resources for validation."""


@schemas_group.command("pull")
@click.option("--env", "env_name", required=True, shell_complete=_complete_environments, help="Environment whose schema locations and Kubernetes version to use.")
@click.option("--cache", "cache_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".inferplane-cache"), show_default=True)
@click.pass_obj
def schemas_pull_command(project: Path, env_name: str, cache_dir: Path) -> None:
    """Fetch the schemas an environment's URL schema locations name, and the tagged CRDs of its
    KServe release (validation.kserveCrds URLs), into the cache (the only network use)."""
    from .commands.schemas import pull_environment

    result = _compiled_or_exit(project, [env_name])
    pulled = pull_environment(result.environments[0], cache_dir)
    for url, digest in pulled.fetched:
        click.echo(f"fetched {url} (sha256:{digest[:12]})")
    for url in pulled.cached:
        click.echo(f"cached {url}")
    for api_version, kind in pulled.not_found:
        click.echo(f"no schema found for {kind} ({api_version})", err=True)
    for url, error in pulled.failed:
        click.echo(f"failed {url}: {error}", err=True)
    sys.exit(0 if pulled.ok else 1)


@main.command("schema")
@click.option("--check", is_flag=True, help="Exit 1 if schemas/ is stale instead of writing it.")
@click.pass_obj
def schema_command(project: Path, check: bool) -> None:
    """Write the JSON Schemas of every spec file kind (services, environments, overlays, patches) to schemas/."""
    from .commands.patch_schema import stale_editor_schemas, write_editor_schemas
    from .source.load import display_path

    folder = project / "schemas"
    if check:
        stale = stale_editor_schemas(folder)
        for name in stale:
            click.echo(f"{display_path(folder / name)}: stale: run `inferplane schema`", err=True)
        sys.exit(1 if stale else 0)
    for name in write_editor_schemas(folder):
        click.echo(f"wrote {display_path(folder / name)}")


@main.command("explain")
@click.argument("diagnostic_id", required=False, shell_complete=_complete_ids)
@click.option("--list", "list_ids", is_flag=True, help="List every ID with a one-line summary.")
def explain_command(diagnostic_id: str | None, list_ids: bool) -> None:
    """Show what a diagnostic ID (a rule or a stage's error) checks, why, and its source."""
    from .commands.explain import explain, listing

    if list_ids == bool(diagnostic_id):
        raise UsageError("give one ID or --list (not both)")
    click.echo(listing() if list_ids else explain(diagnostic_id), nl=False)


@main.command("promote")
@click.argument("service", shell_complete=_complete_services)
@click.option("--weight", type=click.IntRange(0, 100), required=True, help="Percent of traffic for the version (0-100).")
@click.option("--version", "version", help="The version to set (default: the newest, the last listed).")
@click.option("--env", "env_name", shell_complete=_complete_environments, help="Edit overlays/<env>/<service>.yaml instead of the service file.")
@click.option("--dry-run", is_flag=True, help="Print the diff; write nothing.")
@click.pass_obj
def promote_command(project: Path, service: str, weight: int, version: str | None, env_name: str | None, dry_run: bool) -> None:
    """Give a version of SERVICE a share of the traffic by editing its weight(s) in place.

    With two versions the other gets the rest; with more, the first (stable) one does. Comments,
    order and quoting stay: the change is the weight line(s), a one-line pull request."""
    from difflib import unified_diff

    from .commands.promote import promote, write
    from .source.load import display_path

    promotion = promote(project, service, weight, version, env_name)
    if dry_run:
        before = "" if promotion.created else promotion.path.read_text(encoding="utf-8")
        shown = display_path(promotion.path)
        click.echo("".join(unified_diff(before.splitlines(keepends=True), promotion.text.splitlines(keepends=True), f"a/{shown}", f"b/{shown}")), nl=False)
        return
    write(promotion)
    click.echo(promotion.summary())


if __name__ == "__main__":  # pragma: no cover
    main()
