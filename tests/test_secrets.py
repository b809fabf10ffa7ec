"""SEC-01 and SEC-02: no credential reaches git through Inferplane.

Detector tests state, for one value and the name it goes by, exactly what is found (or that
nothing is). Rule tests compile a small project from YAML text, so every line and column is
known, and assert the complete list of errors: the one finding, and that nothing else fires.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from compiler.emit.manifest import Manifest
from compiler.errors import Location
from compiler.pipeline import CompileOptions, compile_project
from compiler.rules.credentials import credentials_in, describe
from compiler.rules.manifests import check_manifests
from compiler.source.resolve import Layer
from compiler.spec.models import Environment
from tests.helpers import BASE_ENV

# Test values, not credentials: built so that this file holds none as written either.
AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
GITHUB = "ghp_" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
GITLAB = "glpat-" + "xY3zQ9wK2mN7pL4vR8tB"
HF = "hf_" + "AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh"
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
PEM = "-----BEGIN " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
SIGNED_S3 = "https://models.s3.amazonaws.com/bert.bin?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=" + "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
# A self-signed test certificate and an SSH public key: public, random-looking, no secrets.
CERTIFICATE = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIB9DCCAV2gAwIBAgIUJ2EWZPsZ/XnDtQK1A63txMgjRFcwDQYJKoZIhvcNAQEL\n"
    "BQAwDDEKMAgGA1UEAwwBeDAeFw0yNjExMjgwMjEyNTBaFw0yNjExMjkwMjEyNTBa\n"
    "MAwxCjAIBgNVBAMMAXgwgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAL2G+f/J\n"
    "BXSFvuYYdwi3nWorN28XrEibFX2vLtOf2OuYkHzb0k3AavcwZqa9a/eZrIpilDi0\n"
    "k7xkoFcJqJUKnmYk/6T86dxv775a7tydHn5PIDrPQvsEzbfbgz1G2Yzbw9qSEX+J\n"
    "PVp4+8nFs5SEuFBnnxcNLnxg9QhhiwHN+v3HAgMBAAGjUzBRMB0GA1UdDgQWBBSw\n"
    "kcrKqua1KywF7RfTuDfDKRh9pzAfBgNVHSMEGDAWgBSwkcrKqua1KywF7RfTuDfD\n"
    "KRh9pzAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3DQEBCwUAA4GBALYbDu1uvsDm\n"
    "mYc0wtJ9xAKRSrqHbtOBa/4J9NtIdBO7t4Wd7sZhULmV3XEQlI+hKNfyqABmYQit\n"
    "/BycsFlJa+0CE13W+1NdmH7OV7JXjHbgVLQx+tLyvyRl8NqAArlPq5rCcDiAK0Pz\n"
    "MSpyzUctMd7CiblSki4SolHirpOlTgmx\n"
    "-----END CERTIFICATE-----\n"
)
SSH_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB3HAovU/X656Dk8/O8dLuR9mzYX6YUxUJ2zV8FZKdna ml@example.com"
DIGEST = "@sha256:" + "9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c"


# ---------------------------------------------------------------- detectors, one value at a time

FOUND = [
    ("--model-store-password=hunter2xyz", None, "a password ('hunt…')"),
    ("s3cr3t-pw", "password", "a password ('s3cr…')"),  # the item after a bare `--password`
    ("abc", "AWS_SECRET_ACCESS_KEY", "a secret ('…')"),  # too short to show any of it
    ("t0ps3cr3tvalue", "inferplane.dev/api-token", "a token ('t0ps…')"),
    ("t0ps3cr3tvalue", "apiKey", "an API key ('t0ps…')"),
    ("https://user:hunter2xyz@models.example.com/bert", "storageUri", "a password in a URL ('hunt…')"),
    ("https://tok3nvalue@models.example.com/bert", "storageUri", "a token as a URL's user name ('tok3…')"),
    (SIGNED_S3, "storageUri", "a signed-URL parameter X-Amz-Signature ('aeee…')"),
    ("https://storage.googleapis.com/m/b.bin?X-Goog-Signature=0a1b2c3d4e5f", "storageUri", "a signed-URL parameter X-Goog-Signature ('0a1b…')"),
    ("https://acct.blob.core.windows.net/c/m.onnx?sv=2022-11-02&sr=b&sig=Zm9vYmFyYmF6cXV4", "storageUri", "a signed-URL parameter sig ('Zm9v…')"),
    ("https://models.example.com/m.bin?token=abc123def", "storageUri", "a signed-URL parameter token ('abc1…')"),
    ("https://models.example.com/m.bin?client_secret=abc123def", "storageUri", "a client_secret parameter in a URL ('abc1…')"),
    (AWS_KEY, "inferplane.dev/owner", "an AWS access key ('AKIA…')"),
    (f"https://{GITHUB}@github.com/acme/gitops.git", "repoURL", "a GitHub token ('ghp_…')"),
    (GITLAB, "NOTE", "a GitLab token ('glpa…')"),
    (JWT, "SESSION", "a JSON Web Token ('eyJh…')"),
    (PEM, "tls.key", "a private key ('----…')"),
    (HF, None, "a Hugging Face token ('hf_A…')"),
    (f"--hf-token={HF}", None, "a Hugging Face token ('hf_A…')"),
    ("Bearer 0a1b2c3d4e5f6a7b", "x-auth", "an Authorization header credential ('0a1b…')"),
    ("db.user=app\ndb.password=hunter2xyz\n", "application.properties", "a secret ('hunt…')"),
    ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "config", "a random-looking string (a generated key?) ('wJal…')"),
    (f"AWS_ACCESS_KEY_ID={AWS_KEY} https://u:hunter2xyz@h/x", None, "an AWS access key ('AKIA…') and a password in a URL ('hunt…')"),
    # a one-letter password is no part of the token that happens to contain its letter
    ("https://u:p@models.example.com/x?token=abcdefghp1", "storageUri", "a password in a URL ('…') and a signed-URL parameter token ('abcd…')"),
]


@pytest.mark.parametrize("text, name, found", FOUND)
def test_each_detector_finds_its_credential_and_shows_at_most_four_characters(text, name, found):
    credentials = credentials_in(text, name)
    assert describe(credentials) == found
    # never the value: at most 4 characters of one of 8 or more, nothing of a shorter one
    assert all(c.shown == "'…'" if len(c.value) < 8 else c.value not in found for c in credentials)


QUIET = [
    ("--model-store-password-file=/var/run/secrets/pw", None),
    ("/var/run/secrets/pw", "password"),
    ("--password=$(DB_PASSWORD)", None),  # Kubernetes expands the Secret-backed variable
    ("$(DB_PASSWORD)", "password"),
    ("https://huggingface.co/bert-base", "storageUri"),
    ("hf://meta-llama/Llama-3.1-8B-Instruct", "storageUri"),
    ("gs://kfserving-examples/models/sklearn/1.0/model", "storageUri"),
    ("s3://Bucket/Models/BERT-v2/Checkpoint-1000/Final", "storageUri"),
    ("ssh://git@github.com/acme/gitops.git", "repoURL"),  # ssh names the account, not a secret
    ("https://models.example.com/m.bin?version=3&format=onnx", "storageUri"),
    ("ghcr.io/acme/ranker" + DIGEST, "image"),
    ("inferplane-gateway-cert", "secretName"),  # names a Secret
    ("le-account", "privateKeySecretName"),
    ("api-token", "key"),  # secretKeyRef.key
    ("false", "TOKENIZERS_PARALLELISM"),
    ("4096", "MAX_TOTAL_TOKENS"),
    ("bert-base-uncased", "tokenizer"),
    ("rotate every 30 days", "inferplane.dev/secret-rotation"),
    ("debug", "LOG_LEVEL"),
    ("k8s-log-c2a9f4e6b1d04e7a8c3f5b9d6e0a1c7f3", "sls.project"),  # a hex ID, not a key
    ("Bearer authentication is required", "description"),
    (CERTIFICATE, "ca.crt"),
    (base64.b64encode(CERTIFICATE.encode()).decode(), "caBundle"),
    (SSH_PUBLIC_KEY, "authorized_keys"),
    ("sum(rate(revision_request_count{namespace_name=\"ml-prod\"}[1m]))", "query"),
]


@pytest.mark.parametrize("text, name", QUIET)
def test_values_that_only_look_near_a_credential_are_quiet(text, name):
    assert credentials_in(text, name) == ()


# ---------------------------------------------------------------- rules, through compile

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
      storageUri: gs://kfserving-examples/models/sklearn/1.0/model
"""


def errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> list[str]:
    """Every error of `compile --all` on a project of these files (paths relative to it)."""
    for name, text in {"environments/prod.yaml": ENVIRONMENT, "services/iris.yaml": SERVICE, **files}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    result = compile_project(Path("."), None, CompileOptions())
    return [d.format() for d in result.diagnostics if d.is_error or d.rule.startswith("SEC")]


def model(*lines: str) -> str:
    return SERVICE + "".join(f"      {line}\n" for line in lines)


ARGS_HINT = "pass it from a Secret: an `env` entry with `valueFrom.secretKeyRef` and `$(NAME)` in the argument"
STORAGE_HINT = "use the URI without credentials and set `predictor.credentials.serviceAccountName` (a service account with the storage credentials Secret) or use KServe's storage-config Secret"
OTHER_HINT = "keep it in a Secret and reference it: `env[].valueFrom.secretKeyRef`, `predictor.credentials.serviceAccountName` (a service account with a credentials Secret) or KServe's storage-config Secret"


def env_hint(key: str) -> str:
    return f"take it from a Secret: `valueFrom: {{secretKeyRef: {{name: <secret>, key: {key}}}}}`"


def test_a_password_in_args_is_reported_at_the_argument_and_a_password_file_is_not(tmp_path, monkeypatch):
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": model("args:", "  - --model-store-password-file=/var/run/secrets/pw", "  - --model-store-password=hunter2xyz")})
    assert found == [f"services/iris.yaml:13:11: error[SEC-01]: spec.predictor.model.args[1] inlines a password ('hunt…') — {ARGS_HINT}"]


