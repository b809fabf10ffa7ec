"""JSON Schemas of the input kinds, for editors (yaml-language-server) and other tools."""

from __future__ import annotations

import json
from pathlib import Path

from .models import API_VERSION, Environment, ModelService

SCHEMA_FILES = {
    "modelservice.schema.json": ModelService,
    "environment.schema.json": Environment,
}


def schema_of(model: type) -> dict:
    schema = model.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://inferplane.dev/schemas/{model.__name__.lower()}.schema.json",
        "description": f"Inferplane {model.__name__} ({API_VERSION})",
        **schema,
    }


def schema_files() -> dict[str, bytes]:
    return {
        name: (json.dumps(schema_of(model), indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
        for name, model in SCHEMA_FILES.items()
    }


def stale_schemas(folder: Path) -> list[str]:
    return [name for name, content in schema_files().items() if not (folder / name).is_file() or (folder / name).read_bytes() != content]


def write_schemas(folder: Path) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in schema_files().items():
        target = folder / name
        if not target.is_file() or target.read_bytes() != content:
            target.write_bytes(content)
            written.append(name)
    return written
