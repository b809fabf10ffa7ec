"""Emit a service's opt-in load test (spec/loadtest.py): one batch/v1 Job per service.

The tool runs first, as an init container writing its report to an emptyDir; the Job's container
then checks the report against the thresholds with sh, sed and awk (the fortio image has no
shell) and fails the Job when one is exceeded. Argo CD runs it as a PostSync hook after each
sync, like the smoke test; Flux applies it from its own folder by a Kustomization that depends
on the environment's (output/layout.py, gitops.flux_load_tests); without GitOps the Job runs once
when applied. In a mesh the Job's pod gets its own service account, which the
service's access policy allows (plan/access.py), and Istio's native sidecar, which starts before
the tool's init container (Kubernetes >= 1.29).
"""

from __future__ import annotations

from ..plan.kubernetes_versions import kubernetes_of
from ..plan.modelmesh import REST_PORT, SERVICE_NAME, is_modelmesh
from ..plan.service import ServicePlan
from ..spec.loadtest import LoadTest, load_test_service_account
from ..spec.models import Environment
from .gitops import HOOK
from .manifest import Manifest
from .smoketest import HOOK_DELETE_POLICY, predictor_url

RESULTS = "/results"
COMPONENT = "load-test"
# vegeta: the targets file (method and URL, header lines, @body), the attack, then the seed's
# text report in the log and a JSON report for the check.
VEGETA_SCRIPT = """\
set -eu
printf '%s %s\\n' "$METHOD" "$URL" > /results/targets
if [ -n "${HEADERS:-}" ]; then printf '%s\\n' "$HEADERS" >> /results/targets; fi
if [ -n "${PAYLOAD:-}" ]; then printf '%s' "$PAYLOAD" > /results/body.json; echo '@/results/body.json' >> /results/targets; fi
vegeta attack -targets=/results/targets -rate="$RATE" -duration="${DURATION}s" -workers="$CONNECTIONS" -output=/results/results.bin
vegeta report /results/results.bin
vegeta report -type=json /results/results.bin > /results/report.json
"""
# The check: error rate and p99 (milliseconds) from either tool's JSON report.
CHECK_SCRIPT = """\
set -eu
report=/results/report.json
if [ "$TOOL" = vegeta ]; then
  success=$(sed -n 's/.*"success": *\\([0-9.eE+-]*\\).*/\\1/p' "$report")
  errors=$(awk -v s="$success" 'BEGIN { print 1 - s }')
  p99=$(sed -n 's/.*"99th": *\\([0-9]*\\).*/\\1/p' "$report" | awk '{ print $1 / 1000000 }')
else
  total=$(awk '/"DurationHistogram"/ { f = 1 } f && /"Count"/ { gsub(/[^0-9]/, ""); print; exit }' "$report")
  passed=$(awk '/"RetCodes"/ { f = 1; next } f && /}/ { exit } f { gsub(/[" ,]/, ""); split($0, a, ":"); if (a[1] ~ /^2/) s += a[2] } END { print s + 0 }' "$report")
  errors=$(awk -v t="$total" -v p="$passed" 'BEGIN { print (t > 0) ? 1 - p / t : 1 }')
  p99=$(awk '/"Percentile": 99,/ { getline; sub(/.*: */, ""); print $0 * 1000; exit }' "$report")
fi
echo "error rate $errors (at most $MAX_ERROR_RATE), p99 ${p99} ms (at most ${MAX_P99_MS:-any})"
awk -v e="$errors" -v m="$MAX_ERROR_RATE" 'BEGIN { exit !(e <= m) }' || { echo "load test failed: error rate $errors > $MAX_ERROR_RATE"; exit 1; }
if [ -n "${MAX_P99_MS:-}" ]; then
  awk -v p="$p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p != "" && p <= m) }' || { echo "load test failed: p99 ${p99} ms > $MAX_P99_MS ms"; exit 1; }
fi
echo "load test passed"
"""


def load_test_of(plan: ServicePlan) -> LoadTest:
    spec = plan.layer.data.get("spec") if isinstance(plan.layer.data, dict) else None
    return LoadTest.model_validate((spec or {}).get("loadTest") or {})


def target_url(plan: ServicePlan, test: LoadTest) -> str:
    """Inside the cluster: KServe's predictor Service, or ModelMesh's shared Service (REST)."""
    name = plan.service or plan.name
    model = plan.predictor.model
    served = (model.served_name if model else None) or name
    v2 = is_modelmesh(plan.mode) or (model is not None and (model.protocol_version or ("v2" if model.format == "triton" else "v1")).endswith("v2"))
    path = test.path or (f"/v2/models/{served}/infer" if v2 else f"/v1/models/{served}:predict")
    if is_modelmesh(plan.mode):
        return f"http://{SERVICE_NAME}.{plan.namespace}.svc.cluster.local:{REST_PORT}{path}"
    return predictor_url(plan) + path