def test_a_flag_and_its_value_as_two_arguments(tmp_path, monkeypatch):
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": model('args: ["--port=8080", "--password", "s3cr3t-pw", "--verbose"]')})
    assert found == [f"services/iris.yaml:11:43: error[SEC-01]: spec.predictor.model.args[2] inlines a password ('s3cr…') — {ARGS_HINT}"]


def test_a_hugging_face_token_in_args(tmp_path, monkeypatch):
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": model("args:", f"  - --hf-token={HF}")})
    assert found == [f"services/iris.yaml:12:11: error[SEC-01]: spec.predictor.model.args[0] inlines a Hugging Face token ('hf_A…') — {ARGS_HINT}"]


@pytest.mark.parametrize("uri, found", [
    ("https://user:hunter2xyz@models.example.com/bert", "a password in a URL ('hunt…')"),
    ("https://tok3nvalue@models.example.com/bert", "a token as a URL's user name ('tok3…')"),
    (SIGNED_S3, "a signed-URL parameter X-Amz-Signature ('aeee…')"),
])
def test_credentials_in_a_storage_uri(tmp_path, monkeypatch, uri, found):
    service = SERVICE.replace("gs://kfserving-examples/models/sklearn/1.0/model", uri)
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": service}) == [f"services/iris.yaml:10:7: error[SEC-01]: spec.predictor.model.storageUri inlines {found} — {STORAGE_HINT}"]


def test_a_storage_uri_without_user_info_is_quiet(tmp_path, monkeypatch):
    service = SERVICE.replace("gs://kfserving-examples/models/sklearn/1.0/model", "https://huggingface.co/bert-base")
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": service}) == []


def test_a_github_token_in_an_env_value(tmp_path, monkeypatch):
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": model("env:", "  - name: GIT_AUTH", f"    value: {GITHUB}", "  - name: LOG_LEVEL", "    value: debug")})
    assert found == [f"services/iris.yaml:13:11: error[SEC-01]: environment variable GIT_AUTH inlines a GitHub token ('ghp_…') — {env_hint('git_auth')}"]


def test_an_env_value_from_a_secret_is_quiet(tmp_path, monkeypatch):
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": model("env:", "  - name: HF_TOKEN", "    valueFrom: {secretKeyRef: {name: hf, key: token}}")}) == []


def test_an_aws_key_in_an_annotation(tmp_path, monkeypatch):
    service = SERVICE.replace("  name: iris\n", f"  name: iris\n  annotations:\n    example.com/owner: {AWS_KEY}\n")
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": service})
    assert found == [f'services/iris.yaml:6:5: error[SEC-01]: metadata.annotations["example.com/owner"] inlines an AWS access key (\'AKIA…\') — {OTHER_HINT}']


