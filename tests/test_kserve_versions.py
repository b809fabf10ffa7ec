"""The version tables (plan/kserve_versions.py, plan/kubernetes_versions.py) and what follows from
them: the exact findings of VERSION, KS-24, KS-25 and KS-09 at the lines that ask for a feature,
and the manifests an older KServe or Kubernetes release gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler.pipeline import CompileOptions, compile_project
from compiler.plan.kserve_versions import BY_KEY, FEATURES, RELEASE_TAGS, KServeRelease, known_minors, parse_minor
from compiler.plan.kubernetes_versions import OLDEST_VALIDATED, KubernetesRelease, HPA_API, PDB_API
from compiler.validate.core import bundled_versions

ENV = """\
apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: prod
spec:
  versions:
    kubernetes: "{kubernetes}"
    kserve: "{kserve}"
  namespace: ml-prod
{extra}"""

SERVICE = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: {mode}
  predictor:
    model:
      format: {format}
      storageUri: gs://bucket/model
{model}{spec}"""


def findings(tmp_path: Path, kserve: str = "0.16.0", kubernetes: str = "1.33", env_extra: str = "", mode: str = "knative", format: str = "sklearn", model: str = "", spec: str = "") -> list[tuple[str, str, str]]:
    """(rule, file:line:col relative to the project, message) of every diagnostic of one compile."""
    (tmp_path / "environments").mkdir()
    (tmp_path / "services").mkdir()
    (tmp_path / "environments" / "prod.yaml").write_text(ENV.format(kubernetes=kubernetes, kserve=kserve, extra=env_extra))
    (tmp_path / "services" / "iris.yaml").write_text(SERVICE.format(mode=mode, format=format, model=model, spec=spec))
    result = compile_project(tmp_path, None, CompileOptions(cache_dir=tmp_path / "cache"))
    root = f"{tmp_path}/"
    return [(d.rule, str(d.location).replace(root, ""), d.message.replace(root, "")) for d in result.diagnostics if d.rule != "VAL-NO-SCHEMA"]


# ---------------------------------------------------------------- the table


def test_the_table_knows_every_minor_from_0_7_to_0_20():
    assert known_minors() == [(0, minor) for minor in range(7, 21)]
    assert all(tag.startswith(f"v0.{minor}.") for (_, minor), tag in RELEASE_TAGS.items())


def test_every_feature_starts_at_a_known_minor_and_cites_its_source():
    for feature in FEATURES:
        assert feature.since in RELEASE_TAGS, feature.key
        assert len(feature.source) > 20, feature.key


@pytest.mark.parametrize("key", sorted(BY_KEY))
def test_a_feature_is_missing_just_before_its_release_and_present_from_it(key):
    since = BY_KEY[key].since
    assert KServeRelease(since).has(key)
    before = (since[0], since[1] - 1)
    if before in RELEASE_TAGS:
        assert not KServeRelease(before).has(key)
        assert KServeRelease(before).lacking(key) is BY_KEY[key]


def test_spellings_follow_the_release():
    assert KServeRelease((0, 15)).deployment_mode("knative") == "Serverless"
    assert KServeRelease((0, 16)).deployment_mode("standard") == "Standard"
    assert KServeRelease((0, 10)).predictor_name("iris") == "iris-predictor-default"
    assert KServeRelease((0, 11)).predictor_name("iris") == "iris-predictor"
    assert KServeRelease((0, 11)).autoscaler_classes == ("hpa",)
    assert KServeRelease((0, 12)).autoscaler_classes == ("hpa", "external")
    assert KServeRelease((0, 16)).autoscaler_classes == ("hpa", "external", "keda", "none")


def test_versions_parse_to_their_minor_or_to_nothing():
    assert parse_minor("0.15.2") == (0, 15) == parse_minor("v0.15") == parse_minor("0.15.0-rc1")
    assert parse_minor("latest") is None and parse_minor("") is None
    with pytest.raises(ValueError):
        KServeRelease.of("0.99.0")


def test_the_oldest_kubernetes_is_the_oldest_schema_set_kubernetes_validate_ships():
    oldest = bundled_versions()[0].split(".")
    assert OLDEST_VALIDATED == (int(oldest[0]), int(oldest[1]))


def test_kubernetes_api_versions_and_sidecars_follow_the_release():
    assert KubernetesRelease((1, 23)).api(HPA_API) == "autoscaling/v2" and KubernetesRelease((1, 22)).api(HPA_API) == "autoscaling/v2beta2"
    assert KubernetesRelease((1, 21)).api(PDB_API) == "policy/v1" and KubernetesRelease((1, 20)).api(PDB_API) == "policy/v1beta1"
    assert KubernetesRelease((1, 29)).native_sidecars and not KubernetesRelease((1, 28)).native_sidecars


def test_docs_show_the_table():
    """docs/versions.md carries the table's rows as they are (regenerate them from table_rows())."""
    from compiler.plan.kserve_versions import table_rows

    text = (Path(__file__).resolve().parents[1] / "docs" / "versions.md").read_text(encoding="utf-8")
    for row in table_rows():
        assert "| " + " | ".join(row.values()) + " |" in text, row["KServe"]


# ---------------------------------------------------------------- VERSION


def test_kubernetes_older_than_the_schemas_is_one_line_at_its_version(tmp_path):
    assert findings(tmp_path, kubernetes="1.22") == [
        ("VERSION", "environments/prod.yaml:7:5", "Kubernetes 1.22 is older than 1.25, the oldest release Inferplane validates for"),
    ]


