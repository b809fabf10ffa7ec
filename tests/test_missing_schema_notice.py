"""Compile names the kinds it could not validate in ONE notice per run (validate/stage.py)."""

from __future__ import annotations

from compiler.errors import Diagnostic, Location
from compiler.validate.stage import one_missing_schema_notice

HINT = "get the schemas with `inferplane schemas pull --env {env}` (URL sources), a folder named in the environment's spec.validation (crds, kserveCrds, schemaLocations), or --crd PATH"


def _missing(kind: str, env: str, severity: str = "warning") -> Diagnostic:
    return Diagnostic("VAL-NO-SCHEMA", f"no schema for {kind} (example.com/v1): not validated", "name its CRD", None, severity, environment=env)


def _absent(source: str, env: str) -> Diagnostic:
    return Diagnostic("VAL-SOURCE", f"CRD source {source!r} does not exist", "fix the path", Location(f"environments/{env}.yaml"), "warning", environment=env)


def test_kinds_of_every_environment_and_their_absent_sources_become_one_notice():
    found = one_missing_schema_notice([_missing("Widget", "dev"), _missing("Widget", "prod"), _missing("Gadget", "prod"), _absent("../crds", "dev"), _absent("../crds", "prod")])
    assert [d.format() for d in found] == [
        "warning[VAL-NO-SCHEMA]: 2 kinds not validated, no schema found: Gadget, Widget; schema sources that do not exist: '../crds' (dev, prod) — " + HINT.format(env="ENV")
    ]
    assert found[0].environment == "dev,prod"


def test_one_environment_is_named_in_the_fix_and_one_kind_is_singular():
    (notice,) = one_missing_schema_notice([_missing("Widget", "prod")])
    assert notice.format() == "warning[VAL-NO-SCHEMA]: 1 kind not validated, no schema found: Widget — " + HINT.format(env="prod")


def test_errors_stay_one_per_kind_and_an_absent_source_alone_stays_located():
    errors = [_missing("Widget", "prod", "error"), _missing("Gadget", "prod", "error")]
    absent = [_absent("../crds", "prod")]
    assert one_missing_schema_notice(errors + absent) == errors + absent