def test_a_private_key_and_a_jwt_anywhere_in_the_spec(tmp_path, monkeypatch):
    block = "".join(f"          {line}\n" for line in PEM.splitlines())
    service = model("env:", "  - name: SESSION", f"    value: {JWT}") + "    annotations:\n      example.com/tls-key: |\n" + block
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": service})
    assert found == [
        f"services/iris.yaml:13:11: error[SEC-01]: environment variable SESSION inlines a JSON Web Token ('eyJh…') — {env_hint('session')}",
        f'services/iris.yaml:15:7: error[SEC-01]: spec.predictor.annotations["example.com/tls-key"] inlines a private key (\'----…\') — {OTHER_HINT}',
    ]


def test_an_image_pinned_by_digest_is_quiet(tmp_path, monkeypatch):
    service = SERVICE.replace("    model:\n      format: sklearn\n      storageUri: gs://kfserving-examples/models/sklearn/1.0/model\n", f"    container:\n      image: ghcr.io/acme/ranker{DIGEST}\n")
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": service}) == []


def test_the_allowlist_comment_on_the_line_or_the_line_above_quiets_a_finding(tmp_path, monkeypatch):
    service = model("args:", "  - --model-store-password=hunter2xyz  # pragma: allowlist secret", "  # pragma: allowlist nextline secret", f"  - --hf-token={HF}", "  - --api-key=t0ps3cr3tvalue")
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": service})
    assert found == [f"services/iris.yaml:15:11: error[SEC-01]: spec.predictor.model.args[2] inlines an API key ('t0ps…') — {ARGS_HINT}"]


def test_a_secret_in_the_environment_defaults_is_one_finding_for_every_service(tmp_path, monkeypatch):
    environment = ENVIRONMENT + f"  defaults:\n    predictor:\n      annotations:\n        example.com/hf: {HF}\n"
    other = SERVICE.replace("name: iris", "name: other")
    found = errors(tmp_path, monkeypatch, {"environments/prod.yaml": environment, "services/other.yaml": other})
    assert found == [f'environments/prod.yaml:11:9: error[SEC-01]: spec.predictor.annotations["example.com/hf"] inlines a Hugging Face token (\'hf_A…\') — {OTHER_HINT}']


def test_a_version_that_repeats_the_shared_predictor_is_one_finding(tmp_path, monkeypatch):
    service = model("args: [--api-key=t0ps3cr3tvalue]") + "  versions:\n    - name: v1\n    - name: v2\n      weight: 10\n      predictor: {model: {storageUri: gs://bucket/v2}}\n"
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": service})
    assert found == [f"services/iris.yaml:11:14: error[SEC-01]: spec.predictor.model.args[0] inlines an API key ('t0ps…') — {ARGS_HINT}"]


# ---------------------------------------------------------------- SEC-02: patches and the environment file

JSON_PATCH = """\
target: {kind: InferenceService, name: iris}
patch:
  - op: add
    path: /metadata/annotations/example.com~1tls-key
    value: |
"""
MERGE_PATCH = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: iris
spec:
  predictor:
    model:
      env:
        - name: SESSION
          value: {jwt}
