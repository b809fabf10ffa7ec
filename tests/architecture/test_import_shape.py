"""The package's shape: the folders are the pipeline, and imports only flow downstream.

Every import counts, wherever it stands (module top, function body, `if TYPE_CHECKING:`): a lazy
import that points upstream is still a cycle in the design, only hidden from the interpreter.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "compiler"

# The pipeline, in data-flow order. A unit may import units of a lower rank (and itself);
# shared leaves have the lowest ranks. docs/architecture.md explains each step.
RANKS = {
    "compiler": 0,  # __init__: the version only
    "compiler.errors": 0,
    "compiler.upstream": 0,
    "compiler.source": 1,
    "compiler.spec": 2,
    "compiler.naming": 3,
    "compiler.plan": 4,
    "compiler.emit": 5,
    "compiler.rules": 6,
    "compiler.output": 7,
    "compiler.validate": 8,
    "compiler.pipeline": 9,
    "compiler.diff": 9,
    "compiler.commands": 10,
    "compiler.cli": 11,
    "compiler.__main__": 12,
}

# compiler/ itself holds only these modules; everything else lives in a stage's package.
ROOT_MODULES = {"__init__", "__main__", "cli", "errors", "naming", "pipeline", "upstream"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules `name` imports, resolved to real modules (a name imported from a
    package is its submodule when one exists, otherwise the package's __init__)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "compiler":
                base = node.module
            else:
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "compiler")
    found.discard(name)
    return found


def unit_of(module: str) -> str:
    """The rank table's entry that holds a module (its stage package or root module)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    known = set(modules)
    return {name: imported_modules(name, path, known) for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return stack[stack.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for source, targets in sorted(graph.items()):
        for target in sorted(targets):
            if RANKS[unit_of(target)] > RANKS[unit_of(source)]:
                wrong.append(f"{source} imports {target} ({unit_of(target)} comes after {unit_of(source)})")
    return wrong


def test_every_unit_has_a_rank():
    assert sorted({unit_of(name) for name in all_modules()} - set(RANKS)) == []


def test_no_import_cycle():
    assert find_cycle(import_graph()) is None


def test_no_stage_imports_a_later_stage():
    assert upward_imports(import_graph()) == []


def test_compiler_root_holds_only_the_shared_modules():
    root = {path.stem for path in PACKAGE.glob("*.py")}
    assert root == ROOT_MODULES


def test_every_stage_package_says_what_it_receives_and_returns():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "Receives" in doc and "Returns" in doc and "Imports" in doc, init


# The checks themselves must be able to fail: a cycle and an upward import are found.
def test_a_cycle_is_found():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize(
    ("source", "target", "wrong"),
    [("compiler.plan.service", "compiler.emit.kserve", True), ("compiler.emit.kserve", "compiler.plan.service", False), ("compiler.diff.load", "compiler.pipeline", False)],
)
def test_an_upward_import_is_found(source, target, wrong):
    assert bool(upward_imports({source: {target}})) is wrong
