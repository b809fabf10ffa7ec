"""One quantity grammar (resource.ParseQuantity's) for the spec, the validator, CEL and the diff."""

from fractions import Fraction

import pytest

from compiler.diff.normalize import same_leaf
from compiler.spec.quantity import parse_quantity, quantity_value
from compiler.validate.cel_quantity import quantity
from compiler.validate.format_checks import is_quantity

# Cases from k8s.io/apimachinery/pkg/api/resource quantity_test.go (TestQuantityParse and its
# invalid list), where the suffixes of suffix.go decide.
VALID = {
    "0": 0, "0n": 0, "0u": 0, "0m": 0, "0Ki": 0, "0k": 0, "0Mi": 0, "0M": 0, "0Gi": 0, "0G": 0,
    "0Ti": 0, "0T": 0, "0e0": 0, "0E0": 0, "0.0": 0, "-0": 0,
    "500n": Fraction(500, 10**9), "1u": Fraction(1, 10**6), "1m": Fraction(1, 1000),
    "100m": Fraction(1, 10), "1": 1, "1k": 1000, "1M": 10**6, "1E": 10**18, "1Ki": 1024,
    "1.5Gi": 3 * 2**29, "1e3": 1000, "1E3": 1000, "1e+3": 1000, "1e-3": Fraction(1, 1000),
    ".5": Fraction(1, 2), "+.5": Fraction(1, 2), "-1.5": Fraction(-3, 2), "1.": 1, "1.G": 10**9,
    "12e6": 12 * 10**6, "0.1m": Fraction(1, 10**4),
}
INVALID = [
    "", " 1", "1 ", "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
    "1e", "1ee3", "1K", "1k3", "1KiB", ".", "+", "-", "Ki", "1e1001", "1Mii",
]


@pytest.mark.parametrize(("text", "value"), VALID.items())
def test_parse_quantity_accepts_the_grammar_with_exact_values(text, value):
    assert parse_quantity(text) == value
    assert is_quantity(text) and quantity(text).value == value


@pytest.mark.parametrize("text", INVALID)
def test_parse_quantity_refuses_what_parse_quantity_refuses(text):
    assert parse_quantity(text) is None and not is_quantity(text)


def test_numbers_are_quantities_by_their_decimal_text():
    assert quantity_value(0.1) == Fraction(1, 10) == parse_quantity("100m")
    assert quantity_value(2) == 2 and quantity_value(True) is None and quantity_value(float("inf")) is None


def test_the_diff_sees_500n_and_0_0000005_as_one_value():
    path = ("spec", "containers", 0, "resources", "limits", "cpu")
    assert same_leaf(path, "500n", "0.0000005")
    assert not same_leaf(path, "500n", "501n")