def test_kubernetes_1_25_compiles(tmp_path):
    assert findings(tmp_path, kubernetes="1.25") == []


@pytest.mark.parametrize("kserve, message", [
    ("latest", "KServe version 'latest' names no release: what the manifests may contain depends on it"),
    ("0.99", "KServe 0.99 is newer than every release Inferplane knows (0.7 to 0.20)"),
    ("0.6.1", "KServe 0.6.1 is older than every release Inferplane knows (0.7 to 0.20)"),
])
def test_an_unknown_kserve_release_is_one_line_at_its_version(tmp_path, kserve, message):
    assert findings(tmp_path, kserve=kserve) == [("VERSION", "environments/prod.yaml:8:5", message)]


# ---------------------------------------------------------------- KS-24, KS-25, KS-09 at the field


def test_a_named_runtime_on_0_7_is_located_at_the_runtime_and_names_the_version_line(tmp_path):
    assert findings(tmp_path, kserve="0.7.0", model="      runtime: kserve-sklearnserver\n") == [
        ("KS-24", "services/iris.yaml:11:7", "model.runtime (it picks a ServingRuntime) needs KServe 0.8 or later; the environment runs KServe 0.7.0 (environments/prod.yaml:8:5)"),
    ]


def test_a_named_runtime_on_0_8_is_fine(tmp_path):
    assert findings(tmp_path, kserve="0.8.0", model="      runtime: kserve-sklearnserver\n") == []


def test_huggingface_before_0_12(tmp_path):
    assert findings(tmp_path, kserve="0.11.2", format="huggingface") == [
        ("KS-24", "services/iris.yaml:9:7", "model format huggingface (kserve-huggingfaceserver) needs KServe 0.12 or later; the environment runs KServe 0.11.2 (environments/prod.yaml:8:5)"),
    ]


def test_huggingface_from_0_12(tmp_path):
    assert findings(tmp_path, kserve="0.12.1", format="huggingface") == []


PROMETHEUS = "  observability:\n    prometheus:\n      enabled: true\n"


def test_prometheus_scraping_of_a_knative_model_server_before_0_10(tmp_path):
    assert findings(tmp_path, kserve="0.9.0", env_extra=PROMETHEUS) == [
        ("KS-24", "services/iris.yaml:6:3", "environment 'prod' scrapes every model server with Prometheus: Prometheus metrics of a Knative-mode model server (queue-proxy's metric aggregation) needs KServe 0.10 or later; the environment runs KServe 0.9.0 (environments/prod.yaml:8:5)"),
    ]


def test_prometheus_scraping_from_0_10_and_in_standard_mode(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert findings(tmp_path / "a", kserve="0.10.2", env_extra=PROMETHEUS) == []
    assert findings(tmp_path / "b", kserve="0.9.0", env_extra=PROMETHEUS, mode="standard") == []


QPS = "  scaling:\n    minReplicas: 1\n    maxReplicas: 4\n    metric: external\n    target: 10\n    external:\n      name: queue_depth\n"


def test_an_hpa_of_our_own_before_0_12_is_located_at_the_metric(tmp_path):
    assert findings(tmp_path, kserve="0.10.2", mode="standard", spec=QPS) == [
        ("KS-09", "services/iris.yaml:17:7", "an external metric by name needs an HPA of the compiler's own and autoscalerClass external, which KServe honours from 0.12; environment 'prod' runs KServe 0.10.2 (environments/prod.yaml:8:5), whose own HPA would fight it"),
    ]


def test_an_hpa_of_our_own_from_0_12(tmp_path):
    assert findings(tmp_path, kserve="0.12.1", mode="standard", spec=QPS) == []


RUNTIMES = """\
  modelmesh:
    pvcs: [models]
    runtimes:
      - name: mlserver-1.x
        image: docker.io/seldonio/mlserver:1.5.0
        supportedModelFormats:
          - {name: sklearn, version: "0", autoSelect: true, priority: 2}
"""


def test_runtime_priority_before_0_11(tmp_path):
    assert findings(tmp_path, kserve="0.10.2", env_extra=RUNTIMES) == [
        ("KS-25", "environments/prod.yaml:16:61", "supportedModelFormats[].priority needs KServe 0.11 or later; the environment runs KServe 0.10.2 (environments/prod.yaml:8:5)"),
    ]


def test_runtimes_on_0_7_and_priority_from_0_11(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert findings(tmp_path / "a", kserve="0.7.0", env_extra=RUNTIMES) == [
        ("KS-25", "environments/prod.yaml:12:5", "modelmesh.runtimes are rendered as ServingRuntimes: the ServingRuntime kind needs KServe 0.8 or later; the environment runs KServe 0.7.0 (environments/prod.yaml:8:5)"),
    ]
    assert findings(tmp_path / "b", kserve="0.11.2", env_extra=RUNTIMES) == []


@pytest.mark.parametrize("kubernetes", [version.rsplit(".", 1)[0] for version in bundled_versions()] + ["1.40"])
def test_every_kubernetes_release_kubernetes_validate_ships_compiles(tmp_path, kubernetes):
    """Each bundled schema set, and a release newer than all of them (validated with the newest)."""
    assert findings(tmp_path, kubernetes=kubernetes, mode="standard", spec="  scaling: {minReplicas: 2, maxReplicas: 4, metric: cpu, target: 70}\n") == []
