"""The runner's own work on diagnostics: one mistake, one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import CompileOptions, compile_project

ENVIRONMENT = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions: {kubernetes: "1.33", kserve: "0.16.0"}
  namespace: ml-prod
"""

SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: knative
  predictor:
    model:
      format: sklearn
      {shared_key}: gs://models/iris/1
  versions:
    - name: v1
      weight: 90
    - name: v2
      weight: 10
      predictor:
        model: {{{own_key}: gs://models/iris/2}}
"""


def errors(root: Path, service: str, overlay: str | None = None) -> list[str]:
    (root / "services").mkdir()
    (root / "environments").mkdir()
    (root / "services" / "iris.yaml").write_text(service)
    (root / "environments" / "prod.yaml").write_text(ENVIRONMENT)
    if overlay is not None:
        (root / "overlays" / "prod").mkdir(parents=True)
        (root / "overlays" / "prod" / "iris.yaml").write_text(overlay)
    result = compile_project(root, ["prod"], CompileOptions())
    return [d.format() for d in result.diagnostics if d.is_error]


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_typo_in_the_predictor_two_versions_share_is_reported_once(root):
    found = errors(root, SERVICE.format(shared_key="storageUrl", own_key="storageUri"))
    assert found == ["services/iris.yaml:10:7: error[SPEC-UNKNOWN-KEY]: unknown key 'storageUrl' in spec.predictor.model — did you mean 'storageUri'?"]


def test_a_typo_in_a_version_s_own_predictor_is_its_own_line(root):
    found = errors(root, SERVICE.format(shared_key="storageUrl", own_key="storageUrl"))
    assert found == [
        "services/iris.yaml:10:7: error[SPEC-UNKNOWN-KEY]: unknown key 'storageUrl' in spec.predictor.model — did you mean 'storageUri'?",
        "services/iris.yaml:17:17: error[SPEC-UNKNOWN-KEY]: unknown key 'storageUrl' in spec.versions[1].predictor.model — did you mean 'storageUri'?",
    ]


def test_a_typo_an_overlay_adds_to_the_shared_predictor_is_reported_once_at_the_overlay(root):
    overlay = "spec:\n  predictor:\n    model:\n      runtimeVersoin: '1.5'\n"
    found = errors(root, SERVICE.format(shared_key="storageUri", own_key="storageUri"), overlay)
    assert found == ["overlays/prod/iris.yaml:4:7: error[SPEC-UNKNOWN-KEY]: unknown key 'runtimeVersoin' in spec.predictor.model — did you mean 'runtimeVersion'?"]


def test_no_mistake_no_line(root):
    assert errors(root, SERVICE.format(shared_key="storageUri", own_key="storageUri")) == []