def _tool_container(test: LoadTest, url: str) -> dict:
    container: dict = {"name": test.tool, "image": test.image, "volumeMounts": [{"name": "results", "mountPath": RESULTS}]}
    if test.tool == "vegeta":
        headers = "\n".join(f"{key}: {value}" for key, value in sorted(test.headers.items()))
        env = {"METHOD": "POST" if test.payload is not None else "GET", "URL": url, "RATE": str(test.rate), "DURATION": str(test.duration_seconds), "CONNECTIONS": str(test.connections), "HEADERS": headers}
        if test.payload is not None:
            env["PAYLOAD"] = test.payload
        container["command"] = ["sh", "-c", VEGETA_SCRIPT]
        container["env"] = [{"name": key, "value": value} for key, value in env.items()]
    else:
        args = ["load", "-qps", str(test.rate), "-t", f"{test.duration_seconds}s", "-c", str(test.connections)]
        for key, value in sorted(test.headers.items()):
            args += ["-H", f"{key}: {value}"]
        if test.payload is not None:
            args += ["-content-type", "application/json", "-payload", test.payload]
        container["args"] = [*args, "-json", f"{RESULTS}/report.json", url]  # the image's entrypoint is fortio
    return container


def load_test_job(plan: ServicePlan, test: LoadTest, env: Environment) -> dict:
    service = plan.service or plan.name
    labels = {**plan.labels, "app.kubernetes.io/component": COMPONENT}
    check_env = [{"name": "TOOL", "value": test.tool}, {"name": "MAX_ERROR_RATE", "value": str(test.thresholds.max_error_rate)}]
    if test.thresholds.p99_millis is not None:
        check_env.append({"name": "MAX_P99_MS", "value": str(test.thresholds.p99_millis)})
    pod_annotations = {"sidecar.istio.io/inject": "false"}
    pod_fields: dict = {}
    if env.spec.mesh is not None:
        pod_annotations = {"sidecar.istio.io/inject": "true"}
        if kubernetes_of(env).native_sidecars:
            pod_annotations["sidecar.istio.io/nativeSidecar"] = "true"
        pod_fields["serviceAccountName"] = load_test_service_account(service)
    metadata: dict = {"name": f"{service}-load-test", "namespace": plan.namespace, "labels": labels}
    if env.spec.gitops is not None and env.spec.gitops.tool == "argocd":
        metadata["annotations"] = {HOOK: "PostSync", HOOK_DELETE_POLICY: "HookSucceeded,BeforeHookCreation"}
    security = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": test.timeout_seconds,
            "template": {
                # The pod is not a predictor: selectors for `app.kubernetes.io/name: <service>` must not catch it.
                "metadata": {"labels": {**labels, "app.kubernetes.io/name": f"{service}-load-test"}, "annotations": pod_annotations},
                "spec": {
                    **pod_fields,
                    "restartPolicy": "Never",
                    "securityContext": {"runAsNonRoot": True, "runAsUser": 65534, "seccompProfile": {"type": "RuntimeDefault"}},
                    "initContainers": [{**_tool_container(test, target_url(plan, test)), "securityContext": security}],
                    "containers": [
                        {"name": "check", "image": test.check_image, "command": ["sh", "-c", CHECK_SCRIPT], "env": check_env, "securityContext": security, "volumeMounts": [{"name": "results", "mountPath": RESULTS, "readOnly": True}]}
                    ],
                    "volumes": [{"name": "results", "emptyDir": {}}],
                },
            },
        },
    }


def emit(plan: ServicePlan, env: Environment) -> list[Manifest]:
    test = load_test_of(plan)
    if not test.enabled or test.image is None:
        return []  # LOAD-01 reports an enabled test without an image
    if plan.service and plan.name != plan.service:
        return []  # a version split into InferenceServices of its own: no one predictor to load (LOAD-01)
    origins = {"": plan.locate("spec", "loadTest"), "/spec/template/spec/initContainers/0/image": plan.locate("spec", "loadTest", "image")}
    manifests = [Manifest(load_test_job(plan, test, env), service=plan.name, origins=origins)]
    if env.spec.mesh is not None:
        account = {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": load_test_service_account(plan.service or plan.name), "namespace": plan.namespace, "labels": {**plan.labels, "app.kubernetes.io/component": COMPONENT}},
        }
        manifests.insert(0, Manifest(account, service=plan.name, origins={"": plan.locate("spec", "loadTest")}))
    return manifests




def is_load_test_job(manifest: Manifest) -> bool:
    labels = (manifest.body.get("metadata") or {}).get("labels") or {}
    return manifest.kind == "Job" and labels.get("app.kubernetes.io/component") == COMPONENT
