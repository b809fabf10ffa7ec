"""JSON Schema engines behind one small contract: compile once, then `is_valid` and `violations`.

Measured on the converted InferenceService schema (774 kB) and a small manifest, one core:
jsonschema-rs ~650,000 checks/s (compile 60 ms); python-jsonschema ~7,000/s (compile lazy);
fastjsonschema ~6,600/s after a 10 s compile. So jsonschema-rs is the engine whenever it is
installed; python-jsonschema (a declared dependency) is the fallback, with the same results.
Each engine turns its errors into `Violation`s, so messages are written once (`messages.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from .pointer import split


@dataclass
class Violation:
    path: tuple  # where in the instance
    keyword: str  # the failing JSON Schema keyword
    schema: Any  # the schema node that holds the keyword
    instance: Any  # the value at path (for propertyNames: the offending key)
    message: str  # the engine's own words, used only when we have nothing better
    branches: list[list["Violation"]] = field(default_factory=list)  # anyOf/oneOf: errors per branch
    multiple_valid: bool = False  # oneOf matched more than one branch
    property_name: str | None = None  # propertyNames: the key that failed (`schema` is then its rules)


FormatCheckers = Mapping[str, Callable[[str], bool]]  # format name → predicate on a string (formats.py)


class CompiledSchema(Protocol):
    def is_valid(self, instance: Any) -> bool: ...
    def violations(self, instance: Any) -> list[Violation]: ...


def _walk(node: Any, tokens) -> Any:
    for token in tokens:
        if isinstance(node, list):
            node = node[int(token)]
        elif isinstance(node, dict):
            node = node[token]
        else:
            return None
    return node


class _Documents:
    """Finds the schema node behind an engine's keyword location."""

    def __init__(self, root: dict, documents: dict[str, dict]):
        self.root = root
        self.by_uri = dict(documents)
        if isinstance(root, dict) and isinstance(root.get("$id"), str):
            self.by_uri[root["$id"]] = root

    def parent_of_keyword(self, absolute_location: str | None, schema_path: list) -> Any:
        try:
            if absolute_location and "#" in absolute_location:
                uri, fragment = absolute_location.split("#", 1)
                if uri in self.by_uri:
                    return _walk(self.by_uri[uri], split(fragment)[:-1])
            return _walk(self.root, list(schema_path)[:-1])
        except (KeyError, IndexError, ValueError, TypeError):
            return None


# ---------------------------------------------------------------- jsonschema-rs


class _RustCompiled:
    def __init__(self, validator, documents: _Documents):
        self._validator = validator
        self._documents = documents

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def violations(self, instance: Any) -> list[Violation]:
        return [self._convert(error, instance) for error in self._validator.iter_errors(instance)]

    def _convert(self, error, root: Any) -> Violation:
        schema_path = list(error.schema_path)
        keyword = str(schema_path[-1]) if schema_path else error.kind.name
        property_name = None
        # For propertyNames, `schema` is the propertyNames subschema and the inner error names the key.
        if len(schema_path) >= 2 and schema_path[-2] == "propertyNames":
            inner = getattr(error.kind, "error", None)
            keyword, property_name = "propertyNames", str(inner.instance if inner is not None else error.instance)
        node = self._documents.parent_of_keyword(getattr(error, "absolute_keyword_location", None), schema_path)
        context = getattr(error.kind, "context", None) or []
        path = tuple(error.instance_path)
        try:
            # With `additionalProperties: false` and no properties, jsonschema-rs reports each extra
            # value (as a false schema) at the object's path: the object itself is what we need.
            value = _walk(root, path)
        except (KeyError, IndexError, ValueError):
            value = error.instance
        return Violation(
            path=path,
            keyword=keyword,
            schema=node,
            instance=value,
            message=error.message,
            branches=[[self._convert(sub, root) for sub in branch] for branch in context],
            multiple_valid=type(error.kind).__name__.endswith("OneOfMultipleValid"),  # older releases prefix the name
            property_name=property_name,
        )


class RustEngine:
    name = "jsonschema-rs"

    def __init__(self):
        import jsonschema_rs

        self._module = jsonschema_rs

    def compile(self, schema: dict, documents: dict[str, dict], formats: FormatCheckers | None = None) -> CompiledSchema:
        options: dict[str, Any] = {"validate_formats": True, "formats": dict(formats)} if formats else {}
        if documents:
            options["registry"] = self._module.Registry(list(documents.items()))
        return _RustCompiled(self._module.validator_for(schema, **options), _Documents(schema, documents))


# ---------------------------------------------------------------- python-jsonschema


class _PythonCompiled:
    def __init__(self, validator):
        self._validator = validator

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)

    def violations(self, instance: Any) -> list[Violation]:
        return [self._convert(error) for error in self._validator.iter_errors(instance)]

    def _convert(self, error) -> Violation:
        relative = list(error.relative_schema_path)
        property_name = None
        keyword = error.validator
        node = error.schema
        if len(relative) >= 2 and relative[-2] == "propertyNames":
            keyword, property_name = "propertyNames", str(error.instance)
        branches: dict[int, list[Violation]] = {}
        for sub in error.context or []:
            branches.setdefault(sub.relative_schema_path[0], []).append(self._convert(sub))
        multiple = error.validator == "oneOf" and not error.context
        return Violation(
            path=tuple(error.absolute_path),
            keyword=keyword,
            schema=node,
            instance=error.instance,
            message=error.message,
            branches=[branches[index] for index in sorted(branches)],
            multiple_valid=multiple,
            property_name=property_name,
        )


class PythonEngine:
    name = "python-jsonschema"

    def compile(self, schema: dict, documents: dict[str, dict], formats: FormatCheckers | None = None) -> CompiledSchema:
        import jsonschema
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            (uri, Resource.from_contents(document, default_specification=DRAFT202012)) for uri, document in documents.items()
        )
        cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
        checker = None
        if formats:
            checker = jsonschema.FormatChecker(formats=())
            for name, test in formats.items():
                checker.checks(name)(lambda value, test=test: not isinstance(value, str) or test(value))
        return _PythonCompiled(cls(schema, registry=registry, format_checker=checker))


def make_engine(name: str = "auto"):
    """`auto`: jsonschema-rs when installed, else python-jsonschema."""
    if name in ("auto", "jsonschema-rs"):
        try:
            return RustEngine()
        except ImportError:
            if name == "jsonschema-rs":
                raise
    if name in ("auto", "python-jsonschema"):
        return PythonEngine()
    raise ValueError(f"unknown validation engine {name!r}: auto, jsonschema-rs or python-jsonschema")
