"""One thing a reviewer wants to know about a manifest: (topic, subject) → value.

Readers (`facts.py`, `facts_network.py`) fill a `Facts` map per manifest; the summary compares
the maps of the two sides of a resource change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Fact:
    topic: str
    subject: str
    value: Any
    unit: str = ""  # "%" for traffic weights


Facts = dict[tuple[str, str], Fact]
Reader = Callable[[dict, Facts], None]


def put(facts: Facts, topic: str, subject: str, value: Any, unit: str = "") -> None:
    """Record a fact; None means "not set" and is not recorded (the other side then shows it as unset)."""
    if value is None:
        return
    key = (topic, subject)
    suffix = 2
    while key in facts:  # two destinations with one label: keep both
        key = (topic, f"{subject} ({suffix})")
        suffix += 1
    facts[key] = Fact(topic, key[1], value, unit)


def spec_of(body: dict) -> dict:
    spec = body.get("spec")
    return spec if isinstance(spec, dict) else {}
