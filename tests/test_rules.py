"""Every rule has a case that fires and one that stays quiet."""

import pytest

from compiler.rules import all_rules
from tests.helpers import fires, rule_ids

MODEL = ("spec", "predictor", "model")


def spec(**values) -> dict:
    return {"spec": values}


def model(**values) -> dict:
    return spec(predictor={"model": values})


FIRING = [
    ("KS-01", spec(mode=None), None),
    ("KS-01", {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": "Standard"}}}, None),
    ("KS-01", {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": "Knative"}}}, {"spec": {"versions": {"kserve": "0.15.2"}}}),
    ("KS-03", {"metadata": {"name": "Iris_Model"}}, None),
    ("KS-04", {"metadata": {"name": "a" * 40}}, {"spec": {"namespace": "team-" + "b" * 20}}),
    ("KS-05", spec(predictor={"container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("KS-05", spec(predictor={"model": None}), None),
    ("KS-06", spec(scaling={"minReplicas": 5, "maxReplicas": 2}), None),
    ("KS-06", spec(scaling={"minReplicas": -1}), None),
    ("KS-06", spec(scaling={"containerConcurrency": -2}), None),
    ("KS-07", model(storageUri="ftp://host/model"), None),
    ("KS-07", model(storageUri="bucket/model"), None),
    ("KS-07", model(storageUri="pvc://Bad_Claim/model"), None),
    ("KS-08", model(storageUris=[{"uri": "gs://a/b"}]), None),
    ("KS-08", model(storageUri=None), None),
    ("KS-22", {"metadata": {"annotations": {"serving.kserve.org/enable-tag-routing": "true"}}}, None),
    ("SEC-01", model(env=[{"name": "AWS_SECRET_ACCESS_KEY", "value": "abc"}]), None),
    ("SEC-01", model(storageUri="https://user:pass@host/model.joblib"), None),
    ("SEC-01", model(storageUri="https://host/model?X-Amz-Signature=abc"), None),
    ("GPU-CLASS", spec(hardware={"gpu": {"class": "a100"}}), None),
    ("GPU-CLASS", spec(hardware={"gpu": {"class": "t4", "count": 3}}), None),
    ("GPU-01", spec(predictor={"resources": {"requests": {"nvidia.com/gpu": 1}}}), None),
    ("GPU-01", spec(predictor={"resources": {"limits": {"nvidia.com/mig-1g.5gb": 1, "nvidia.com/mig-2g.10gb": 1}}}), None),
    ("GPU-01", spec(hardware={"gpu": {"class": "t4"}}, predictor={"resources": {"limits": {"nvidia.com/gpu": 1}}}), None),
    # images and delivery
    ("IMG-01", None, {"spec": {"images": {"requireDigests": True}}}),
    ("IMG-01", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), {"spec": {"images": {"requireDigests": True}}}),
    ("IMG-02", model(format="onnx"), None),
    ("IMG-02", model(runtime="acme-runtime"), None),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "registry.acme.internal/team/server:1"}}), None),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), {"spec": {"images": {"mirror": "registry.internal/mirror"}}}),
    ("SMOKE-01", spec(smokeTest={"enabled": True}), None),
]

QUIET = [
    ("KS-01", {"metadata": {"annotations": {"serving.kserve.io/deploymentMode": "Serverless"}}}, {"spec": {"versions": {"kserve": "0.15.2"}}}),
    ("KS-03", {"metadata": {"name": "iris-v2"}}, None),
    ("KS-04", {"metadata": {"name": "a" * 30}}, None),
    ("KS-05", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("KS-06", spec(scaling={"minReplicas": 5, "maxReplicas": 0}), None),
    ("KS-07", model(storageUri="pvc://model-pvc/models/bert"), None),
    ("KS-07", model(storageUri="hf://meta-llama/Llama-3.1-8B"), None),
    ("KS-07", model(storageUri="oci://registry.example.com/models/iris:1"), None),
    ("KS-08", model(storageUri=None, storageUris=[{"uri": "gs://a/b"}]), None),
    ("KS-22", {"metadata": {"annotations": {"serving.kserve.io/enable-tag-routing": "true"}}}, None),
    ("SEC-01", model(env=[{"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "s3", "key": "secret"}}}]), None),
    ("SEC-01", model(env=[{"name": "LOG_LEVEL", "value": "debug"}]), None),
    ("GPU-CLASS", spec(hardware={"gpu": {"class": "t4", "count": 2}}), None),
    ("GPU-01", spec(predictor={"resources": {"requests": {"nvidia.com/gpu": 1}, "limits": {"nvidia.com/gpu": 1}}}), None),
    # images and delivery
    ("IMG-01", None, {"spec": {"images": {"requireDigests": True, "runtimes": {"kserve-sklearnserver": "kserve/sklearnserver@sha256:" + "a" * 64}}}}),
    ("IMG-01", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("IMG-02", model(format="onnx", protocolVersion="v2"), None),
    ("IMG-02", model(runtime="acme-runtime"), {"spec": {"images": {"runtimes": {"acme-runtime": "ghcr.io/acme/runtime:2"}}}}),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "registry.acme.internal/team/server@sha256:" + "b" * 64}}), None),
    ("KS-23", spec(mode="standard", predictor={"model": None, "container": {"image": "registry.acme.internal/team/server:1"}}), None),
    ("KS-23", spec(predictor={"model": None, "container": {"image": "ghcr.io/acme/server:1"}}), None),
    ("SMOKE-01", spec(smokeTest={"enabled": True}), {"spec": {"gitops": {"tool": "argocd", "repoURL": "https://github.com/acme/gitops.git"}}}),
]


@pytest.mark.parametrize("rule_id, service_patch, env_patch", FIRING)
def test_rule_fires(rule_id, service_patch, env_patch):
    assert fires(rule_id, service_patch, env_patch)


@pytest.mark.parametrize("rule_id, service_patch, env_patch", QUIET)
def test_rule_stays_quiet(rule_id, service_patch, env_patch):
    assert not fires(rule_id, service_patch, env_patch)


def test_base_service_is_clean():
    assert rule_ids() == set()


def test_every_rule_has_a_firing_and_a_quiet_case():
    ids = {rule.id for rule in all_rules()}
    assert ids <= {case[0] for case in FIRING}
    assert ids <= {case[0] for case in QUIET}


def test_every_rule_documents_itself():
    for rule in all_rules():
        assert len(rule.doc) > 40, rule.id
        assert rule.source, rule.id
