"""emit/components.py, whole: the transformer and explainer of an InferenceService with every field
(container or built-in ART explainer, scaling, timeout, credentials, GPU placement, the service's
pod label, a version's canary), both sides of each choice, and the spec key each field points an
error at."""

from __future__ import annotations

from compiler.emit import components
from compiler.plan.versions import lower_service_plans
from compiler.spec.models import Environment, ModelService
from tests.findings.exact import SERVICE_FILE, _located
from tests.helpers import BASE_ENV, BASE_SERVICE, patched

CREDENTIALS = {"serviceAccountName": "puller", "imagePullSecrets": ["regcred"]}
TRANSFORMER = {
    "container": {"image": "ghcr.io/acme/t:1", "command": ["python"], "args": ["-m", "t"], "env": [{"name": "A", "value": "1"}, {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "token"}}}]},
    "resources": {"limits": {"cpu": "1"}}, "scaling": {"minReplicas": 1, "maxReplicas": 2, "containerConcurrency": 4},
    "gpu": {"class": "t4"}, "timeoutSeconds": 30,
}
EXPLAINER = {"art": {"type": "SquareAttack", "config": {"nb_classes": "10"}, "storageUri": "gs://b/e"}, "serviceAccountName": "explain"}
PATCH = {"spec": {"predictor": {"credentials": CREDENTIALS}, "transformer": TRANSFORMER, "explainer": EXPLAINER}}
GPU_ENV = {"spec": {"gpuClasses": {"t4": {"nodeSelector": {"accelerator": "t4"}, "runtimeClassName": "nvidia", "tolerations": [{"key": "gpu", "operator": "Exists"}]}}}}
HARDENED = {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}, "runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}


def plans(patch: dict, env_patch: dict | None = None):
    layer = _located(patched(BASE_SERVICE, patch), SERVICE_FILE)
    env = Environment.model_validate(patched(BASE_ENV, env_patch or GPU_ENV))
    return lower_service_plans(ModelService.model_validate(layer.data), env, layer, SERVICE_FILE)


def bodies(patch: dict, env_patch: dict | None = None) -> dict[str, dict]:
    (plan,) = plans(patch, env_patch)
    return {component.kind: components.component_body(component, plan) for component in plan.components}


def origins(patch: dict = PATCH) -> dict[str, str]:
    (plan,) = plans(patch)
    found = {}
    for component in plan.components:
        found.update({pointer: str(at) for pointer, at in components.component_origins(component, plan).items()})
    return found


def test_the_transformer_whole():
    assert bodies(PATCH)["transformer"] == {
        "minReplicas": 1, "maxReplicas": 2, "containerConcurrency": 4, "timeout": 30,
        # no account of its own: the predictor's credentials fetch its image too
        "serviceAccountName": "puller", "imagePullSecrets": [{"name": "regcred"}],
        "labels": {"app.kubernetes.io/name": "iris"},
        "nodeSelector": {"accelerator": "t4"}, "tolerations": [{"key": "gpu", "operator": "Exists"}], "runtimeClassName": "nvidia",
        "containers": [{
            "name": "kserve-container", "image": "ghcr.io/acme/t:1", "command": ["python"], "args": ["-m", "t"],
            # the spec's own keys (valueFrom.secretKeyRef), and no key the spec leaves out
            "env": [{"name": "A", "value": "1"}, {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "token"}}}],
            "resources": {"limits": {"cpu": "1", "nvidia.com/gpu": 1}}, "securityContext": HARDENED,
        }],
    }


def test_the_art_explainer_whole_with_its_own_account():
    assert bodies(PATCH)["explainer"] == {
        "serviceAccountName": "explain", "imagePullSecrets": [{"name": "regcred"}],
        "labels": {"app.kubernetes.io/name": "iris"},
        "art": {"type": "SquareAttack", "config": {"nb_classes": "10"}, "storageUri": "gs://b/e", "securityContext": HARDENED},
    }


def test_art_resources_with_a_gpu_are_on_the_art_explainer():
    explainer = {"art": {"type": "SquareAttack"}, "resources": {"limits": {"cpu": "2"}}, "gpu": {"class": "t4"}}
    assert bodies({"spec": {"explainer": explainer}})["explainer"] == {
        "labels": {"app.kubernetes.io/name": "iris"},
        "nodeSelector": {"accelerator": "t4"}, "tolerations": [{"key": "gpu", "operator": "Exists"}], "runtimeClassName": "nvidia",
        "art": {"type": "SquareAttack", "resources": {"limits": {"cpu": "2", "nvidia.com/gpu": 1}}, "securityContext": HARDENED},
    }


def test_an_explainer_container_without_credentials_or_gpu_carries_only_its_own_fields():
    # no credentials: no account, no pull secrets; no GPU: no placement; bare container
    assert bodies({"spec": {"explainer": {"container": {"image": "ghcr.io/acme/e:1"}}}})["explainer"] == {
        "labels": {"app.kubernetes.io/name": "iris"},
        "containers": [{"name": "kserve-container", "image": "ghcr.io/acme/e:1", "securityContext": HARDENED}],
    }


def test_before_kserve_0_11_the_pods_take_no_label_from_the_component():
    # KServe copied the InferenceService's own labels onto the pods then (component-metadata)
    old = {"spec": {"versions": {"kserve": "0.10.0"}}}
    assert bodies({"spec": {"transformer": {"container": {"image": "ghcr.io/acme/t:1"}}}}, old)["transformer"] == {
        "containers": [{"name": "kserve-container", "image": "ghcr.io/acme/t:1", "securityContext": HARDENED}],
    }


