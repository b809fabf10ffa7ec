"""SEC-01's hints, exactly: a container's command, a random-looking string (which the allow-list
comment may excuse), an environment variable's Secret key."""

from __future__ import annotations

from tests.test_secrets import SERVICE, errors

CONTAINER = """\
apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: iris
spec:
  mode: knative
  predictor:
    container:
      image: ghcr.io/acme/server@sha256:{digest}
      command: [serve, --password=hunter2xyz]
""".format(digest="a" * 64)


def test_a_password_in_a_command_is_passed_from_a_secret(tmp_path, monkeypatch):
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": CONTAINER}) == [
        "services/iris.yaml:10:24: error[SEC-01]: spec.predictor.container.command[1] inlines a password ('hunt…')"
        " — pass it from a Secret: an `env` entry with `valueFrom.secretKeyRef` and `$(NAME)` in the argument"
    ]


def test_a_random_looking_string_may_be_allowlisted(tmp_path, monkeypatch):
    service = SERVICE.replace("  predictor:\n", "  predictor:\n    labels: {build: x8Jq2LmN4pR7tV1wZ3yB6cD9fG0hK5sAq}\n")
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": service}) == [
        "services/iris.yaml:8:14: error[SEC-01]: spec.predictor.labels.build inlines a random-looking string (a generated key?) ('x8Jq…')"
        " — keep it in a Secret and reference it: `env[].valueFrom.secretKeyRef`, `predictor.credentials.serviceAccountName` (a service account with a credentials Secret) or KServe's storage-config Secret"
        "; not a credential? end the line with `# pragma: allowlist secret`"
    ]


def test_an_environment_variable_names_its_secret_key_in_lower_case(tmp_path, monkeypatch):
    service = SERVICE + "      env:\n        - {name: HF_TOKEN, value: hf_abcdefghijklmnopqrstuvwxyzABCDEFGH}\n"
    assert errors(tmp_path, monkeypatch, {"services/iris.yaml": service}) == [
        "services/iris.yaml:12:28: error[SEC-01]: environment variable HF_TOKEN inlines a Hugging Face token ('hf_a…')"
        " — take it from a Secret: `valueFrom: {secretKeyRef: {name: <secret>, key: hf_token}}`"
    ]
