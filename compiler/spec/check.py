"""Check, part one: resolved documents against the pydantic models.

Pydantic's errors are turned into diagnostics that point at the user's file and line, name
the key path, and suggest the closest valid key or value.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import Diagnostic
from ..source.resolve import Layer
from .base import GO_INTEGER_RANGES
from .models import SpecModel
from .names import NAME_ERROR

M = TypeVar("M", bound=BaseModel)


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes or containers an annotation may hold (Optional/Union/Annotated peeled)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        found = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    return [annotation]


def _model_at(model: type[BaseModel], data_path: tuple) -> type[BaseModel] | None:
    """The pydantic model class that validates the mapping at data_path, if any."""
    current: Any = model
    for key in data_path:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = next((f for name, f in current.model_fields.items() if (f.alias or name) == key), None)
            if field is None:
                return None
            candidates = _unwrap(field.annotation)
        else:
            origin = typing.get_origin(current)
            if origin in (list, dict):
                candidates = _unwrap(typing.get_args(current)[-1])
            else:
                return None
        current = next((c for c in candidates if c is not type(None)), None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _data_path(data: Any, loc: tuple) -> tuple:
    """Keep only the loc parts that index into the data (drop union member tags)."""
    path: list = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and part is loc[-1]:
            path.append(part)  # a missing key: the message names it, the location is its parent
            node = None
        # anything else is a union member tag that pydantic adds to loc: not part of the data
    return tuple(path)


def dotted(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "document"


def _diagnostic(error: dict, layer: Layer, root: type[BaseModel], kind: str) -> Diagnostic:
    path = _data_path(layer.data, tuple(error["loc"]))
    etype = error["type"]
    parent = path[:-1]
    key = path[-1] if path else ""
    if etype == "extra_forbidden":
        model = _model_at(root, parent)
        keys = allowed_keys(model) if model else []
        close = difflib.get_close_matches(str(key), keys, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else (f"allowed keys here: {', '.join(keys)}" if keys else "remove it")
        return Diagnostic("SPEC-UNKNOWN-KEY", f"unknown key {key!r} in {dotted(parent)}", hint, layer.locate(path), key_path=path)
    if etype == "missing":
        return Diagnostic("SPEC-MISSING", f"{dotted(parent)} needs key {key!r}", f"add `{key}:` to {dotted(parent)} of this {kind}", layer.locate(parent), key_path=path)
    if etype == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        options = [opt.strip().strip("'") for opt in expected.replace(" or ", ", ").split(",") if opt.strip()]
        close = difflib.get_close_matches(str(error.get("input")), options, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(options)}"
        return Diagnostic("SPEC-VALUE", f"{dotted(path)}: {error.get('input')!r} is not allowed", hint, layer.locate(path), key_path=path)
    if etype == NAME_ERROR:
        return Diagnostic("SPEC-NAME", f"{dotted(path)}: {error['msg']}", error["ctx"]["hint"], layer.locate(path), key_path=path)
    limit = error.get("ctx", {}).get("le") if etype == "less_than_equal" else None
    go_type = next((name for name, (_, high) in GO_INTEGER_RANGES.items() if high == limit), None)
    if go_type:  # the same words as the validator's for the rendered field (validate/messages.py)
        low, high = GO_INTEGER_RANGES[go_type]
        message = f"{dotted(path)}: must be of type {go_type}: {error.get('input')} is not between {low} and {high}"
        return Diagnostic("SPEC-TYPE", message, "Kubernetes stores this field as a Go " + go_type + ": use a smaller number", layer.locate(path), key_path=path)
    message = error["msg"].removeprefix("Value error, ")
    message = message[0].lower() + message[1:]
    return Diagnostic("SPEC-TYPE", f"{dotted(path)}: {message}", "fix the value to the type the spec expects (see schemas/)", layer.locate(path), key_path=path)


def check_model(layer: Layer, model: type[M], kind: str) -> tuple[M | None, list[Diagnostic]]:
    """Validate a resolved document. Returns the typed model, or None and the diagnostics."""
    try:
        return model.model_validate(layer.data), []
    except ValidationError as exc:
        diagnostics: dict[tuple, Diagnostic] = {}
        for error in exc.errors(include_url=False):
            diag = _diagnostic(error, layer, model, kind)
            # A union reports one error per member for one place: keep the first.
            diagnostics.setdefault((diag.key_path, diag.rule), diag)
        return None, list(diagnostics.values())


__all__ = ["check_model", "allowed_keys", "dotted", "SpecModel"]
