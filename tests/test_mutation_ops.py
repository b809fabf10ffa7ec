"""The mutator of bench/mutation.py: which mutants it makes, and that each schemata switch runs
exactly the mutant it names (and the original when off). The mutation run itself is a bench."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from mutation_ops import SWITCH, mutant_source, mutate_source  # noqa: E402

SOURCE = '''
def register(name, default=3):
    def wrap(function):
        return function
    return wrap


@register("decorator argument", default=4)
def check(value, items):
    """A docstring is not mutated."""
    assert value is not None
    found = []
    if value < 10 and value != 5:
        found.append(f"small {value}")
    total = value + 1
    total -= 2
    if not items:
        return None
    return [total, "x" in items, sorted(items, reverse=True)]
'''


def keys() -> list[str]:
    mutants, _ = mutate_source(SOURCE, "<test>")
    return [mutant.key for mutant in mutants]


def run(number: int, *args):
    _, code = mutate_source(SOURCE, "<test>")
    namespace: dict = {}
    setattr(builtins, SWITCH, number)
    try:
        exec(code, namespace)
        return namespace["check"](*args)
    finally:
        delattr(builtins, SWITCH)


def test_the_standard_operators_and_nothing_outside_function_bodies():
    assert keys() == [
        "register.wrap: return: return function => return None",
        "register: return: return wrap => return None",
        "check: boolean: value < 10 and value != 5 => value < 10 or value != 5",
        "check: compare: value < 10 => value <= 10",
        "check: constant: 10 => 11",
        "check: compare: value != 5 => value == 5",
        "check: constant: 5 => 6",
        "check: statement: found.append(f'small {value}') => pass",
        "check: constant: f'small {value}' => 'XX' + f'small {value}'",
        "check: arithmetic: value + 1 => value - 1",
        "check: constant: 1 => 2",
        "check: arithmetic: total -= 2 => total += 2",
        "check: constant: 2 => 3",
        "check: boolean: not items => items",
        "check: return: return [total, 'x' in items, sorted(items, reverse=True)] => return None",
        "check: compare: 'x' in items => 'x' not in items",
        "check: constant: 'x' => 'XXxXX'",
        "check: argument: sorted(items, reverse=True) => sorted(items)",
        "check: constant: True => False",
    ]


def test_switch_off_is_the_original():
    assert run(0, 3, ["x", "y"]) == [2, True, ["y", "x"]]
    assert run(0, 3, []) is None


@pytest.mark.parametrize("key, expected", [
    ("check: compare: 'x' in items => 'x' not in items", [2, False, ["y", "x"]]),
    ("check: arithmetic: total -= 2 => total += 2", [6, True, ["y", "x"]]),
    ("check: argument: sorted(items, reverse=True) => sorted(items)", [2, True, ["x", "y"]]),
    ("check: return: return [total, 'x' in items, sorted(items, reverse=True)] => return None", None),
    ("check: constant: 1 => 2", [3, True, ["y", "x"]]),
])
def test_each_switch_runs_its_mutant(key, expected):
    number = keys().index(key) + 1
    assert run(number, 3, ["x", "y"]) == expected


def test_mutant_source_shows_one_mutant_only():
    number = keys().index("check: compare: value < 10 => value <= 10") + 1
    shown = mutant_source(SOURCE, number)
    assert "value <= 10 and value != 5" in shown
    assert SWITCH not in shown
    assert '@register("decorator argument", default=4)' in SOURCE and "@register('decorator argument', default=4)" in shown


def test_the_same_change_in_two_places_of_a_function_has_two_keys():
    mutants, _ = mutate_source("def f(a):\n    return a.split('/') + a.split('/')\n\ndef g(a):\n    return a.split('/')\n", "<test>")
    assert [m.key for m in mutants if m.operator == "constant"] == [
        "f: constant: '/' => 'XX/XX' #1",
        "f: constant: '/' => 'XX/XX' #2",
        "g: constant: '/' => 'XX/XX'",
    ]
