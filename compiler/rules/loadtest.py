"""Load test rules: an enabled load test can run."""

from __future__ import annotations

from typing import Iterator

from ..plan.traffic import strategy
from .registry import Finding, RuleContext, rule

LOAD_TEST = ("spec", "loadTest")


@rule("LOAD-01", "an enabled load test names its tool's image and one predictor to load", source="spec/loadtest.py; docs/traffic.md (split versions)")
def load_test_runs(ctx: RuleContext) -> Iterator[Finding]:
    """`loadTest.enabled` renders a Job that runs vegeta or fortio from the image you choose
    (`loadTest.image`: none is assumed, so the tool's version is yours to pin). The Job loads the
    service's one predictor; a service whose versions are split into InferenceServices of their
    own has none, and the test would silently not exist."""
    test = ctx.service.spec.load_test
    if not test.enabled:
        return
    if test.image is None:
        needs = "with sh (the script writes its targets file)" if test.tool == "vegeta" else "(its entrypoint is fortio)"
        yield Finding(LOAD_TEST + ("enabled",), f"the {test.tool} load test has no image", f"set `loadTest.image` to an image of {test.tool} {needs}, pinned to the tag you tested")
    if strategy(ctx.service, ctx.environment) == "split":
        yield Finding(LOAD_TEST + ("enabled",), "the service's versions are split into InferenceServices of their own: there is no one predictor to load", "use the native canary strategy, or load one version's service by hand")
