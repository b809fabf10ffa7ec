"""Rule cases beyond tests/test_rules.py: both sides of every boundary and the branches no other
case reaches. (rule ID, service patch, environment patch); the expected findings of each are in
expected.yaml."""

from __future__ import annotations

FIRING: list[tuple] = []
QUIET: list[tuple] = []