"""


def test_a_private_key_a_json_patch_adds_is_reported_at_the_patch_line(tmp_path, monkeypatch):
    patch = JSON_PATCH + "".join(f"      {line}\n" for line in PEM.splitlines())
    found = errors(tmp_path, monkeypatch, {"overlays/prod/patches/tls.yaml": patch})
    assert found == [f'overlays/prod/patches/tls.yaml:6:7: error[SEC-02]: metadata.annotations["example.com/tls-key"] of InferenceService ml-prod/iris inlines a private key (\'----…\') — {OTHER_HINT}']


def test_a_jwt_a_merge_patch_adds_is_reported_at_its_value(tmp_path, monkeypatch):
    found = errors(tmp_path, monkeypatch, {"overlays/prod/patches/env.yaml": MERGE_PATCH.format(jwt=JWT)})
    assert found == [f"overlays/prod/patches/env.yaml:10:18: error[SEC-02]: environment variable SESSION of InferenceService ml-prod/iris inlines a JSON Web Token ('eyJh…') — {env_hint('session')}"]


def test_a_value_a_merge_patch_puts_into_a_list_the_spec_also_fills_is_the_patches(tmp_path, monkeypatch):
    # The patch records `containers` (a list it merges by name); the emitter's origins of the
    # container's fields stay deeper and point at the spec: the patch text decides.
    service = SERVICE.replace("    model:\n      format: sklearn\n      storageUri: gs://kfserving-examples/models/sklearn/1.0/model\n", "    container:\n      image: ghcr.io/acme/ranker:2.3.1\n      env:\n        - {name: LOG_LEVEL, value: debug}\n")
    patch = MERGE_PATCH.format(jwt=JWT).replace("    model:\n      env:\n        - name: SESSION\n          value:", "    containers:\n      - name: kserve-container\n        env:\n          - name: SESSION\n            value:")
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": service, "overlays/prod/patches/env.yaml": patch})
    assert found == [f"overlays/prod/patches/env.yaml:11:20: error[SEC-02]: environment variable SESSION of InferenceService ml-prod/iris inlines a JSON Web Token ('eyJh…') — {env_hint('session')}"]


def test_a_patch_value_allowlisted_on_its_key_line_is_quiet(tmp_path, monkeypatch):
    patch = JSON_PATCH.replace("value: |", "value: |  # pragma: allowlist secret") + "".join(f"      {line}\n" for line in PEM.splitlines())
    assert errors(tmp_path, monkeypatch, {"overlays/prod/patches/tls.yaml": patch}) == []


def test_a_harmless_patch_is_quiet(tmp_path, monkeypatch):
    patch = "target: {kind: InferenceService, name: iris}\npatch:\n  - {op: add, path: /spec/predictor/priorityClassName, value: model-serving-high}\n"
    assert errors(tmp_path, monkeypatch, {"overlays/prod/patches/priority.yaml": patch}) == []


def test_a_token_in_the_gitops_repo_url_is_one_finding_at_the_environment_file(tmp_path, monkeypatch):
    environment = ENVIRONMENT + f"  gitops:\n    tool: argocd\n    repoURL: https://{GITHUB}@github.com/acme/gitops.git\n"
    found = errors(tmp_path, monkeypatch, {"environments/prod.yaml": environment})
    # the Argo CD Application carries the same URL: not a second finding
    assert found == ["environments/prod.yaml:10:5: error[SEC-02]: spec.gitops.repoURL inlines a GitHub token ('ghp_…') — remove the credentials from the URL: its reader takes them from a Secret (Argo CD and Flux have repository Secrets)"]


def test_an_inlined_dns01_credential_is_cm02s_alone(tmp_path, monkeypatch):
    environment = ENVIRONMENT + """\
  domain: prod.example.com
  mesh: {}
  tls:
    issuer:
      name: letsencrypt
      type: acme
      acme:
        server: https://acme-v02.api.letsencrypt.org/directory
        email: ml@example.com
        privateKeySecretName: le-account
        solver: dns01
        dns01: {cloudflare: {apiToken: t0ps3cr3tvalue}}
"""
    found = errors(tmp_path, monkeypatch, {"environments/prod.yaml": environment})
    assert [line.split(": ", 1)[1].split("]")[0] for line in found] == ["error[CM-02"]


def test_a_secret_in_a_spec_is_reported_once_at_the_spec_even_though_its_manifest_holds_it(tmp_path, monkeypatch):
    found = errors(tmp_path, monkeypatch, {"services/iris.yaml": model("args: [--api-key=t0ps3cr3tvalue]")})
    assert [line.split(": error")[0] for line in found] == ["services/iris.yaml:11:14"]


def test_an_allowlisted_spec_value_is_not_reported_again_in_its_manifest(tmp_path, monkeypatch):
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": model("args: [--api-key=t0ps3cr3tvalue]  # pragma: allowlist secret")}) == []


def test_sec02_reads_every_string_of_a_configmap_a_patch_changed(tmp_path):
    patch = tmp_path / "overlays" / "prod" / "patches" / "cm.yaml"
    patch.parent.mkdir(parents=True)
    patch.write_text("target: {kind: ConfigMap, name: model-config}\npatch:\n  - op: add\n    path: /data/token\n    value: t0ps3cr3tvalue\n")
    origin = Location(str(patch), 4, 5)
    configmap = Manifest({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "model-config", "namespace": "ml-prod"}, "data": {"token": "t0ps3cr3tvalue", "level": "debug"}}, origins={"/data/token": origin})
    env = Environment.model_validate(BASE_ENV)
    [finding] = check_manifests([configmap], env, Layer(BASE_ENV, {}, "environments/prod.yaml"), "prod")
    assert (finding.rule, finding.location, finding.message) == ("SEC-02", Location(str(patch), 5, 12), "data.token of ConfigMap ml-prod/model-config inlines a token ('t0ps…')")
