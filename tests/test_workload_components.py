"""Transformer and explainer beside a predictor: lowering, the InferenceService, and rules COMP-*."""

from __future__ import annotations

import pytest

from tests.conftest import needs_shared
from tests.workload_project import compile_text, findings

SKLEARN = "  predictor:\n    model: {format: sklearn, storageUri: gs://bucket/model}\n"
KNATIVE = "  mode: knative\n" + SKLEARN  # lines 6-8
STANDARD = "  mode: standard\n" + SKLEARN
TRANSFORMER = "  transformer:\n    container: {image: ghcr.io/acme/transformer:1.0}\n"  # lines 9-10
AT = "services/iris.yaml"
# ModelMesh needs the environment's runtimes (rule MM-01); the seed's MLServer serves sklearn.
MLSERVER = {"name": "mlserver-1.x", "image": "docker.io/seldonio/mlserver:1.5.0", "supportedModelFormats": [{"name": "sklearn", "version": "0", "autoSelect": True}], "builtInAdapter": {"serverType": "mlserver"}}
MODELMESH_ENV = {"modelmesh": {"runtimes": [MLSERVER]}}


def isvc(result) -> dict:
    [manifest] = [m for m in result.manifests if m.kind == "InferenceService"]
    return manifest.body


# ---------------------------------------------------------------- output


def test_transformer_renders_its_own_pods_with_the_service_label(tmp_path):
    result = compile_text(tmp_path, KNATIVE + TRANSFORMER + "    scaling: {minReplicas: 1, maxReplicas: 4}\n")
    assert result.ok, [d.format() for d in result.diagnostics]
    transformer = isvc(result)["spec"]["transformer"]
    assert transformer["minReplicas"] == 1 and transformer["maxReplicas"] == 4
    assert transformer["labels"] == {"app.kubernetes.io/name": "iris"}
    [container] = transformer["containers"]
    assert container["name"] == "kserve-container" and container["image"] == "ghcr.io/acme/transformer:1.0"


def test_art_explainer_and_component_gpu_count_in_the_budget(tmp_path):
    spec = KNATIVE + "  explainer:\n    art: {type: SquareAttack}\n    gpu: {class: t4}\n    scaling: {maxReplicas: 2}\n"
    result = compile_text(tmp_path, spec)
    assert result.ok, [d.format() for d in result.diagnostics]
    explainer = isvc(result)["spec"]["explainer"]
    assert explainer["art"]["type"] == "SquareAttack"
    assert explainer["art"]["resources"] == {"limits": {"nvidia.com/gpu": 1}}
    [line] = result.gpu_budget
    assert [(share.service, share.gpus) for share in line.shares] == [("iris/explainer", 2)]


def test_split_versions_each_carry_the_transformer(tmp_path):
    versions = "  canaryStrategy: split\n  versions:\n    - {name: v1, weight: 90}\n    - {name: v2, weight: 10}\n"
    result = compile_text(tmp_path, KNATIVE + TRANSFORMER + versions, mesh={}, domain="models.example.com")
    assert result.ok, [d.format() for d in result.diagnostics]
    bodies = [m.body for m in result.manifests if m.kind == "InferenceService"]
    assert sorted(b["metadata"]["name"] for b in bodies) == ["iris-v1", "iris-v2"]
    assert all(b["spec"]["transformer"]["containers"][0]["image"] == "ghcr.io/acme/transformer:1.0" for b in bodies)


def test_access_lets_the_transformer_call_the_predictor(tmp_path):
    spec = STANDARD + TRANSFORMER + "  access: {allowNamespaces: [ml-clients]}\n"
    result = compile_text(tmp_path, spec, mesh={})
    assert result.ok, [d.format() for d in result.diagnostics]
    [plan] = result.plans
    assert "cluster.local/ns/ml-prod/sa/default" in plan.access.principals


# ---------------------------------------------------------------- rules: exact finding, nothing else

FIRING = [
    ("COMP-01 transformer without a server", KNATIVE + "  transformer:\n    scaling: {maxReplicas: 2}\n", {},
     f"{AT}:9:3: error[COMP-01]: the transformer has no server — add container with the transformer's image"),
    ("COMP-01 explainer with two servers", KNATIVE + "  explainer:\n    container: {image: ghcr.io/acme/explain:1}\n    art: {type: SquareAttack}\n", {},
     f"{AT}:11:5: error[COMP-01]: the explainer has both container and art — keep one: container for your own explainer, art for KServe's"),
    ("COMP-02 min above max", KNATIVE + TRANSFORMER + "    scaling: {minReplicas: 5, maxReplicas: 2}\n", {},
     f"{AT}:11:15: error[COMP-02]: the transformer's minReplicas 5 is above its maxReplicas 2 — lower minReplicas to 2 or raise maxReplicas"),
    ("COMP-02 zero in Standard mode", STANDARD + TRANSFORMER + "    scaling: {minReplicas: 0}\n", {},
     f"{AT}:11:15: error[COMP-02]: the transformer cannot scale to zero in Standard mode — set minReplicas: 1, or use mode: knative"),
    ("COMP-03 transformer on ModelMesh", "  mode: modelmesh\n" + SKLEARN + TRANSFORMER, MODELMESH_ENV,
     f"{AT}:9:3: error[COMP-03]: mode modelmesh runs no transformer — remove the transformer, or use mode knative or standard"),
    ("COMP-03 explainer on ModelMesh", "  mode: modelmesh\n" + SKLEARN + "  explainer:\n    art: {type: SquareAttack}\n", MODELMESH_ENV,
     f"{AT}:9:3: error[COMP-03]: mode modelmesh runs no explainer — remove the explainer, or use mode knative or standard"),
    ("COMP-GPU unknown class", KNATIVE + TRANSFORMER + "    gpu: {class: a100}\n", {},
     f"{AT}:11:11: error[COMP-GPU]: GPU class 'a100' of the transformer is not defined in environment 'prod' — use one of: t4"),
    ("COMP-GPU GPU in resources", KNATIVE + TRANSFORMER + "    resources:\n      limits: {nvidia.com/gpu: 1}\n", {},
     f"{AT}:12:16: error[COMP-GPU]: the transformer asks for nvidia.com/gpu in resources — use transformer.gpu with a class instead"),
]


