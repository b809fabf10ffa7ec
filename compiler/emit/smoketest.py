"""Emit the opt-in smoke test of a service: a batch/v1 Job Argo CD runs after each sync.

A PostSync hook runs once every object of the sync is healthy; it sends a few requests to the
predictor inside the cluster (like the first seed's curl) and fails the sync if one fails.
`HookSucceeded` deletes a passing Job; `BeforeHookCreation` deletes a failed one, kept for its
logs, before the next sync creates it again (Job templates are immutable).
"""

from __future__ import annotations

from ..bundle import Manifest
from ..lower import ServicePlan
from ..spec.delivery import SmokeTest
from ..spec.models import Environment
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


def smoke_test_of(plan: ServicePlan) -> SmokeTest:
    """The service's smokeTest settings. The plan carries the resolved, already validated spec."""
    spec = plan.layer.data.get("spec") if isinstance(plan.layer.data, dict) else None
    return SmokeTest.model_validate((spec or {}).get("smokeTest") or {})


def predictor_url(plan: ServicePlan) -> str:
    """In-cluster address of the predictor: KServe's Service `<isvc>-predictor` in both modes
    (Standard: the Deployment's Service; Knative: the route of the `<isvc>-predictor` ksvc)."""
    return f"http://{plan.name}-predictor.{plan.namespace}.svc.cluster.local"


def default_path(plan: ServicePlan) -> str:
    """The model's readiness endpoint: v1 `/v1/models/<name>`, v2 `/v2/models/<name>/ready`."""
    model = plan.predictor.model
    if model is None:
        return "/"
    protocol = model.protocol_version or ("v2" if model.format == "triton" else "v1")
    # A split version serves its model under the service's name (lower_versions), like the others.
    name = plan.service or plan.name
    return f"/v2/models/{name}/ready" if protocol.endswith("v2") else f"/v1/models/{name}"


def _job(plan: ServicePlan, smoke: SmokeTest) -> dict:
    env_vars = [
        {"name": "URL", "value": predictor_url(plan) + (smoke.path or default_path(plan))},
        {"name": "REQUESTS", "value": str(smoke.requests)},
    ]
    if smoke.body is not None:
        env_vars.append({"name": "BODY", "value": smoke.body})
    labels = {**plan.labels, "app.kubernetes.io/component": "smoke-test"}
    # The Pod is not a predictor: selectors for `app.kubernetes.io/name: <service>` must not catch it.
    pod_labels = {**labels, "app.kubernetes.io/name": f"{plan.name}-smoke-test"}
    container = {
        "name": CONTAINER_NAME,
        "image": smoke.image,
        "command": ["sh", "-c", SCRIPT],
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
                # No mesh sidecar: it would keep the Pod, and so the Job, running after curl exits.
                "metadata": {"labels": pod_labels, "annotations": {"sidecar.istio.io/inject": "false"}},
                "spec": {
                    "restartPolicy": "Never",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [container],
                },
            },
        },
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    smoke = smoke_test_of(plan)
    gitops = env.spec.gitops
    if not smoke.enabled or gitops is None or gitops.tool != "argocd":
        return []  # SMOKE-01 tells the user when enabled without Argo CD
    container = "/spec/template/spec/containers/0"
    origins = {
        "": plan.locate("spec", "smokeTest"),
        f"{container}/image": plan.locate("spec", "smokeTest", "image"),
        f"{container}/env": plan.locate("spec", "smokeTest"),
        "/spec/activeDeadlineSeconds": plan.locate("spec", "smokeTest", "timeoutSeconds"),
    }
    return [Manifest(_job(plan, smoke), service=plan.name, origins=origins)]
