"""Secrets never reach git: credentials are referenced, never inlined (design: contracts)."""

from __future__ import annotations

import re
from typing import Iterator

from .registry import Finding, RuleContext, rule

# Names that hold credentials in practice (AWS, GCP, Azure, Hugging Face, generic).
_SECRET_NAME = re.compile(r"(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AK_?ID|AK_?SECRET)", re.I)
_USERINFO = re.compile(r"^[a-z][a-z0-9+.-]*://[^/@\s]+:[^/@\s]+@", re.I)
_SIGNED_QUERY = re.compile(r"[?&](X-Amz-Signature|X-Goog-Signature|sig|token|access_token)=", re.I)


def _env_sources(ctx: RuleContext):
    predictor = ctx.service.spec.predictor
    if predictor.model:
        yield ("spec", "predictor", "model", "env"), predictor.model.env
    if predictor.container:
        yield ("spec", "predictor", "container", "env"), predictor.container.env


def _uris(ctx: RuleContext):
    predictor = ctx.service.spec.predictor
    if predictor.model and predictor.model.storage_uri:
        yield ("spec", "predictor", "model", "storageUri"), predictor.model.storage_uri
    if predictor.container and predictor.container.storage_uri:
        yield ("spec", "predictor", "container", "storageUri"), predictor.container.storage_uri


@rule("SEC-01", "no credential inlined in the spec", source="design.md: secrets never in git")
def no_inline_credentials(ctx: RuleContext) -> Iterator[Finding]:
    """An environment variable whose name says it holds a credential must take its value from a
    Secret (`valueFrom.secretKeyRef`), and a storage URI must not carry a user name and
    password or a signed-URL token. Use `predictor.credentials.serviceAccountName` (KServe
    reads the secrets attached to that service account) or a Secret reference instead."""
    for where, env in _env_sources(ctx):
        for index, var in enumerate(env):
            if var.value and _SECRET_NAME.search(var.name):
                yield Finding(where + (index, "value"), f"environment variable {var.name} inlines a credential", f"use `valueFrom: {{secretKeyRef: {{name: <secret>, key: {var.name.lower()}}}}}`")
    for where, uri in _uris(ctx):
        if _USERINFO.match(uri):
            yield Finding(where, "storage URI carries a user name and password", "remove them and set predictor.credentials.serviceAccountName")
        elif _SIGNED_QUERY.search(uri):
            yield Finding(where, "storage URI carries a signed token", "use an unsigned URI and predictor.credentials.serviceAccountName")