VERSIONED = {"spec": {"transformer": {"container": {"image": "t:1"}}, "versions": [{"name": "v1"}, {"name": "v2", "weight": 10, "transformer": {"container": {"image": "t:2"}}}]}}


def test_a_versions_own_transformer_takes_the_knative_canary_weight():
    assert bodies(VERSIONED)["transformer"] == {
        "canaryTrafficPercent": 10, "labels": {"app.kubernetes.io/name": "iris"},
        "containers": [{"name": "kserve-container", "image": "t:2", "securityContext": HARDENED}],
    }


def test_a_transformer_the_newest_version_leaves_unchanged_takes_no_canary_weight():
    older = {"spec": {"transformer": {"container": {"image": "t:1"}}, "versions": [{"name": "v1", "weight": 90, "transformer": {"container": {"image": "t:0"}}}, {"name": "v2"}]}}
    (plan,) = plans(older)
    assert plan.canary_traffic_percent == 10  # the predictor's canary, not the transformer's
    assert [components.component_body(c, plan) for c in plan.components] == [
        {"labels": {"app.kubernetes.io/name": "iris"}, "containers": [{"name": "kserve-container", "image": "t:1", "securityContext": HARDENED}]},
    ]


def test_split_versions_label_the_pods_with_the_service_and_take_no_canary():
    split = patched(VERSIONED, {"spec": {"canaryStrategy": "split"}})
    found = {plan.name: [components.component_body(c, plan) for c in plan.components] for plan in plans(split)}
    assert found == {
        # the service's name, not the InferenceService's: access policies select every version's pods
        "iris-v1": [{"labels": {"app.kubernetes.io/name": "iris"}, "containers": [{"name": "kserve-container", "image": "t:1", "securityContext": HARDENED}]}],
        # a version's own transformer, yet no Knative canary: the split routes by InferenceService
        "iris-v2": [{"labels": {"app.kubernetes.io/name": "iris"}, "containers": [{"name": "kserve-container", "image": "t:2", "securityContext": HARDENED}]}],
    }


def test_each_field_points_at_its_spec_key():
    # services/iris.yaml as dumped (keys sorted); a key the spec does not set points at its parent
    assert origins() == {
        "/spec/explainer": "services/iris.yaml:6:3", "/spec/explainer/art": "services/iris.yaml:7:5",
        "/spec/explainer/art/resources": "services/iris.yaml:6:3",
        "/spec/explainer/minReplicas": "services/iris.yaml:6:3", "/spec/explainer/maxReplicas": "services/iris.yaml:6:3",
        "/spec/explainer/containerConcurrency": "services/iris.yaml:6:3",
        "/spec/explainer/nodeSelector": "services/iris.yaml:6:3", "/spec/explainer/tolerations": "services/iris.yaml:6:3",
        "/spec/explainer/runtimeClassName": "services/iris.yaml:6:3",
        "/spec/explainer/art/image": "services/iris.yaml:7:5", "/spec/explainer/art/command": "services/iris.yaml:7:5",
        "/spec/explainer/art/args": "services/iris.yaml:7:5", "/spec/explainer/art/env": "services/iris.yaml:7:5",
        "/spec/explainer/art/type": "services/iris.yaml:11:7", "/spec/explainer/art/config": "services/iris.yaml:8:7",
        "/spec/explainer/art/storageUri": "services/iris.yaml:10:7", "/spec/explainer/timeout": "services/iris.yaml:6:3",
        "/spec/transformer": "services/iris.yaml:25:3", "/spec/transformer/containers/0": "services/iris.yaml:26:5",
        "/spec/transformer/containers/0/resources": "services/iris.yaml:43:5",
        "/spec/transformer/minReplicas": "services/iris.yaml:49:7", "/spec/transformer/maxReplicas": "services/iris.yaml:48:7",
        "/spec/transformer/containerConcurrency": "services/iris.yaml:47:7",
        "/spec/transformer/nodeSelector": "services/iris.yaml:41:5", "/spec/transformer/tolerations": "services/iris.yaml:41:5",
        "/spec/transformer/runtimeClassName": "services/iris.yaml:41:5",
        "/spec/transformer/containers/0/image": "services/iris.yaml:40:7", "/spec/transformer/containers/0/command": "services/iris.yaml:30:7",
        "/spec/transformer/containers/0/args": "services/iris.yaml:27:7", "/spec/transformer/containers/0/env": "services/iris.yaml:32:7",
        "/spec/transformer/containers/0/type": "services/iris.yaml:26:5", "/spec/transformer/containers/0/config": "services/iris.yaml:26:5",
        "/spec/transformer/containers/0/storageUri": "services/iris.yaml:26:5", "/spec/transformer/timeout": "services/iris.yaml:50:5",
    }


def test_add_components_puts_both_into_the_inference_service():
    (plan,) = plans(PATCH)
    body, found = {"spec": {"predictor": {}}}, {}
    components.add_components(body, found, plan)
    assert list(body["spec"]) == ["predictor", "transformer", "explainer"]
    assert body["spec"]["transformer"] == bodies(PATCH)["transformer"] and body["spec"]["explainer"] == bodies(PATCH)["explainer"]
    assert {pointer: str(at) for pointer, at in found.items()} == origins()
