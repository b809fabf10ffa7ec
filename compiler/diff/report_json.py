"""JSON output: the result's data with sorted keys, so the same diff gives the same bytes."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .result import DiffResult


def render_json(result: DiffResult) -> str:
    return json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False, default=_plain) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
