"""An opt-in load test per service, as the seeds run them: vegeta at 500 requests/s for 60 s with
a latency report (the KServe-on-ASM seed), fortio at 100 requests/s with a `model` header (the
ModelMesh seed). The compiler renders a Job that runs the tool, then checks the report against
the thresholds: a failing run fails the Job, so Argo CD marks the sync failed (PostSync hook)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Int64, SpecModel

# busybox's sh, sed and awk read the tool's report (the fortio image has no shell).
DEFAULT_CHECK_IMAGE = "docker.io/library/busybox:1.36.1"


class LoadThresholds(SpecModel):
    max_error_rate: float = Field(0.0, ge=0, le=1, description="Largest share of requests that may fail (not 2xx), e.g. 0.01.")
    p99_millis: float | None = Field(None, gt=0, description="Largest 99th percentile latency, in milliseconds.")


class LoadTest(SpecModel):
    enabled: bool = Field(False, description="Render the load test Job (run after each sync).")
    tool: Literal["vegeta", "fortio"] = Field("vegeta", description="The load generator: vegeta (its image needs sh) or fortio.")
    image: str | None = Field(None, description="Image of the tool, e.g. docker.io/fortio/fortio:<tag> or a vegeta image with sh (required when enabled; no tag is assumed).")
    check_image: str = Field(DEFAULT_CHECK_IMAGE, description="Image with sh, sed and awk that checks the report against the thresholds.")
    rate: int = Field(10, ge=1, le=100_000, description="Requests per second.")
    duration_seconds: int = Field(60, ge=1, le=3600, description="How long to send them.")
    connections: int = Field(4, ge=1, le=1000, description="Concurrent connections (fortio -c; vegeta -workers).")
    path: str | None = Field(None, pattern=r"^/", description="Request path, starting with / (default: the model's predict endpoint for its protocol).")
    payload: str | None = Field(None, description="JSON request body (requests are POSTs when set).")
    headers: dict[str, str] = Field(default_factory=dict, description="Request headers, e.g. {model: tf-mnist} for ASM dynamic subsets.")
    thresholds: LoadThresholds = Field(default_factory=LoadThresholds)
    timeout_seconds: Int64 = Field(900, ge=10, description="The Job fails after this many seconds.")


def load_test_service_account(service: str) -> str:
    """The identity of a service's load test Job: its access policies allow exactly this one."""
    return f"{service}-load-test"
