"""The rule registry: what a rule is (`Rule`), what it sees (`RuleContext`), what it yields
(`Finding`), and the `@rule` decorator that registers it. Rule modules import this module only;
`compiler.rules` imports every rule module, so importing it fills the registry."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from ..errors import Severity
from ..source.resolve import Layer
from ..plan.kserve_versions import KServeRelease, release_of
from ..spec.models import Environment, ModelService, parse_version


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
    env_layer: Layer | None = None  # the environment document: positions of its keys

    def version_line(self, component: str = "kserve") -> str:
        """Where the environment names the version of `component` (spec.versions.<component>)."""
        if self.env_layer is None:
            return f"environments/{self.env_name}.yaml"
        return str(self.env_layer.locate(("spec", "versions", component)))

    @property
    def kserve_version(self) -> tuple[int, int, int]:
        return parse_version(self.environment.spec.versions.kserve)

    @property
    def release(self) -> KServeRelease:
        """What the environment's KServe release spells and accepts (plan/kserve_versions.py)."""
        return release_of(self.environment)


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
    # A service rule that also checks what the environment file declares of the same kind (the
    # environment's shared Ray clusters under RAY-02..04): run by check_manifests, located there.
    environment_check: Callable | None = None

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


def also_in_environment(rule_id: str) -> Callable[[Callable], Callable]:
    """Attach an environment check to the registered rule `rule_id` (same ID, same text)."""

    def register(check: Callable) -> Callable:
        REGISTRY[rule_id] = replace(REGISTRY[rule_id], environment_check=check)
        return check

    return register


def registered_rules() -> list[Rule]:
    """Every rule registered so far, by ID. `compiler.rules` imports every rule module first."""
    return [REGISTRY[key] for key in sorted(REGISTRY)]
