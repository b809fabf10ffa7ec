"""Kubernetes CEL environment on top of celpy: semantic fixes and extension shims.

celpy implements the CEL core. Kubernetes' base environment
(k8s.io/apiserver/pkg/cel/environment/base.go) adds libraries and options that
celpy lacks or treats differently; this module supplies them as celpy functions:

* core fixes (cel_core): heterogeneous equality, ``CrossTypeNumericComparisons``,
  Go ``time.ParseDuration`` for ``duration()``, quiet RE2 ``matches``;
* ``ext.Strings`` v2 (cel_strings), URLs (cel_urls), Quantity (cel_quantity),
  IP/CIDR (cel_ip), Lists and ``ext.Sets`` (cel_lists), Regex (cel_core), and
  below: the namespaces (``sets.``, ``ip.``, ``strings.``, ``optional.``) and the
  optional-value helpers that ``optionalOldSelf`` rules need.

Names a rule may call but that are *not* in :data:`SUPPORTED_FUNCTIONS` make the
rule a skip ("unsupported function X"), never a pass. The full table, with what
the CRDs in shared/ use, is in docs/cel.md.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from celpy.celtypes import BoolType
from celpy.evaluation import CELEvalError, base_functions

from . import cel_core, cel_lists
from .cel_core import CelFunction, cel_equals, parse_go_duration
from .cel_ip import IP_FUNCTIONS, IP_NAMESPACE_FUNCTIONS
from .cel_quantity import QUANTITY_FUNCTIONS
from .cel_strings import STRING_FUNCTIONS, no_overload, quote
from .cel_urls import URL_FUNCTIONS

__all__ = ["KUBERNETES_FUNCTIONS", "NAMESPACES", "NAMESPACE_FUNCTIONS", "OPTIONAL_NONE",
           "SUPPORTED_FUNCTIONS", "SUPPORTED_MACROS", "CelFunction", "parse_go_duration"]

# Macros are expanded by celpy's evaluator itself; "min" is a celpy macro whose
# semantics match the Kubernetes list library's min() (error on an empty list).
SUPPORTED_MACROS = frozenset({"has", "all", "exists", "exists_one", "map", "filter", "dyn", "min"})


# --- namespaced functions: sets.*, optional.*, ip.*, strings.* --------------------

class CelNamespace:
    """Bound to the names ``sets``/``optional``/``ip``/``strings`` so that
    ``sets.contains(a, b)`` reaches the ``contains`` function with this marker first."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"CelNamespace({self.name})"


class CelOptional:
    """cel-go optional values, enough for ``optionalOldSelf`` rules (no ``?.`` syntax)."""

    def __init__(self, value: object = None, present: bool = False) -> None:
        self.value, self.present = value, present

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CelOptional):
            return False
        return self.present == other.present and (not self.present or cel_equals(self.value, other.value))

    __hash__ = None  # type: ignore[assignment]


OPTIONAL_NONE = CelOptional()


def _optional_method(name: str, apply: Callable[[CelOptional, tuple[object, ...]], object]) -> CelFunction:
    def method(target: object, *args: object) -> object:
        if not isinstance(target, CelOptional):
            return no_overload(name, target, *args)
        return apply(target, args)

    return method


def _optional_value(opt: CelOptional, _: tuple[object, ...]) -> object:
    return opt.value if opt.present else CELEvalError("optional.none() dereference")


NAMESPACE_FUNCTIONS: dict[str, dict[str, CelFunction]] = {
    "sets": {"contains": cel_lists.sets_contains, "equivalent": cel_lists.sets_equivalent,
             "intersects": cel_lists.sets_intersects},
    "optional": {
        "of": lambda value: CelOptional(value, True),
        "none": lambda: OPTIONAL_NONE,
        "ofNonZeroValue": lambda value: CelOptional(value, value not in (None, 0, "", b"", [], {}, False)),
    },
    "ip": dict(IP_NAMESPACE_FUNCTIONS),
    "strings": {"quote": quote},
}
NAMESPACES = {name: CelNamespace(name) for name in NAMESPACE_FUNCTIONS}


def _with_namespaces(name: str, plain: CelFunction | None) -> CelFunction:
    def dispatch(*args: object) -> object:
        if args and isinstance(args[0], CelNamespace):
            impl = NAMESPACE_FUNCTIONS[args[0].name].get(name)
            if impl is None:
                return CELEvalError(f"unsupported function {args[0].name}.{name}")
            return impl(*args[1:])
        if plain is None:
            return no_overload(name, *args)
        return plain(*args)

    dispatch.__name__ = name
    return dispatch


_NAMESPACED_METHODS = frozenset(m for table in NAMESPACE_FUNCTIONS.values() for m in table)


def _build_functions() -> dict[str, CelFunction]:
    functions: dict[str, CelFunction] = {
        "_==_": cel_core.equals,
        "_!=_": cel_core.not_equals,
        "_in_": cel_core.contains_in,
        "_<_": cel_core.ordering("_<_", operator.lt),
        "_<=_": cel_core.ordering("_<=_", operator.le),
        "_>_": cel_core.ordering("_>_", operator.gt),
        "_>=_": cel_core.ordering("_>=_", operator.ge),
        "duration": cel_core.duration,
        "matches": cel_core.matches,
        "find": cel_core.find,
        "findAll": cel_core.find_all,
        "isSorted": cel_lists.is_sorted,
        "sum": cel_lists.list_sum,
        "max": cel_lists.list_max,
        "hasValue": _optional_method("hasValue", lambda o, _: BoolType(o.present)),
        "value": _optional_method("value", _optional_value),
        "orValue": _optional_method("orValue", lambda o, a: o.value if o.present else a[0]),
    }
    functions.update(STRING_FUNCTIONS)
    functions.update(URL_FUNCTIONS)
    functions.update(QUANTITY_FUNCTIONS)
    functions.update(IP_FUNCTIONS)
    functions["indexOf"] = cel_lists.list_index(find_last=False)
    functions["lastIndexOf"] = cel_lists.list_index(find_last=True)
    for method in _NAMESPACED_METHODS:
        plain = functions.get(method) or base_functions.get(method)
        functions[method] = _with_namespaces(method, plain)
    return functions


KUBERNETES_FUNCTIONS: dict[str, CelFunction] = _build_functions()

# Global and member functions a rule may call (operators like _+_ are not named in rules).
# A namespace-only method (``sets.equivalent``) is supported qualified, not bare.
_PLAIN_NAMES = {name for name in KUBERNETES_FUNCTIONS if name not in _NAMESPACED_METHODS}
_PLAIN_NAMES |= {name for name in _NAMESPACED_METHODS if name in base_functions or name in IP_FUNCTIONS}
SUPPORTED_FUNCTIONS = frozenset(
    {name for name in (*base_functions, *_PLAIN_NAMES) if not name.startswith(("_", "!", "-"))}
    | {f"{ns}.{method}" for ns, table in NAMESPACE_FUNCTIONS.items() for method in table}
)
