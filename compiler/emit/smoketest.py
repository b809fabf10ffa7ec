"""Emit the opt-in smoke test of a service: a batch/v1 Job Argo CD runs after each sync.

A PostSync hook runs once every object of the sync is healthy; it sends a few requests to the
predictor inside the cluster (like the first seed's curl) and fails the sync if one fails.
`HookSucceeded` deletes a passing Job; `BeforeHookCreation` deletes a failed one, kept for its
logs, before the next sync creates it again (Job templates are immutable).
"""

from __future__ import annotations

from .manifest import Manifest
from ..plan.service import ServicePlan
from ..spec.delivery import SmokeTest
from ..naming import smoke_test_renders, smoke_test_service_account
from ..spec.models import Environment
from ..plan.kubernetes_versions import kubernetes_of
from .gitops import HOOK

HOOK_DELETE_POLICY = "argocd.argoproj.io/hook-delete-policy"
CONTAINER_NAME = "smoke-test"
# Every request must succeed; connection errors and 5xx while a revision warms up are retried.
SCRIPT = """\
set -eu
if [ -n "${BODY:-}" ]; then set -- --header "Content-Type: application/json" --data "$BODY"; else set --; fi
i=0
while [ "$i" -lt "$REQUESTS" ]; do
  curl --fail --silent --show-error --max-time 30 --retry 5 --retry-all-errors --retry-delay 2 "$@" --output /dev/null "$URL"
  i=$((i + 1))
done
echo "smoke test passed: $REQUESTS requests to $URL"
"""
# Before native sidecars (Kubernetes 1.29) Istio's proxy is a classic container that outlives
# curl and keeps the Job running: the script asks pilot-agent to stop it (Istio's /quitquitquit
# on the agent's status port 15020), whatever the requests' outcome.
CLASSIC_SIDECAR_SCRIPT = "trap 'curl --silent --max-time 5 --request POST http://127.0.0.1:15020/quitquitquit >/dev/null || true' EXIT\n" + SCRIPT


def smoke_test_of(plan: ServicePlan) -> SmokeTest:
    """The service's smokeTest settings. The plan carries the resolved, already validated spec."""
    spec = plan.layer.data.get("spec") if isinstance(plan.layer.data, dict) else None
    return SmokeTest.model_validate((spec or {}).get("smokeTest") or {})


def predictor_url(plan: ServicePlan) -> str:
    """In-cluster address of the predictor: KServe's Service `<isvc>-predictor` (before v0.11
    `<isvc>-predictor-default`) in both modes (Standard: the Deployment's Service; Knative: the
    route of the predictor's ksvc)."""
    return f"http://{plan.release.predictor_name(plan.name)}.{plan.namespace}.svc.cluster.local"


def default_path(plan: ServicePlan) -> str:
    """The model's readiness endpoint: v1 `/v1/models/<name>`, v2 `/v2/models/<name>/ready`."""
    model = plan.predictor.model
    if model is None:
        return "/"
    protocol = model.protocol_version or ("v2" if model.format == "triton" else "v1")
    # A split version serves its model under the service's name (lower_versions), like the others.
    name = model.served_name or plan.service or plan.name
    return f"/v2/models/{name}/ready" if protocol.endswith("v2") else f"/v1/models/{name}"


def _pod_mesh_settings(plan: ServicePlan, env: Environment) -> tuple[dict[str, str], dict]:
    """Pod annotations and spec fields for the mesh.

    Without a mesh the Pod gets no sidecar: a classic sidecar would keep the Pod, and so the Job,
    running after curl exits. With a mesh the model only accepts mTLS (STRICT) from identities its
    AuthorizationPolicy names, so the Pod gets Istio's native sidecar (an init container with
    restartPolicy Always, Kubernetes >= 1.29: it stops with the Job) and its own service account,
    which the service's access policy allows.
    """
    if env.spec.mesh is None:
        return {"sidecar.istio.io/inject": "false"}, {}
    annotations = {"sidecar.istio.io/inject": "true"}
    if kubernetes_of(env).native_sidecars:
        annotations["sidecar.istio.io/nativeSidecar"] = "true"
    return annotations, {"serviceAccountName": smoke_test_service_account(plan.service or plan.name)}


def _service_account(plan: ServicePlan) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {
            "name": smoke_test_service_account(plan.service or plan.name),
            "namespace": plan.namespace,
            "labels": {**plan.labels, "app.kubernetes.io/component": "smoke-test"},
        },
    }


def _job(plan: ServicePlan, smoke: SmokeTest, env: Environment) -> dict:
    env_vars = [
        {"name": "URL", "value": predictor_url(plan) + (smoke.path or default_path(plan))},
        {"name": "REQUESTS", "value": str(smoke.requests)},
    ]
    if smoke.body is not None:
        env_vars.append({"name": "BODY", "value": smoke.body})
    labels = {**plan.labels, "app.kubernetes.io/component": "smoke-test"}
    pod_annotations, pod_mesh_fields = _pod_mesh_settings(plan, env)
    # The Pod is not a predictor: selectors for `app.kubernetes.io/name: <service>` must not catch it.
    pod_labels = {**labels, "app.kubernetes.io/name": f"{plan.name}-smoke-test"}
    container = {
        "name": CONTAINER_NAME,
        "image": smoke.image,
        "command": ["sh", "-c", SCRIPT if env.spec.mesh is None or kubernetes_of(env).native_sidecars else CLASSIC_SIDECAR_SCRIPT],
        "env": env_vars,
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{plan.name}-smoke-test",
            "namespace": plan.namespace,
            "labels": labels,
            "annotations": {HOOK: "PostSync", HOOK_DELETE_POLICY: "HookSucceeded,BeforeHookCreation"},
        },
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": smoke.timeout_seconds,
            "template": {
                "metadata": {"labels": pod_labels, "annotations": pod_annotations},
                "spec": {
                    **pod_mesh_fields,
                    "restartPolicy": "Never",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container],
                },
            },
        },
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    smoke = smoke_test_of(plan)
    if not smoke_test_renders(smoke, env):
        return []
    container = "/spec/template/spec/containers/0"
    origins = {
        "": plan.locate("spec", "smokeTest"),
        f"{container}/image": plan.locate("spec", "smokeTest", "image"),
        f"{container}/env": plan.locate("spec", "smokeTest"),
        "/spec/activeDeadlineSeconds": plan.locate("spec", "smokeTest", "timeoutSeconds"),
    }
    job = Manifest(_job(plan, smoke, env), service=plan.name, origins=origins)
    if env.spec.mesh is None:
        return [job]
    return [Manifest(_service_account(plan), service=plan.name, origins={"": plan.locate("spec", "smokeTest")}), job]
