"""SCALE-04: more than one metric drives one HPA, the compiler's, and each is one it can read."""

from __future__ import annotations

from typing import Iterator

from .registry import Finding, RuleContext, rule
from .scaling import _whole  # the same reading of a whole-number target as KS-10's

ADDITIONAL = ("spec", "scaling", "additionalMetrics")


@rule("SCALE-04", "additional metrics drive the compiler's HPA in Standard mode, each readable and named once", source="Kubernetes HPA v2 (the largest recommendation of its metrics wins); KServe hpa_reconciler.go (one metric)")
def additional_metrics(ctx: RuleContext) -> Iterator[Finding]:
    """`scaling.additionalMetrics` adds metrics to the HPA beside `metric` (e.g. cpu 70 % and
    memory 80 %): the HPA computes a replica count for each and takes the largest. KServe's own
    HPA takes one metric, so with additional metrics the compiler's HPA owns the replicas
    (autoscalerClass external; still exactly one owner). That needs Standard mode (Knative's pod
    autoscaler scales on one metric), a primary `metric` that is not a KEDA query, cpu targets
    of 1-100 % and memory targets of at least 1 %, an external metric by name, and each metric
    once."""
    scaling = ctx.service.spec.scaling
    if not scaling.additional_metrics:
        return
    if ctx.service.spec.mode != "standard":
        yield Finding(ADDITIONAL, f"additional metrics need mode standard; this service runs in {ctx.service.spec.mode or 'knative'} mode, whose autoscaler scales on one metric", "use `mode: standard`, or remove additionalMetrics")
        return
    if scaling.metric is None:
        yield Finding(ADDITIONAL, "additional metrics need a primary `metric`", "set `metric` and `target` (e.g. metric: cpu, target: 70), then list the others")
        return
    if scaling.metric == "external" and scaling.external is not None and scaling.external.query:
        yield Finding(ADDITIONAL, "a KEDA query (external.query) cannot share an HPA with other metrics", "scale on the query alone, or use an external metric by name")
        return
    seen = {(scaling.metric, scaling.external.name if scaling.metric == "external" and scaling.external else None)}
    for index, extra in enumerate(scaling.additional_metrics):
        where = ADDITIONAL + (index,)
        key = (extra.metric, extra.external.name if extra.external else None)
        if key in seen:
            yield Finding(where + ("metric",), f"metric {extra.metric!r} is listed twice", "list each metric once")
        seen.add(key)
        target = _whole(extra.target)
        if extra.metric == "cpu" and (target is None or not 1 <= target <= 100):
            yield Finding(where + ("target",), f"cpu target {extra.target!r} is not a percentage from 1 to 100", "use a whole number of percent, e.g. `target: 70`")
        elif extra.metric == "memory" and (target is None or target < 1):
            yield Finding(where + ("target",), f"memory target {extra.target!r} is not a whole percentage of at least 1", "use e.g. `target: 80`")
        elif extra.metric == "external" and (extra.external is None or not extra.external.name or extra.external.query):
            yield Finding(where + ("metric",), "an additional external metric needs `external.name` (no query)", "name the metric in the external metrics API, e.g. `external: {name: sls_ingress_qps}`")
