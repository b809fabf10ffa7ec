"""Secrets never reach git: credentials are referenced, never inlined (design: contracts).

Two rules split the work so that each secret is reported once, where it was written:
- SEC-01 reads every string of each service spec as resolved for an environment (the service
  file, its overlay, the environment's defaults) and points at the spec line. A service with a
  finding is not lowered, so its manifests never repeat it.
- SEC-02 reads the environment file (but its defaults) and every string of the environment's
  final manifests, after overlay patches; a manifest value that came from a service spec is
  SEC-01's, so it reports what a patch added (at the patch line) or the environment file set.
Detection and the allow-list comment are credentials.py's.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Iterator

from ..emit.companions import is_companion
from ..emit.manifest import Manifest
from ..errors import Location
from .certmanager import ACME, issuer_problems
from .credentials import Credential, StringValue, allowlisted, credentials_in, describe, dotted, string_values, written_at
from .manifests import ENVIRONMENT, EnvironmentContext, EnvironmentFinding
from .registry import Finding, RuleContext, rule

_SOURCE = "design.md: secrets never in git; detect-secrets (Yelp) plugins and inline allow-list"
_STORAGE_KEYS = {"storageUri", "storageUris", "uri"}
_ALLOW = "not a credential? end the line with `# pragma: allowlist secret`"


def _where(value: StringValue) -> str:
    return f"environment variable {value.name}" if value.env_var else dotted(value.path)


def _hint(value: StringValue, credentials: tuple[Credential, ...]) -> str:
    field = next((part for part in reversed(value.path) if isinstance(part, str)), "")
    if value.env_var:
        hint = f"take it from a Secret: `valueFrom: {{secretKeyRef: {{name: <secret>, key: {str(value.name).lower()}}}}}`"
    elif field in _STORAGE_KEYS:
        hint = "use the URI without credentials and set `predictor.credentials.serviceAccountName` (a service account with the storage credentials Secret) or use KServe's storage-config Secret"
    elif "://" in value.text:
        hint = "remove the credentials from the URL: its reader takes them from a Secret (Argo CD and Flux have repository Secrets)"
    elif field in ("args", "command"):
        hint = "pass it from a Secret: an `env` entry with `valueFrom.secretKeyRef` and `$(NAME)` in the argument"
    else:
        hint = "keep it in a Secret and reference it: `env[].valueFrom.secretKeyRef`, `predictor.credentials.serviceAccountName` (a service account with a credentials Secret) or KServe's storage-config Secret"
    if all(c.kind.startswith("a random-looking") for c in credentials):
        hint += f"; {_ALLOW}"
    return hint


@rule("SEC-01", "no credential inlined in a service spec", source=_SOURCE)
def no_inline_credentials(ctx: RuleContext) -> Iterator[Finding]:
    """Every string of the service spec as resolved for the environment (service file, overlay,
    the environment's defaults: args, command, env values, annotations, labels, URIs, anything)
    is searched for credentials: token formats (AWS, GitHub, GitLab, Hugging Face, Slack,
    Stripe, OpenAI, JWT, private keys, …), a value whose name says credential
    (`--model-store-password=…`, `HF_TOKEN`), user info in a URL (`https://user:token@host`,
    `https://token@host`), a signed or token-carrying URL query (`X-Amz-Signature`,
    `X-Goog-Signature`, `sig`, `token`, `key`, …), and long random-looking strings. Names that
    point at a secret (`secretName`, `--password-file=/path`) and `$(VAR)` references are fine.
    Take credentials from Secrets instead: `env[].valueFrom.secretKeyRef`,
    `predictor.credentials.serviceAccountName`, KServe's storage-config Secret. The message shows
    at most the first 4 characters of the value. A string that is no credential is allowed by
    the comment `# pragma: allowlist secret` on the line the error names (or
    `# pragma: allowlist nextline secret` on the line above it), as with detect-secrets."""
    first: dict[tuple, StringValue] = {}
    for value in string_values(ctx.layer.data):
        credentials = credentials_in(value.text, value.name)
        if not credentials:
            continue
        location = ctx.layer.locate(value.path)
        key = (location, tuple(c.value for c in credentials))
        # A version's predictor repeats the shared one's lines: report each line once, by its shortest path.
        if key not in first or len(value.path) < len(first[key].path):
            first[key] = value
    for (location, _values), value in first.items():
        if allowlisted(location):
            continue
        credentials = credentials_in(value.text, value.name)
        yield Finding(value.path, f"{_where(value)} inlines {describe(credentials)}", _hint(value, credentials))


def _pointer(path: tuple) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _reported_by_cm02(ctx: EnvironmentContext) -> set[tuple]:
    """Key paths of the DNS-01 solver's inlined credentials, which CM-02 reports."""
    env = ctx.environment.spec
    if env.tls is None or env.mesh is None:
        return set()
    dns01 = ACME + ("dns01",)
    return {path for path, _message, _hint in issuer_problems(env.tls.issuer, env.tls.wildcard, env.mesh.gateway.https_redirect) if len(path) > len(dns01) and path[: len(dns01)] == dns01}


def _in_patch(origin: Location) -> bool:
    return PurePath(origin.path).parent.name == "patches"


def _written_by(manifest: Manifest, pointer: str, text: str, ctx: EnvironmentContext) -> tuple[Location, Location | None] | None:
    """(where a manifest value was written, the patch operation or key that wrote it), or None
    for a value from a service spec (SEC-01's). A patch records the key it set, which may be a
    whole list while the emitter's origins of that list's items stay deeper: so the patch file
    itself is searched for the value before a spec is credited with it. Every value of a companion
    object (resources/) was written in its file, at its key."""
    if is_companion(manifest):
        origin = manifest.origin_of(pointer)
        return origin or ctx.at_manifest(manifest, pointer), origin
    path = pointer
    while True:
        recorded = manifest.origins.get(path)
        if recorded is not None and _in_patch(recorded):
            found = written_at(recorded, text)
            if found is not None:
                return found, recorded
        if not path:
            break
        path = path.rsplit("/", 1)[0]
    origin = manifest.origin_of(pointer)
    if origin is not None and origin.path != ctx.layer.path and not _in_patch(origin):
        return None
    return ctx.at_manifest(manifest, pointer), origin


def _companion_secrets(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    for manifest in ctx.manifests:
        if manifest.kind != "Secret" or not is_companion(manifest):
            continue
        for key in ("data", "stringData"):
            if manifest.body.get(key):
                location = manifest.origin_of(f"/{key}") or ctx.at_manifest(manifest)
                if not allowlisted(location):
                    yield EnvironmentFinding(
                        location,
                        f"{key} of {manifest.display_name} holds the Secret's values in git",
                        "delete the Secret from resources/ and create it in the cluster (kubectl create secret, Sealed Secrets or External Secrets); reference it by name",
                    )


@rule("SEC-02", "no credential in an environment file or added by an overlay patch", source=_SOURCE, scope=ENVIRONMENT)
def no_credentials_in_manifests(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """SEC-01's search over what no service spec holds: every string of the environment file
    (its `defaults` are SEC-01's, within each service), then every string of every manifest
    the environment renders, after overlay patches (`overlays/<env>/patches/`). A finding in a
    patch-added value points at the patch line that holds the value (the operation's `path:` or
    the merged key when it is written there in another, escaped form; an allow-list comment on
    any line from there to the value counts); a value that came from a service spec was
    SEC-01's to report, so no secret is reported twice. Inlined DNS-01 solver credentials are
    CM-02's. The same allow-list comment applies: `# pragma: allowlist secret` on the line the
    error names. Companion objects (`resources/`) are searched the same way, and a Secret among
    them that holds `data` or `stringData` is refused whatever its values look like: a Secret's
    values are credentials by definition (create it outside git: Sealed Secrets, External
    Secrets, or `kubectl create secret`)."""
    in_environment_file: set[str] = set()  # reported or excused there: the manifests repeat them
    excused = _reported_by_cm02(ctx)
    for value in string_values(ctx.layer.data):
        credentials = credentials_in(value.text, value.name)
        if not credentials:
            continue
        in_environment_file.update(c.value for c in credentials)
        location = ctx.layer.locate(value.path)
        if value.path[:2] != ("spec", "defaults") and value.path not in excused and not allowlisted(location):
            yield EnvironmentFinding(location, f"{_where(value)} inlines {describe(credentials)}", _hint(value, credentials), value.path)
    yield from _companion_secrets(ctx)
    reported: set[tuple] = set()  # (line, secrets): a patch that hits several objects is one finding
    for manifest in ctx.manifests:
        if manifest.kind == "Secret" and is_companion(manifest):
            continue  # refused as a whole above
        for value in string_values(manifest.body):
            credentials = tuple(c for c in credentials_in(value.text, value.name) if c.value not in in_environment_file)
            if not credentials:
                continue
            written = _written_by(manifest, _pointer(value.path), value.text, ctx)
            if written is None:
                continue  # from a service spec: SEC-01's
            location, operation = written
            key = (location, tuple(c.value for c in credentials))
            if key not in reported and not allowlisted(location, since=operation):
                reported.add(key)
                where = f"environment variable {value.name}" if value.env_var else dotted(value.path)
                yield EnvironmentFinding(location, f"{where} of {manifest.display_name} inlines {describe(credentials)}", _hint(value, credentials))
