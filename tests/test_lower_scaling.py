"""Lowering picks exactly one owner of replicas from the mode, the metric and the KServe version."""

import pytest

from tests.helpers import plan_of

SLS = {"name": "sls_ingress_qps", "selector": {"sls.logstore": "nginx-ingress"}}
PROM = {"query": "sum(rate(requests_total[1m]))", "serverAddress": "http://prometheus:9090"}


def standard(**scaling) -> dict:
    return {"spec": {"mode": "standard", "scaling": scaling}}


def knative(**scaling) -> dict:
    return {"spec": {"scaling": scaling}}


OWNERS = [
    (knative(), None, "knative-kpa", None),
    (knative(metric="rps", target=20), None, "knative-kpa", None),
    (knative(metric="cpu", target=70), None, "knative-hpa", None),
    (standard(), None, "kserve-hpa", "hpa"),
    (standard(metric="memory", target=80), None, "kserve-hpa", "hpa"),
    (standard(metric="cpu", target=70, stabilization={"scaleDownSeconds": 300}), None, "hpa", "external"),
    (standard(metric="external", target=10, external=SLS), None, "hpa", "external"),
    (standard(metric="external", target=10, external=PROM), {"spec": {"autoscaling": {"keda": True}}}, "keda", "keda"),
    (standard(minReplicas=2, maxReplicas=2), None, "fixed", "none"),
    # class none arrived in KServe 0.16: before it, a fixed count is KServe's HPA with min = max
    (standard(minReplicas=2, maxReplicas=2), {"spec": {"versions": {"kserve": "0.15.2"}}}, "kserve-hpa", "hpa"),
]


@pytest.mark.parametrize("service_patch, env_patch, owner, autoscaler_class", OWNERS)
def test_one_owner_per_combination(service_patch, env_patch, owner, autoscaler_class):
    scaler = plan_of(service_patch, env_patch).autoscaler
    assert (scaler.owner, scaler.autoscaler_class) == (owner, autoscaler_class)


def test_an_hpa_never_gets_min_replicas_zero():
    assert plan_of(standard(minReplicas=0, maxReplicas=4)).autoscaler.min_replicas == 1
    assert plan_of(standard(minReplicas=0, maxReplicas=4, metric="external", target=5, external=SLS)).autoscaler.min_replicas == 1


def test_knative_and_keda_keep_zero():
    assert plan_of(knative(minReplicas=0)).autoscaler.min_replicas == 0
    keda = plan_of(standard(minReplicas=0, maxReplicas=3, metric="external", target=5, external=PROM), {"spec": {"autoscaling": {"keda": True}}})
    assert keda.autoscaler.min_replicas == 0


@pytest.mark.parametrize(
    "service_patch, ceiling",
    [
        (knative(minReplicas=1, maxReplicas=3), 3),
        (knative(minReplicas=0, maxReplicas=None), None),  # Knative without maxReplicas: no bound
        (standard(minReplicas=2, maxReplicas=None), 2),  # KServe raises a missing max to min
        (standard(minReplicas=4, maxReplicas=2), 4),
        (standard(minReplicas=0, maxReplicas=None), 1),
    ],
)
def test_replica_ceiling(service_patch, ceiling):
    assert plan_of(service_patch).autoscaler.ceiling == ceiling


def test_knative_annotations_kserve_does_not_derive():
    scaler = plan_of(knative(minReplicas=0, initialScale=2, scaleToZeroRetentionSeconds=120, stabilization={"scaleDownSeconds": 300})).autoscaler
    assert scaler.knative_annotations == {
        "autoscaling.knative.dev/initial-scale": "2",
        "autoscaling.knative.dev/scale-to-zero-pod-retention-period": "120s",
        "autoscaling.knative.dev/scale-down-delay": "300s",
    }


def test_knative_cpu_picks_knatives_hpa_class():
    scaler = plan_of(knative(metric="cpu", target=70)).autoscaler
    assert scaler.knative_annotations == {"autoscaling.knative.dev/class": "hpa.autoscaling.knative.dev"}


def test_container_concurrency_only_in_knative_mode():
    assert plan_of(knative(containerConcurrency=4)).autoscaler.container_concurrency == 4
    assert plan_of(standard(containerConcurrency=4)).autoscaler.container_concurrency is None


def test_spread_only_for_standard_services_always_running_two():
    assert plan_of(standard(minReplicas=2, maxReplicas=4)).spread
    assert not plan_of(standard(minReplicas=1, maxReplicas=4)).spread
    assert not plan_of(knative(minReplicas=2, maxReplicas=4)).spread
