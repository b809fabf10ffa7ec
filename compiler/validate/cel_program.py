"""Compile CEL expressions once and evaluate them with a deterministic step budget.

Compilation parses with celpy and then checks statically what the apiserver's
type checker would catch and what we cannot evaluate faithfully: unknown
functions or identifiers, two-variable comprehensions, message construction.
Such an expression gets a ``problem`` and is never run, so it can only be
reported as skipped, never as passed.

Evaluation counts AST node visits (including those inside macros) and stops a
rule past ``max_steps``. Counting steps rather than wall-clock time keeps the
result the same on every machine, like the apiserver's cost limit does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import celpy
import lark
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, Evaluator

from .cel_functions import (
    KUBERNETES_FUNCTIONS,
    NAMESPACE_FUNCTIONS,
    NAMESPACES,
    SUPPORTED_FUNCTIONS,
    SUPPORTED_MACROS,
)

_COMPREHENSIONS = frozenset({"all", "exists", "exists_one", "map", "filter"})
_VARIABLES = frozenset({"self", "oldSelf"})
_TYPE_NAMES = frozenset({"int", "uint", "double", "bool", "string", "bytes", "list", "map",
                         "null_type", "type", "duration", "timestamp"})
# Namespaces Kubernetes knows but we do not (all of their functions are unsupported).
_FOREIGN_NAMESPACES = frozenset({"math", "base64", "format", "lists", "semver", "image", "authorizer"})

_ENVIRONMENT = celpy.Environment()


@dataclass(frozen=True)
class CompiledExpression:
    source: str
    ast: lark.Tree | None
    problem: str | None  # why it cannot be evaluated; None when it can
    uses_old_self: bool
    functions: frozenset[str]  # functions and macros the expression calls, for reporting


Status = Literal["value", "error", "skip"]


@dataclass(frozen=True)
class Evaluation:
    status: Status  # value: evaluated; error: CEL runtime error; skip: we could not evaluate
    value: Any = None
    detail: str = ""


class StepBudget:
    """Deterministic evaluation budget shared by all rules of one ``validate`` call."""

    def __init__(self, per_rule: int, total: int) -> None:
        self.per_rule, self.remaining_total = per_rule, total
        self.rule_steps = 0

    def start_rule(self) -> None:
        self.rule_steps = 0

    def tick(self, steps: int = 1) -> None:
        self.rule_steps += steps
        self.remaining_total -= steps
        if self.rule_steps > self.per_rule:
            raise _BudgetExceeded(f"evaluation exceeded {self.per_rule} steps")
        if self.remaining_total < 0:
            raise _BudgetExceeded("object exceeded its total CEL evaluation budget")


class _BudgetExceeded(Exception):
    pass


class _MeteredEvaluator(Evaluator):
    """celpy's tree-walking evaluator, charging one step per node visited."""

    def __init__(self, ast: lark.Tree, activation: Any, budget: StepBudget) -> None:
        super().__init__(ast, activation)
        self._budget = budget

    # lark reaches child nodes through visit_children, not visit: charge both.
    def visit(self, tree: lark.Tree) -> Any:
        self._budget.tick()
        return super().visit(tree)

    def visit_children(self, tree: lark.Tree) -> list[Any]:
        self._budget.tick(len(tree.children))
        return super().visit_children(tree)

    def sub_evaluator(self, ast: lark.Tree) -> Evaluator:
        # celpy builds macro bodies with a plain Evaluator; keep them metered too.
        return _MeteredEvaluator(ast, self.activation, self._budget)


@lru_cache(maxsize=4096)
def compile_expression(source: str) -> CompiledExpression:
    """Parse and check ``source``; cached, so identical rules across CRDs compile once."""
    try:
        ast = _ENVIRONMENT.compile(source)
    except CELParseError as err:
        return CompiledExpression(source, None, _parse_problem(source, err), "oldSelf" in source, frozenset())
    except RecursionError:
        return CompiledExpression(source, None, "expression nests too deeply to parse", False, frozenset())
    functions, problems, identifiers = _inspect(ast)
    # Innermost first: in format.x().validate(s) the cause is format.x, not validate.
    problem = "; ".join(dict.fromkeys(reversed(problems))) or None
    return CompiledExpression(source, ast, problem, "oldSelf" in identifiers, frozenset(functions))


def _parse_problem(source: str, err: Exception) -> str:
    if "?." in source or "[?" in source or ".?" in source:
        return "unsupported syntax: optional field selection (?.) / optional index ([?])"
    first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return f"parse error: {first_line}"


def _token(node: object) -> str:
    return str(node.value) if isinstance(node, lark.Token) else ""


def _primary_ident(member: object) -> str | None:
    """Name of a bare identifier ``x`` in ``x.f()``, or None for anything else."""
    node = member
    while isinstance(node, lark.Tree) and node.data in ("member", "primary") and len(node.children) == 1:
        node = node.children[0]
    if isinstance(node, lark.Tree) and node.data == "ident":
        return _token(node.children[0])
    return None


def _arguments(node: lark.Tree, index: int) -> list[Any]:
    if len(node.children) > index and isinstance(node.children[index], lark.Tree):
        return list(node.children[index].children)
    return []


