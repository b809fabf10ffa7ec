"""IS-03's guard against a plan whose route names a subset no DestinationRule defines: lowering
never makes one, so the test hands the rule such a plan to show the finding it would give."""

from __future__ import annotations

import dataclasses

from compiler.rules import traffic
from tests.findings.exact import finding_lines
from tests.test_rules import MESH_ENV, spec, version


def test_a_route_to_an_undefined_subset_is_reported(monkeypatch):
    real = traffic.plan_traffic

    def without_v2_subset(service, env):
        plan = real(service, env)
        return dataclasses.replace(plan, subset_rules=tuple(rule for rule in plan.subset_rules if rule.subset != "v2"))

    monkeypatch.setattr(traffic, "plan_traffic", without_v2_subset)
    lines = finding_lines(spec(mode="standard", versions=[version("v1", 90), version("v2", 10)]), MESH_ENV)
    assert lines == [
        "services/iris.yaml:14:3: error[IS-03]: the route to version 'v2' names subset 'v2' of iris-v2-predictor.ml-prod.svc.cluster.local, which no DestinationRule defines — report this as a compiler bug @ spec.versions",
    ]


def test_every_subset_defined_gives_no_finding():
    assert finding_lines(spec(mode="standard", versions=[version("v1", 90), version("v2", 10)]), MESH_ENV) == []
