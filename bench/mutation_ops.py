"""The mutation operators of bench/mutation.py, as one AST pass that writes *mutant schemata*.

Every mutant of a module is compiled into one copy of it: each mutated expression `E` becomes
`(E' if __inferplane_mutant__ == N else E)`, each deleted statement `S` becomes
`if __inferplane_mutant__ == N: pass` / `else: S`. The runner imports that copy once and picks
a mutant by setting the builtin `__inferplane_mutant__` in a forked child, so a mutant costs one
test run and no import. Only function bodies are mutated: decorators, default values,
annotations and module-level code run once at import, with no mutant active, so a mutant there
could never be caught by a test (rules register by decorator; their bodies are mutated like any
other function's).

Operators (the standard set):
- compare: `==`/`!=`, `<`/`<=`, `>`/`>=`, `in`/`not in`, `is`/`is not` (each op of a chain)
- boolean: `and`/`or`; `not x` -> `x`
- arithmetic: `+`/`-`, `*`/`/`, `//` -> `/`, `%` -> `/`, `|`/`&`; the same in `+=` and kin
- constant: a number n -> n + 1, `True`/`False`, a string s -> "XX" + s + "XX" (an f-string too)
- return: `return E` -> `return None`
- statement: an expression statement (a call, a `yield`) is deleted
- argument: each keyword argument of a call is dropped
"""

from __future__ import annotations

import ast
import copy
from dataclasses import dataclass, replace

SWITCH = "__inferplane_mutant__"

_COMPARE_SWAP = {
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE,
    ast.GtE: ast.Gt, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_BINOP_SWAP = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div,
    ast.Mod: ast.Div, ast.BitOr: ast.BitAnd, ast.BitAnd: ast.BitOr,
}


@dataclass(frozen=True)
class Mutant:
    number: int
    line: int
    end_line: int
    function: str
    operator: str
    original: str
    mutated: str
    occurrence: int = 0  # n-th of the mutants with the same key in the function (0: the only one)

    @property
    def key(self) -> str:
        """Names the mutant without its line number, so the equivalents list survives edits
        elsewhere in the module: function, operator, and the code before and after; when the same
        change can be made in several places of one function, which one (`#2`: the second)."""
        text = f"{self.function}: {self.operator}: {self.original} => {self.mutated}"
        return f"{text} #{self.occurrence}" if self.occurrence else text


def _one_line(node: ast.AST, limit: int = 160) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _switch(number: int) -> ast.expr:
    return ast.Compare(ast.Name(SWITCH, ast.Load()), [ast.Eq()], [ast.Constant(number)])


