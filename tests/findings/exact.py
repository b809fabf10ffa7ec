"""Every finding of a service in an environment, as the one line a user reads: file:line:col,
rule ID, message and hint, then ` @ ` and the key path the rule named. The rule-meaning tests compare these lines exactly, so a test states
what a rule says and where, and that nothing else fires."""

from __future__ import annotations

from compiler.emit import emit_all
from compiler.errors import has_errors
from compiler.plan.service import lower_service
from compiler.rules import RuleContext, all_rules, run_rules
from compiler.rules.manifests import check_manifests
from compiler.rules.versions import check_versions
from compiler.source.resolve import Layer
from compiler.source.yaml_io import dump, parse_documents
from compiler.spec.models import Environment, ModelService
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

SERVICE_FILE = "services/iris.yaml"
ENV_FILE = "environments/prod.yaml"


def _located(data: dict, path: str) -> Layer:
    """The data as a file would hold it, with the line and column of every key."""
    (document,), problems = parse_documents(dump(data), path)
    assert not problems, problems
    return Layer(document.data, document.positions, path)


def finding_lines(service_patch: dict | None = None, env_patch: dict | None = None) -> list[str]:
    """What compile reports for the base service with the patches applied, in report order:
    the version rules; then (when they found no error) the service rules; then (when those found
    no error) the environment rules over the manifests emitted for it."""
    layer = _located(patched(BASE_SERVICE, service_patch or {}), SERVICE_FILE)
    env_layer = _located(patched(BASE_ENV, env_patch or {}), ENV_FILE)
    service = ModelService.model_validate(layer.data)
    env = Environment.model_validate(env_layer.data)
    all_rules()
    name = env.metadata.name
    diagnostics = check_versions(env, env_layer, name)
    if not has_errors(diagnostics):
        diagnostics += list(run_rules(RuleContext(service, env, layer, name, env_layer=env_layer)))
        if not has_errors(diagnostics):
            manifests = emit_all([lower_service(service, env, layer, SERVICE_FILE)], env)
            diagnostics += check_manifests(manifests, env, env_layer, name)
    return [f"{diag.format()} @ {_dotted(diag.key_path)}" for diag in diagnostics]


def _dotted(key_path) -> str:
    """The key the finding is about (spec.versions[1].name): two keys on one line stay apart."""
    return "".join(f"[{key}]" if isinstance(key, int) else f".{key}" for key in key_path or ()).lstrip(".") or "-"
