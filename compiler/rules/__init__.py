"""Semantic rules: checks of a resolved, typed service spec that pydantic cannot express.

Each rule is a small generator function registered with `@rule(ID, summary)`; its docstring is
its user documentation (`inferplane explain ID`). A rule yields `Finding`s; the runner turns them
into diagnostics located in the file and line that set the offending key.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from ..errors import Diagnostic, Severity
from ..resolve import Layer
from ..spec.models import Environment, ModelService


@dataclass(frozen=True)
class Finding:
    key_path: tuple
    message: str
    hint: str = ""


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: one service as resolved for one environment."""

    service: ModelService
    environment: Environment
    layer: Layer  # positions of the resolved service document
    env_name: str
    extra: dict = field(default_factory=dict)

    @property
    def kserve_version(self) -> tuple[int, int, int]:
        from ..spec.models import parse_version

        return parse_version(self.environment.spec.versions.kserve)


RuleCheck = Callable[[RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    severity: Severity
    check: RuleCheck
    source: str
    # service: checks one service (RuleContext), run by run_rules before lowering;
    # environment: checks an environment and its emitted manifests (rules/manifests.py).
    scope: str = "service"

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or self.summary)


REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, summary: str, severity: Severity = "error", source: str = "", scope: str = "service") -> Callable[[RuleCheck], RuleCheck]:
    def register(check: RuleCheck) -> RuleCheck:
        if rule_id in REGISTRY:
            raise RuntimeError(f"rule {rule_id} registered twice")
        REGISTRY[rule_id] = Rule(rule_id, summary, severity, check, source, scope)
        return check

    return register


def _load_rule_modules() -> None:
    # Importing the modules registers their rules; the list is explicit so the order is stable.
    from . import kserve, secrets, hardware, images, delivery, scaling, istio, certmanager, manifests  # noqa: F401
    from . import traffic  # noqa: F401
    from . import modelmesh  # noqa: F401


def all_rules() -> list[Rule]:
    _load_rule_modules()
    return [REGISTRY[key] for key in sorted(REGISTRY)]


def run_rules(context: RuleContext, rules: Iterable[Rule] | None = None) -> Iterator[Diagnostic]:
    for current in rules if rules is not None else all_rules():
        if current.scope != "service":
            continue
        for finding in current.check(context):
            yield Diagnostic(
                current.id,
                finding.message,
                finding.hint,
                context.layer.locate(finding.key_path),
                current.severity,
                finding.key_path,
                context.env_name,
            )
