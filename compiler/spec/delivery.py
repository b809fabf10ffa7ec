"""Spec models of delivery: how rendered trees reach clusters (GitOps objects), which registries
their images come from, and the opt-in smoke test run after each sync.

Environment: `spec.images` (ImagePolicy) and `spec.gitops` (GitOps). Service: `spec.smokeTest`.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from .base import Int64, SpecModel
from .image_ref import ImageText
from .names import DnsLabel

# A registry host (optionally with port) and path, without scheme: registry.internal/mirror.
_REGISTRY_PREFIX = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$")
# Go durations as Flux accepts them (kustomize.toolkit.fluxcd.io/v1 spec.interval pattern).
_DURATION = r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$"
# Flux's GitRepository accepts http(s) and ssh URLs only; Argo CD also takes scp-style git@host:path.
_FLUX_URL = re.compile(r"^(http|https|ssh)://\S+$")
_GIT_URL = re.compile(r"^((http|https|ssh)://\S+|[\w.-]+@[\w.-]+:\S+)$")
# A small image every registry mirror carries; users who require digests set their own.
DEFAULT_SMOKE_TEST_IMAGE = "curlimages/curl:8.11.1"


class ImagePolicy(SpecModel):
    """Where the environment's images come from and how they must be pinned."""

    mirror: str | None = Field(
        None,
        description="Registry prefix that mirrors upstream images, e.g. registry.internal/mirror. Image references are rewritten to "
        "<mirror>/<upstream registry>/<repository> (the layout of `skopeo sync --scoped`).",
    )
    require_digests: bool = Field(False, description="An image referenced by tag only is an error (IMG-01): pin every image by digest.")
    runtimes: dict[str, ImageText] = Field(
        default_factory=dict,
        description="Image of each serving runtime installed in the cluster, by runtime name (e.g. kserve-sklearnserver), "
        "when it differs from KServe's default for the environment's version, for example installed pinned by digest; "
        "also art-explainer, kserve-config-llm-template (vLLM) and kserve-config-llm-scheduler, the images KServe fills in.",
    )

    @field_validator("mirror")
    @classmethod
    def _mirror_is_a_registry_prefix(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.rstrip("/")
        if not _REGISTRY_PREFIX.match(value):
            raise ValueError(f"{value!r} is not a registry prefix: write host[:port]/path, e.g. registry.internal/mirror (no scheme)")
        return value


class GitOpsDestination(SpecModel):
    server: str | None = Field(None, description="API server URL of the target cluster (default: the cluster Argo CD runs in).")
    name: str | None = Field(None, description="Argo CD cluster name, instead of server.")
    namespace: DnsLabel | None = Field(None, description="Namespace for objects without one (default: the environment's namespace).")

    @model_validator(mode="after")
    def _server_or_name(self) -> GitOpsDestination:
        if self.server and self.name:
            raise ValueError("set destination.server or destination.name, not both")
        return self


class GitOps(SpecModel):
    """The Argo CD or Flux objects that sync `rendered/<env>/`, written to `rendered/<env>/_gitops/`."""

    tool: Literal["argocd", "flux"] = Field(description="argocd: an Application (or an ApplicationSet entry); flux: a GitRepository and a Kustomization.")
    repo_url: str = Field(alias="repoURL", description="Git repository holding rendered/, e.g. https://github.com/acme/model-serving-gitops.git.")
    target_revision: str = Field("main", description="Revision to sync: Argo CD targetRevision; for Flux the branch (ref.branch).")
    path: str | None = Field(None, description="Folder of the rendered tree in the repository (default: rendered/<env>).")
    project: str = Field("default", description="Argo CD project.")
    destination: GitOpsDestination = Field(default_factory=GitOpsDestination)
    argocd_namespace: DnsLabel = Field("argocd", description="Namespace Argo CD runs in: where its Application lives.")
    flux_namespace: DnsLabel = Field("flux-system", description="Namespace of Flux's controllers: where its GitRepository and Kustomization live.")
    application_set: bool = Field(False, description="Argo CD only: this environment is an element of one ApplicationSet over environments instead of having its own Application.")
    interval: str = Field("5m", pattern=_DURATION, description="Flux reconcile interval.")
    timeout: str = Field("15m", pattern=_DURATION, description="Flux: how long to wait for the objects to become ready (large models load slowly).")
    prune: bool = Field(True, description="Delete objects that left the rendered tree.")
    self_heal: bool = Field(True, description="Argo CD: revert changes made in the cluster.")
    sync_options: list[str] = Field(default_factory=list, description="Extra Argo CD syncOptions, e.g. ServerSideApply=true.")
    depends_on: list[str] = Field(default_factory=list, description="Flux: Kustomizations (in the Flux namespace) that must be ready first, e.g. the one installing KServe.")

    @model_validator(mode="after")
    def _tool_specific_settings(self) -> GitOps:
        url_pattern = _FLUX_URL if self.tool == "flux" else _GIT_URL
        if not url_pattern.match(self.repo_url):
            schemes = "http(s):// or ssh://" if self.tool == "flux" else "http(s)://, ssh:// or git@host:path"
            raise ValueError(f"repoURL {self.repo_url!r} is not a Git URL {self.tool} accepts ({schemes})")
        if self.tool == "flux" and self.application_set:
            raise ValueError("applicationSet is an Argo CD object: remove it or use tool: argocd")
        if self.tool == "argocd" and self.depends_on:
            raise ValueError("dependsOn orders Flux Kustomizations: with Argo CD, order Applications with sync waves in an app of apps")
        return self


class SmokeTest(SpecModel):
    """A Job run by Argo CD after each successful sync (PostSync hook): a few requests to the service."""

    enabled: bool = Field(False, description="Render the smoke test Job (Argo CD environments only).")
    image: ImageText = Field(DEFAULT_SMOKE_TEST_IMAGE, description="Image with curl and sh.")
    path: str | None = Field(None, description="Request path (default: the model's readiness endpoint for its protocol).")
    body: str | None = Field(None, description="JSON request body: when set, requests are POSTs, e.g. to /v1/models/<name>:predict.")
    requests: int = Field(10, ge=1, le=1000, description="Requests to send; every one must succeed.")
    timeout_seconds: Int64 = Field(300, ge=10, description="The Job fails after this many seconds.")

    @field_validator("path")
    @classmethod
    def _path_is_absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"path {value!r} must start with /")
        return value