def _bound_variables(ast: lark.Tree) -> set[str]:
    bound = set()
    for node in ast.iter_subtrees():
        if node.data == "member_dot_arg" and _token(node.children[1]) in _COMPREHENSIONS:
            arguments = _arguments(node, 2)
            if arguments:
                name = _primary_ident_in_expr(arguments[0])
                if name:
                    bound.add(name)
    return bound


def _primary_ident_in_expr(expr: object) -> str | None:
    idents = list(expr.find_data("ident")) if isinstance(expr, lark.Tree) else []
    return _token(idents[0].children[0]) if len(idents) == 1 else None


def _inspect(ast: lark.Tree) -> tuple[list[str], list[str], set[str]]:
    """Functions called, problems found, identifiers referenced."""
    bound = _bound_variables(ast)
    functions: list[str] = []
    problems: list[str] = []
    identifiers: set[str] = set()
    for node in _walk(ast):
        if node.data == "ident_arg":
            name = _token(node.children[0])
            functions.append(name)
            if name not in SUPPORTED_MACROS and name not in SUPPORTED_FUNCTIONS:
                problems.append(f"unsupported function {name}")
        elif node.data == "member_dot_arg":
            problems.extend(_check_method(node, bound, functions))
        elif node.data in ("dot_ident", "dot_ident_arg"):
            problems.append(f"unsupported syntax: leading-dot name .{_token(node.children[0])}")
        elif node.data == "member_object":
            problems.append("unsupported syntax: message construction")
        elif node.data == "ident":
            name = _token(node.children[0])
            identifiers.add(name)
            known = _VARIABLES | bound | _TYPE_NAMES | NAMESPACE_FUNCTIONS.keys() | _FOREIGN_NAMESPACES
            if name not in known:
                problems.append(f"undeclared reference to '{name}'")
    return functions, problems, identifiers


def _check_method(node: lark.Tree, bound: set[str], functions: list[str]) -> list[str]:
    method = _token(node.children[1])
    arguments = _arguments(node, 2)
    receiver = _primary_ident(node.children[0])
    if receiver is not None and receiver not in bound and receiver not in _VARIABLES and (
        receiver in NAMESPACE_FUNCTIONS or receiver in _FOREIGN_NAMESPACES
    ):
        qualified = f"{receiver}.{method}"
        functions.append(qualified)
        return [] if qualified in SUPPORTED_FUNCTIONS else [f"unsupported function {qualified}"]
    functions.append(method)
    if method in _COMPREHENSIONS:
        if len(arguments) != 2:
            return [f"unsupported macro form {method}() with {len(arguments)} arguments"]
        return []
    if method not in SUPPORTED_MACROS and method not in SUPPORTED_FUNCTIONS:
        return [f"unsupported function {method}"]
    return []


def _walk(ast: lark.Tree) -> Iterator[lark.Tree]:
    # Iterative pre-order walk; lark's iter_subtrees order is not source order.
    stack = [ast]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in reversed(node.children) if isinstance(child, lark.Tree))


@lru_cache(maxsize=4096)
def _runner(source: str) -> celpy.Runner:
    compiled = compile_expression(source)
    return _ENVIRONMENT.program(compiled.ast, functions=KUBERNETES_FUNCTIONS)


def evaluate(compiled: CompiledExpression, bindings: Mapping[str, Any], budget: StepBudget) -> Evaluation:
    """Run one compiled expression; never raises."""
    if compiled.problem is not None or compiled.ast is None:
        return Evaluation("skip", detail=compiled.problem or "not compiled")
    budget.start_rule()
    try:
        activation = _runner(compiled.source).new_activation()
        evaluator = _MeteredEvaluator(compiled.ast, activation, budget)
        value = evaluator.evaluate({**NAMESPACES, **bindings})
    except CELEvalError as err:
        text = error_text(err)
        if text.startswith("undeclared reference"):
            return Evaluation("skip", detail=text)
        return Evaluation("error", detail=text)
    except _BudgetExceeded as err:
        return Evaluation("skip", detail=str(err))
    except RecursionError:
        return Evaluation("skip", detail="evaluation nested too deeply (recursion limit)")
    except Exception as err:  # noqa: BLE001 - a library bug must become a skip, not a crash
        return Evaluation("skip", detail=f"evaluator failure: {type(err).__name__}: {err}")
    if isinstance(value, CELEvalError):
        return Evaluation("error", detail=error_text(value))
    return Evaluation("value", value=value)


def error_text(err: CELEvalError) -> str:
    """Short, apiserver-like text for a CEL runtime error."""
    message = str(err.args[0]) if err.args else type(err).__name__
    cause_args = err.args[2] if len(err.args) > 2 and isinstance(err.args[2], tuple) else ()
    if message.startswith("no such member in mapping: "):
        return "no such key: " + message.removeprefix("no such member in mapping: ").strip("'")
    if message == "no such key" and cause_args:
        return f"no such key: {cause_args[0]}"
    if message in ("no such overload", "return error for overflow", "invalid_argument") and cause_args:
        return f"{message}: {cause_args[0]}"
    return message
