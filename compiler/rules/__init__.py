"""Stage 3 (run) / rank 6 (imports), rules: semantic checks pydantic cannot express, with IDs.

Receives: a `RuleContext` (one checked service in one environment, before lowering) or, for
environment rules (manifests.py), the environment and its emitted, patched manifests.
Returns: `Diagnostic`s located at the key that caused them (run_rules, check_manifests).
Imports: plan (a rule judges the decisions lowering will make), emit's manifest and reference
model, spec, source and the shared leaves; never output, validate or the runner.

Each rule is a small generator function registered with `@rule(ID, summary)` (registry.py); its
docstring is its user documentation (`inferplane explain ID`). A rule yields `Finding`s; the
runner turns them into diagnostics located in the file and line that set the offending key. A
new rule family is one module here and one name in the import list below.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from ..errors import Diagnostic
# Importing a rule module registers its rules; the list is explicit so the set and order are obvious.
from . import kserve, secrets, hardware, images, delivery, scaling, istio, certmanager, traffic, modelmesh, versions, exposure, loadtest, hpa_metrics, knative_features  # noqa: F401
from . import components, graph, llm, ray  # noqa: F401  (workloads beyond one predictor: docs/workloads.md)
from . import manifests  # noqa: F401  (environment rules, run after emit by check_manifests)
from .registry import REGISTRY, Finding, Rule, RuleContext, registered_rules, rule

__all__ = ["REGISTRY", "Finding", "Rule", "RuleContext", "all_rules", "rule", "run_rules"]


def all_rules() -> list[Rule]:
    return registered_rules()


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
