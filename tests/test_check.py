"""Pydantic errors become located diagnostics with suggestions."""

from compiler.spec.check import check_model
from compiler.source.resolve import Layer
from compiler.spec.models import Environment, ModelService
from compiler.source.yaml_io import parse_documents

SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: knative
  predictor:
    model:
      format: {format}
      {storage_key}: gs://bucket/model
"""


def check(text: str, model=ModelService):
    docs, errors = parse_documents(text, "services/iris.yaml")
    assert not errors
    doc = docs[0]
    return check_model(Layer(doc.data, doc.positions, doc.path), model, model.__name__)


def test_valid_service_gives_a_typed_model():
    service, diagnostics = check(SERVICE.format(format="sklearn", storage_key="storageUri"))
    assert diagnostics == []
    assert service.spec.predictor.model.storage_uri == "gs://bucket/model"


def test_misspelled_key_names_line_column_and_suggestion():
    _, diagnostics = check(SERVICE.format(format="sklearn", storage_key="storageUrl"))
    assert [d.format() for d in diagnostics] == [
        "services/iris.yaml:10:7: error[SPEC-UNKNOWN-KEY]: unknown key 'storageUrl' in spec.predictor.model — did you mean 'storageUri'?"
    ]


def test_misspelled_value_suggests_the_closest_allowed_one():
    _, diagnostics = check(SERVICE.format(format="sklern", storage_key="storageUri"))
    assert diagnostics[0].rule == "SPEC-VALUE"
    assert "did you mean 'sklearn'?" in diagnostics[0].hint
    assert (diagnostics[0].location.line, diagnostics[0].location.column) == (9, 7)


def test_all_errors_reported_together():
    _, diagnostics = check(SERVICE.format(format="sklern", storage_key="storageUrl"))
    assert {d.rule for d in diagnostics} == {"SPEC-VALUE", "SPEC-UNKNOWN-KEY"}


def test_missing_key_points_at_the_parent():
    _, diagnostics = check("apiVersion: inferplane.dev/v1alpha1\nkind: ModelService\nmetadata:\n  name: x\nspec:\n  mode: knative\n")
    assert [(d.rule, d.message, d.location.line) for d in diagnostics] == [("SPEC-MISSING", "spec needs key 'predictor'", 5)]


def test_bad_quantity_is_one_error_not_one_per_union_member():
    text = SERVICE.format(format="sklearn", storage_key="storageUri") + "    resources:\n      limits: {cpu: lots}\n"
    _, diagnostics = check(text)
    assert len(diagnostics) == 1
    assert "not a Kubernetes quantity" in diagnostics[0].message
    assert diagnostics[0].location.line == 12


def test_unknown_key_far_from_any_field_lists_allowed_keys():
    _, diagnostics = check(SERVICE.format(format="sklearn", storage_key="storageUri") + "  zzzzqqq: 1\n")
    assert diagnostics[0].hint.startswith("allowed keys here: mode, version")


def test_environment_versions_are_judged_by_rule_version():
    """A word passes the type check; rule VERSION says which releases it knows (test_kserve_versions.py)."""
    from compiler.rules.versions import check_versions
    from compiler.source.resolve import Layer

    text = "apiVersion: inferplane.dev/v1alpha1\nkind: Environment\nmetadata: {name: dev}\nspec:\n  versions: {kubernetes: latest, kserve: '0.16'}\n  namespace: ml\n"
    env, diagnostics = check(text, Environment)
    assert diagnostics == []
    assert [(d.rule, d.key_path) for d in check_versions(env, Layer({}, {}, "environments/dev.yaml"), "dev")] == [("VERSION", ("spec", "versions", "kubernetes"))]
