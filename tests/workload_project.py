"""A one-environment project on disk whose service file is given as text, so that tests of the
workload rules assert exact lines and columns (docs/workloads.md)."""

from __future__ import annotations

from pathlib import Path

from compiler.errors import sorted_unique
from compiler.pipeline import CompileOptions, EnvironmentResult, compile_environment
from compiler.source.load import load_project
from compiler.validate.stage import SchemaRegistryCache
from tests.conftest import SHARED_CRDS
from tests.project import environment, write_project

HEADER = "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata:\n  name: iris\nspec:\n"
# One schema registry for the whole run: compiling the CRDs' schemas and CEL rules takes a second.
_SCHEMAS = SchemaRegistryCache()


SKLEARN = "apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata:\n  name: {name}\nspec:\n  mode: knative\n  predictor:\n    model: {{format: sklearn, storageUri: gs://bucket/{name}}}\n"


def compile_text(root: Path, spec_lines: str, *, others: tuple[str, ...] = (), **env_spec) -> EnvironmentResult:
    """Compile environment prod of a project with one service `iris` whose spec body (indented
    two spaces, from line 6 of services/iris.yaml) is `spec_lines`, as `compile` does; `others`
    names sklearn services beside it."""
    if SHARED_CRDS.is_dir():
        # Every rendered object is validated against the upstream CRDs with their CEL rules;
        # tests whose answer depends on it are marked needs_shared.
        env_spec = {"validation": {"crds": [str(SHARED_CRDS)]}, **env_spec}
    write_project(root, [], [environment("prod", **env_spec)])
    (root / "services" / "iris.yaml").write_text(HEADER + spec_lines)
    for name in others:
        (root / "services" / f"{name}.yaml").write_text(SKLEARN.format(name=name))
    sources = load_project(root)
    result = compile_environment(sources, "prod", CompileOptions(), _SCHEMAS)
    result.diagnostics = sorted_unique(list(sources.diagnostics) + result.diagnostics)
    return result


def findings(root: Path, spec_lines: str, *, others: tuple[str, ...] = (), **env_spec) -> list[str]:
    """Every diagnostic of the compile, formatted as the CLI prints it."""
    # Paths relative to the project, as the CLI prints them when run from its root.
    return [diagnostic.format().replace(f"{root}/", "") for diagnostic in compile_text(root, spec_lines, others=others, **env_spec).diagnostics]