@needs_shared  # every rendered object, the ModelMesh runtimes included, validates against the CRDs
@pytest.mark.parametrize("spec, env, expected", [case[1:] for case in FIRING], ids=[case[0] for case in FIRING])
def test_component_rule_fires_alone(tmp_path, spec, env, expected):
    assert findings(tmp_path, spec, **env) == [expected]


QUIET = [
    ("COMP-01 transformer with a container", KNATIVE + TRANSFORMER),
    ("COMP-01 explainer with art only", KNATIVE + "  explainer:\n    art: {type: SquareAttack}\n"),
    ("COMP-02 min equal to max", KNATIVE + TRANSFORMER + "    scaling: {minReplicas: 2, maxReplicas: 2}\n"),
    ("COMP-02 zero in Knative mode", KNATIVE + TRANSFORMER + "    scaling: {minReplicas: 0, maxReplicas: 3}\n"),
    ("COMP-03 transformer in Standard mode", STANDARD + TRANSFORMER),
    ("COMP-03 explainer in Knative mode", KNATIVE + "  explainer:\n    container: {image: ghcr.io/acme/explain:1}\n"),
    ("COMP-GPU known class within maxPerPod", KNATIVE + TRANSFORMER + "    gpu: {class: t4, count: 1}\n    scaling: {maxReplicas: 1}\n"),
    ("COMP-GPU cpu and memory in resources", KNATIVE + TRANSFORMER + "    resources:\n      limits: {cpu: '1', memory: 1Gi}\n"),
]


@needs_shared
@pytest.mark.parametrize("spec", [case[1] for case in QUIET], ids=[case[0] for case in QUIET])
def test_component_rule_stays_quiet(tmp_path, spec):
    assert findings(tmp_path, spec) == []


# ---------------------------------------------------------------- a version's own transformer

VERSIONS = (
    "  versions:\n"
    "    - name: v1\n"
    "    - name: v2\n"
    "      weight: 10\n"
    "      transformer:\n"
    "        container: {image: ghcr.io/acme/transformer:2.0}\n"
    "        resources: {limits: {cpu: '2', memory: 2Gi}}\n"
)


@needs_shared
def test_split_versions_each_carry_their_own_transformer(tmp_path):
    spec = STANDARD + TRANSFORMER + "  canaryStrategy: split\n" + VERSIONS
    result = compile_text(tmp_path, spec, mesh={})
    assert result.ok, [d.format() for d in result.diagnostics]
    transformers = {m.name: m.body["spec"]["transformer"]["containers"][0] for m in result.manifests if m.kind == "InferenceService"}
    assert transformers["iris-v1"]["image"] == "ghcr.io/acme/transformer:1.0" and "resources" not in transformers["iris-v1"]
    assert transformers["iris-v2"]["image"] == "ghcr.io/acme/transformer:2.0"
    assert transformers["iris-v2"]["resources"] == {"limits": {"cpu": "2", "memory": "2Gi"}}
    [v2] = [m for m in result.manifests if (m.kind, m.name) == ("InferenceService", "iris-v2")]
    assert v2.origin_of("/spec/transformer/containers/0/image").line == 17  # the version's own key


@needs_shared
def test_knative_canary_rolls_the_newest_versions_transformer_with_its_weight(tmp_path):
    result = compile_text(tmp_path, KNATIVE + TRANSFORMER + VERSIONS)
    assert result.ok, [d.format() for d in result.diagnostics]
    spec = isvc(result)["spec"]
    assert spec["predictor"]["canaryTrafficPercent"] == 10
    assert spec["transformer"]["canaryTrafficPercent"] == 10
    assert spec["transformer"]["containers"][0]["image"] == "ghcr.io/acme/transformer:2.0"


@needs_shared
def test_a_transformer_unchanged_by_the_newest_version_has_no_canary_of_its_own(tmp_path):
    versions = VERSIONS.replace("    - name: v1\n", "").replace("    - name: v2\n      weight: 10\n", "    - name: v1\n      weight: 90\n") + "    - name: v2\n"
    result = compile_text(tmp_path, KNATIVE + TRANSFORMER + versions)
    assert result.ok, [d.format() for d in result.diagnostics]
    spec = isvc(result)["spec"]
    assert spec["predictor"]["canaryTrafficPercent"] == 10
    assert "canaryTrafficPercent" not in spec["transformer"] and spec["transformer"]["containers"][0]["image"] == "ghcr.io/acme/transformer:1.0"