class _Schemata(ast.NodeTransformer):
    def __init__(self) -> None:
        self.mutants: list[Mutant] = []
        self._functions: list[str] = []
        self._in_fstring = 0

    # -- scope: only function bodies, never decorators, defaults, annotations or docstrings --
    def _function(self, node):
        self._functions.append(node.name)
        body = node.body
        start = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str) else 0
        node.body = body[:start] + self._statements(body[start:])
        self._functions.pop()
        return node

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_ClassDef(self, node):
        if not self._functions:  # class-level statements run at import; methods are mutated
            node.body = [self.visit(stmt) if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) else stmt for stmt in node.body]
            return node
        return self.generic_visit(node)

    def visit_Module(self, node):
        node.body = [self.visit(stmt) if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else stmt for stmt in node.body]
        return node

    def visit_Lambda(self, node):
        node.body = self.visit(node.body)
        return node

    def visit_arguments(self, node):
        return node

    def visit_Assert(self, node):  # an invariant, not behaviour: its mutants only fail loudly
        return node

    def visit_AnnAssign(self, node):  # a local's annotation is never evaluated
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def visit_match_case(self, node):  # patterns are not expressions: mutate the guard and body only
        if node.guard is not None:
            node.guard = self.visit(node.guard)
        node.body = self._statements(node.body)
        return node

    def _statements(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        result = []
        for stmt in statements:
            visited = self.visit(stmt)
            result.extend(visited if isinstance(visited, list) else [visited])
        return result

    # -- recording --
    def _add(self, node: ast.AST, operator: str, mutated_view: ast.AST) -> int:
        number = len(self.mutants) + 1
        self.mutants.append(Mutant(number, node.lineno, getattr(node, "end_lineno", node.lineno) or node.lineno, ".".join(self._functions), operator, _one_line(node), _one_line(mutated_view)))
        return number

    def _choose(self, original: ast.expr, variants: list[tuple[int, ast.expr]]) -> ast.expr:
        result = original
        for number, variant in reversed(variants):
            result = ast.IfExp(_switch(number), variant, result)
        return ast.copy_location(result, original)

    # -- expressions --
    def _mutate_expr(self, node: ast.expr, make) -> ast.expr:
        if not self._functions or self._in_fstring:
            return self.generic_visit(node)
        before = copy.deepcopy(node)
        pending = make(before)  # [(operator, mutated node built from the original)]
        numbers = [self._add(before, operator, view) for operator, view in pending]
        visited = self.generic_visit(node)
        variants = []
        for number, (operator, view) in zip(numbers, pending):
            variants.append((number, self._rebuild(visited, operator, view)))
        return self._choose(visited, variants)

    def _rebuild(self, visited: ast.expr, operator: str, view: ast.expr) -> ast.expr:
        """The mutant, built on the visited node so nested mutants keep their switches."""
        builder = getattr(view, "_build", None)
        return builder(copy.deepcopy(visited)) if builder else view

    def visit_Compare(self, node):
        def make(original):
            found = []
            for index, op in enumerate(original.ops):
                swapped = _COMPARE_SWAP.get(type(op))
                if swapped is None:
                    continue
                view = copy.deepcopy(original)
                view.ops[index] = swapped()
                view._build = lambda n, i=index, s=swapped: _set_op(n, i, s)
                found.append(("compare", view))
            return found

        return self._mutate_expr(node, make)

    def visit_BoolOp(self, node):
        def make(original):
            view = copy.deepcopy(original)
            view.op = ast.Or() if isinstance(original.op, ast.And) else ast.And()
            view._build = lambda n, op=type(view.op): _with(n, op=op())
            return [("boolean", view)]

        return self._mutate_expr(node, make)

    def visit_UnaryOp(self, node):
        if not isinstance(node.op, ast.Not):
            return self.generic_visit(node) if not self._is_negative_number(node) else node

        def make(original):
            view = copy.deepcopy(original.operand)
            view._build = lambda n: n.operand
            return [("boolean", view)]

        return self._mutate_expr(node, make)

    @staticmethod
    def _is_negative_number(node) -> bool:
        return isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)

    def visit_BinOp(self, node):
        def make(original):
            swapped = _BINOP_SWAP.get(type(original.op))
            if swapped is None:
                return []
            view = copy.deepcopy(original)
            view.op = swapped()
            view._build = lambda n, s=swapped: _with(n, op=s())
            return [("arithmetic", view)]

        return self._mutate_expr(node, make)

    def visit_Constant(self, node):
        def make(original):
            value = original.value
            if isinstance(value, bool):
                return [("constant", ast.Constant(not value))]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return [("constant", ast.Constant(value + 1))]
            if isinstance(value, str):
                return [("constant", ast.Constant("XX" + value + "XX"))]
            return []

        return self._mutate_expr(node, make)

    def visit_JoinedStr(self, node):
        def make(original):
            view = ast.BinOp(ast.Constant("XX"), ast.Add(), copy.deepcopy(original))
            view._build = lambda n: ast.BinOp(ast.Constant("XX"), ast.Add(), n)
            return [("constant", view)]

        if not self._functions or self._in_fstring:
            return node
        mutated = self._mutate_expr_fstring(node, make)
        return mutated

    def _mutate_expr_fstring(self, node, make):
        before = copy.deepcopy(node)
        pending = make(before)
        numbers = [self._add(before, operator, view) for operator, view in pending]
        self._in_fstring += 1
        visited = self.generic_visit(node)  # values inside {…} are not mutated: keeps f-strings valid
        self._in_fstring -= 1
        return self._choose(visited, [(n, self._rebuild(visited, op, view)) for n, (op, view) in zip(numbers, pending)])

    def visit_Call(self, node):
        def make(original):
            found = []
            for index, keyword in enumerate(original.keywords):
                if keyword.arg is None:
                    continue
                view = copy.deepcopy(original)
                del view.keywords[index]
                view._build = lambda n, i=index: _without_keyword(n, i)
                found.append(("argument", view))
            return found

        return self._mutate_expr(node, make)

    # -- statements --
    def visit_Return(self, node):
        if not self._functions or node.value is None or (isinstance(node.value, ast.Constant) and node.value.value is None):
            return self.generic_visit(node)
        number = self._add(node, "return", ast.Return(ast.Constant(None)))
        self.generic_visit(node)
        node.value = ast.copy_location(ast.IfExp(_switch(number), ast.Constant(None), node.value), node.value)
        return node

    def visit_Expr(self, node):
        if not self._functions or isinstance(node.value, ast.Constant):
            return self.generic_visit(node)
        number = self._add(node, "statement", ast.Pass())
        visited = self.generic_visit(node)
        return ast.copy_location(ast.If(_switch(number), [ast.Pass()], [visited]), node)

    def visit_AugAssign(self, node):
        swapped = _BINOP_SWAP.get(type(node.op))
        if not self._functions or swapped is None:
            return self.generic_visit(node)
        view = copy.deepcopy(node)
        view.op = swapped()
        number = self._add(node, "arithmetic", view)
        visited = self.generic_visit(node)
        mutated = copy.deepcopy(visited)
        mutated.op = swapped()
        return ast.copy_location(ast.If(_switch(number), [mutated], [visited]), node)


def _set_op(node: ast.Compare, index: int, op_type) -> ast.Compare:
    node.ops[index] = op_type()
    return node


def _with(node, **fields):
    for name, value in fields.items():
        setattr(node, name, value)
    return node


def _without_keyword(node: ast.Call, index: int) -> ast.Call:
    del node.keywords[index]
    return node


def mutate_source(source: str, filename: str) -> tuple[list[Mutant], object]:
    """The module's mutants and one code object holding all of them (no mutant active: 0)."""
    tree = ast.parse(source, filename)
    transformer = _Schemata()
    tree = transformer.visit(tree)
    ast.fix_missing_locations(tree)
    return _numbered_duplicates(transformer.mutants), compile(tree, filename, "exec")


def _numbered_duplicates(mutants: list[Mutant]) -> list[Mutant]:
    """Mutants that share a key get `occurrence` 1, 2, ... in source order, so that one of them
    judged equivalent does not excuse the others."""
    total: dict[str, int] = {}
    for mutant in mutants:
        total[mutant.key] = total.get(mutant.key, 0) + 1
    seen: dict[str, int] = {}
    numbered = []
    for mutant in sorted(mutants, key=lambda m: (m.line, m.number)):
        if total[mutant.key] > 1:
            seen[mutant.key] = seen.get(mutant.key, 0) + 1
            mutant = replace(mutant, occurrence=seen[mutant.key])
        numbered.append(mutant)
    return sorted(numbered, key=lambda m: m.number)


def mutant_source(source: str, number: int) -> str:
    """The module's source with only mutant `number` applied (for reading a survivor)."""
    tree = _Schemata().visit(ast.parse(source))
    return ast.unparse(_Resolve(number).visit(tree))


class _Resolve(ast.NodeTransformer):
    """Collapses the schemata to one mutant: each switch is true for `number` only."""

    def __init__(self, number: int) -> None:
        self.number = number

    def _value(self, test) -> bool | None:
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == SWITCH:
            return test.comparators[0].value == self.number
        return None

    def visit_IfExp(self, node):
        chosen = self._value(node.test)
        if chosen is None:
            return self.generic_visit(node)
        return self.visit(node.body if chosen else node.orelse)

    def visit_If(self, node):
        chosen = self._value(node.test)
        if chosen is None:
            return self.generic_visit(node)
        return [self.visit(stmt) for stmt in (node.body if chosen else node.orelse)]
