"""Scaling rules: one owner of replicas, and settings that owner honours (serving-rules §1.2, §1.4, §7).

The owner is decided once, by `scaling_plan.autoscaler_owner`; these rules check that the spec's
metric, target, bounds and annotations make sense for it before anything is emitted.
"""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from ..plan.scaling import HPA_OWNERS, autoscaler_owner
from .registry import Finding, RuleContext, rule

SCALING = ("spec", "scaling")
ANNOTATION_SOURCES = (("metadata", "annotations"), ("spec", "predictor", "annotations"))
_CLASS_OF_OWNER = {"kserve-hpa": "hpa", "hpa": "external", "keda": "keda", "fixed": "none"}


def _owner(ctx: RuleContext) -> str:
    return autoscaler_owner(ctx.service.spec.scaling, ctx.service.spec.mode, ctx.kserve_version)


def _whole(value: object) -> int | None:
    """The value as a whole number, or None when it is not one (KServe's scaleTarget is an int32)."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def _annotations(ctx: RuleContext) -> Iterator[tuple[tuple, str, str]]:
    sources = (ctx.service.metadata.annotations, ctx.service.spec.predictor.annotations)
    for where, written in zip(ANNOTATION_SOURCES, sources):
        for key, value in written.items():
            yield where + (key,), key, value


def _written_class(ctx: RuleContext) -> str | None:
    return ctx.service.metadata.annotations.get(upstream.AUTOSCALER_CLASS_ANNOTATION)


@rule("SCALE-01", "the scaling metric and its settings are complete and consistent", source="serving-rules §1.2")
def metric_settings(ctx: RuleContext) -> Iterator[Finding]:
    """`metric: external` needs an `external` block naming the metric either by `name` (with an
    optional `selector`; the compiler emits an HPA reading the external metrics API) or by
    `query` (KEDA runs it through KServe), and a `target`: the metric's average value per
    replica. An `external` block without `metric: external` would be ignored."""
    scaling = ctx.service.spec.scaling
    external = scaling.external
    if scaling.metric != "external":
        if external is not None:
            yield Finding(SCALING + ("external",), f"scaling.external is set but the metric is {scaling.metric or 'the default'}", "set `metric: external`, or remove `external`")
        return
    if external is None:
        yield Finding(SCALING + ("metric",), "metric external names no metric", "add `external: {name: <metric>, selector: {...}}` (HPA) or `external: {query: <PromQL>, serverAddress: ...}` (KEDA)")
        return
    if external.name and external.query:
        yield Finding(SCALING + ("external",), "the external metric has both a name and a query", "keep `name` for an HPA on the external metrics API, or `query` for KEDA")
    elif not external.name and not external.query:
        yield Finding(SCALING + ("external",), "the external metric has neither a name nor a query", "add `name: <metric>` (HPA) or `query: <PromQL>` (KEDA)")
    elif external.query and external.selector:
        yield Finding(SCALING + ("external", "selector"), "a selector applies to a named metric, not to a query", "put the label matchers inside the query")
    if scaling.target is None:
        yield Finding(SCALING + ("metric",), "an external metric needs a target", "add `target: <average value per replica>`, e.g. `target: 10` for 10 requests/s per pod")


@rule("KS-09", "the autoscaler class exists for the KServe version and agrees with spec.scaling", source="KServe constants.go AutoscalerAllowedClassList; serving-rules §1.1")
def autoscaler_class(ctx: RuleContext) -> Iterator[Finding]:
    """KEDA scaling (an external metric given as a query) needs KServe v0.15 or later, where
    class `keda` and `spec.predictor.autoScaling` arrived, and KEDA in the cluster (the
    environment's `autoscaling.keda: true`). An HPA of the compiler's own (an external metric
    by name, or cpu/memory with stabilization windows) needs class `external`, which KServe
    honours from v0.12 (kserve#3086): an older KServe creates its own HPA `<isvc>-predictor`
    beside ours and the two fight over the replicas. The compiler writes
    `serving.kserve.io/autoscalerClass` from spec.scaling; a hand-written one that disagrees is
    an error."""
    owner = _owner(ctx)
    env = ctx.env_name
    if owner == "keda":
        where = SCALING + ("external", "query")
        if not ctx.release.has("keda"):
            yield Finding(where, f"KEDA scaling needs KServe 0.15 or later; environment {env!r} runs {ctx.environment.spec.versions.kserve}", "scale on a metric name instead (an HPA), or upgrade KServe")
        if not ctx.environment.spec.autoscaling.keda:
            yield Finding(where, f"environment {env!r} does not have KEDA", f"set `autoscaling: {{keda: true}}` in environments/{env}.yaml if KEDA is installed, or scale on a metric name (an HPA)")
    if owner == "hpa" and not ctx.release.has("autoscaler-external"):
        scaling = ctx.service.spec.scaling
        why, where = ("an external metric by name", SCALING + ("external", "name")) if scaling.metric == "external" else ("stabilization windows", SCALING + ("stabilization",))
        yield Finding(
            where,
            f"{why} needs an HPA of the compiler's own and autoscalerClass external, which KServe honours from 0.12; environment {env!r} runs KServe {ctx.environment.spec.versions.kserve} ({ctx.version_line()}), whose own HPA would fight it",
            "upgrade KServe to 0.12 or later, or scale on cpu or memory without stabilization (KServe's own HPA)",
        )
    written = _written_class(ctx)
    if written is None or owner == "hpa":  # KS-19 covers the compiler's own HPA
        return
    where = ("metadata", "annotations", upstream.AUTOSCALER_CLASS_ANNOTATION)
    expected = _CLASS_OF_OWNER.get(owner)
    if expected is None:
        yield Finding(where, f"autoscalerClass {written!r} has no effect in Knative mode", "remove the annotation; Knative's autoscaler follows spec.scaling")
    elif written != expected:
        yield Finding(where, f"annotation says autoscalerClass {written!r} but spec.scaling means {expected!r}", "remove the annotation: the compiler writes it from spec.scaling")


@rule("KS-10", "Standard mode scales on cpu, memory or an external metric; cpu targets 1-100", source="inference_service_validation.go validateHPAMetrics; hpa_reconciler.go")
def hpa_metric(ctx: RuleContext) -> Iterator[Finding]:
    """KServe's HPA scales on `cpu` or `memory` only; concurrency and rps need Knative's pod
    autoscaler. A cpu target is a utilization percentage, a whole number from 1 to 100; a memory
    target a whole percentage of at least 1, and required in Standard mode: without one KServe's
    HPA gets no metric at all."""
    scaling = ctx.service.spec.scaling
    standard = ctx.service.spec.mode == "standard"
    if standard and scaling.metric in ("concurrency", "rps"):
        yield Finding(SCALING + ("metric",), f"metric {scaling.metric!r} needs Knative's pod autoscaler; this service runs in Standard mode", "use `mode: knative`, or scale on cpu, memory or an external metric")
    if scaling.metric not in ("cpu", "memory"):
        return
    if scaling.target is None:
        if standard and scaling.metric == "memory":
            yield Finding(SCALING + ("metric",), "metric memory needs a target", "add `target: <percent of requested memory>`, e.g. 80")
        return
    target = _whole(scaling.target)
    if scaling.metric == "cpu" and (target is None or not 1 <= target <= 100):
        yield Finding(SCALING + ("target",), f"cpu target {scaling.target!r} is not a percentage from 1 to 100", "use a whole number of percent, e.g. `target: 70`")
    elif scaling.metric == "memory" and (target is None or target < 1):
        yield Finding(SCALING + ("target",), f"memory target {scaling.target!r} is not a whole percentage of at least 1", "use e.g. `target: 80`")


@rule("KS-11", "a KEDA query has a server address and a positive target", source="inference_service_validation.go; keda_reconciler.go")
def keda_query(ctx: RuleContext) -> Iterator[Finding]:
    """KServe turns an External autoScaling metric into a KEDA trigger with the query, the
    server address and the target value as threshold; KEDA's Prometheus and Graphite scalers
    cannot run without the address, and a threshold of 0 or less never scales."""
    scaling = ctx.service.spec.scaling
    external = scaling.external
    if scaling.metric != "external" or external is None or not external.query:
        return
    if not external.server_address:
        yield Finding(SCALING + ("external", "query"), "the KEDA query has no server address", f"add `serverAddress: http://<{external.backend}>:<port>`")
    if scaling.target is not None:
        try:
            positive = float(scaling.target) > 0
        except ValueError:
            positive = True  # a quantity such as 500m: pydantic has checked its form
        if not positive:
            yield Finding(SCALING + ("target",), f"target {scaling.target!r} never triggers scaling", "use a positive threshold per replica")


@rule("KS-12", "Knative mode scales on concurrency, rps, cpu or memory, with sensible targets", source="inference_service_validation.go; Knative autoscaling docs")
def knative_metric(ctx: RuleContext) -> Iterator[Finding]:
    """Knative's pod autoscaler scales on `concurrency` (the default) or `rps`; `cpu` and
    `memory` select Knative's HPA class, which cannot scale to zero. There is no external-metric
    autoscaler in Knative mode: use Standard mode for an HPA on an external metric. Targets are
    whole numbers of at least 1 (KServe's scaleTarget is an int32)."""
    if ctx.service.spec.mode != "knative":
        return
    scaling = ctx.service.spec.scaling
    if scaling.metric == "external":
        yield Finding(SCALING + ("metric",), "an external metric cannot scale a Knative-mode service", "use `mode: standard` (an HPA on the metric), or scale on concurrency or rps")
        return
    if scaling.metric in ("cpu", "memory"):
        if scaling.min_replicas == 0:
            yield Finding(SCALING + ("minReplicas",), f"metric {scaling.metric} uses Knative's HPA class, which cannot scale to zero", "set minReplicas: 1, or scale on concurrency or rps to keep scale to zero")
        return
    if scaling.target is not None:
        target = _whole(scaling.target)
        if target is None or target < 1:
            yield Finding(SCALING + ("target",), f"{scaling.metric or 'concurrency'} target {scaling.target!r} is not a whole number of at least 1", "use e.g. `target: 10`")


@rule("KS-15", "minReplicas 0 under an HPA becomes 1", severity="warning", source="kserve#3514; hpa_reconciler.go")
def hpa_scale_to_zero(ctx: RuleContext) -> Iterator[Finding]:
    """An HorizontalPodAutoscaler cannot scale to zero: KServe raises minReplicas 0 to 1 for its
    own HPA, and the compiler renders 1 for its own. Scale to zero needs Knative mode or KEDA."""
    scaling = ctx.service.spec.scaling
    if ctx.service.spec.mode == "standard" and scaling.min_replicas == 0 and _owner(ctx) in HPA_OWNERS:
        yield Finding(SCALING + ("minReplicas",), "minReplicas 0 is rendered as 1: an HPA cannot scale to zero", "set minReplicas: 1, or scale to zero with `mode: knative` or a KEDA query")


_SPEC_FIELD_OF_ANNOTATION = {
    "autoscaling.knative.dev/min-scale": "scaling.minReplicas",
    "autoscaling.knative.dev/minScale": "scaling.minReplicas",
    "autoscaling.knative.dev/max-scale": "scaling.maxReplicas",
    "autoscaling.knative.dev/maxScale": "scaling.maxReplicas",
    "autoscaling.knative.dev/target": "scaling.target",
    "autoscaling.knative.dev/metric": "scaling.metric",
    upstream.KNATIVE_CLASS_ANNOTATION: "scaling.metric (cpu or memory select Knative's HPA class)",
    upstream.KNATIVE_INITIAL_SCALE_ANNOTATION: "scaling.initialScale",
    upstream.KNATIVE_RETENTION_ANNOTATION: "scaling.scaleToZeroRetentionSeconds",
    upstream.KNATIVE_SCALE_DOWN_DELAY_ANNOTATION: "scaling.stabilization.scaleDownSeconds",
}


@rule("KS-16", "no hand-written Knative autoscaling annotations that KServe or the compiler write", severity="warning", source="KServe utils SetAutoScalingAnnotations; serving-rules §1.4")
def knative_annotations(ctx: RuleContext) -> Iterator[Finding]:
    """KServe writes autoscaling.knative.dev/min-scale, max-scale, target and metric from
    minReplicas, maxReplicas, scaleTarget and scaleMetric, overwriting a hand-written value; the
    compiler writes class, initial-scale, scale-to-zero-pod-retention-period and
    scale-down-delay from spec.scaling. Set the spec field instead of the annotation."""
    for where, key, _value in _annotations(ctx):
        field = _SPEC_FIELD_OF_ANNOTATION.get(key)
        if field is None:
            continue
        writer = "KServe" if key in upstream.KSERVE_DERIVED_KNATIVE_ANNOTATIONS else "the compiler"
        yield Finding(where, f"annotation {key} is written by {writer} from spec.{field}", f"remove it and set spec.{field}")


@rule("KS-18", "a Knative-mode timeout fits the cluster's max-revision-timeout-seconds", source="knative/serving#4196; config-defaults")
def knative_timeout(ctx: RuleContext) -> Iterator[Finding]:
    """Knative rejects a revision whose timeoutSeconds exceeds the cluster's
    max-revision-timeout-seconds (600 unless raised in config-defaults); the environment says
    its value in `knative.maxRevisionTimeoutSeconds`."""
    timeout = ctx.service.spec.predictor.timeout_seconds
    limit = ctx.environment.spec.knative.max_revision_timeout_seconds
    if ctx.service.spec.mode == "knative" and timeout is not None and timeout > limit:
        yield Finding(("spec", "predictor", "timeoutSeconds"), f"timeout {timeout}s is above Knative's max-revision-timeout-seconds {limit} in environment {ctx.env_name!r}", f"lower it to at most {limit}, or raise knative.maxRevisionTimeoutSeconds in environments/{ctx.env_name}.yaml after raising it in the cluster")


@rule("KS-19", "the compiler's HPA has an upper bound and KServe makes no HPA beside it", source="hpa_reconciler.go; kserve#4312")
def own_hpa(ctx: RuleContext) -> Iterator[Finding]:
    """For an external metric by name (or cpu/memory with stabilization windows) the compiler
    emits an HPA `<isvc>-predictor-hpa` on Deployment `<isvc>-predictor` and sets
    autoscalerClass `external`, so KServe creates no HPA of its own. The HPA needs maxReplicas,
    and a hand-written autoscalerClass other than `external` would start a second HPA fighting
    over the same replicas."""
    if _owner(ctx) != "hpa":
        return
    if not ctx.service.spec.scaling.max_replicas:
        yield Finding(SCALING, "the HPA for this service has no upper bound", "set `maxReplicas`")
    written = _written_class(ctx)
    if written is not None and written != upstream.AUTOSCALER_CLASS_EXTERNAL:
        yield Finding(
            ("metadata", "annotations", upstream.AUTOSCALER_CLASS_ANNOTATION),
            f"autoscalerClass {written!r} makes KServe create its own HPA beside the compiler's: two HPAs would fight over the replicas",
            "remove the annotation: the compiler writes autoscalerClass external",
        )


@rule("SCALE-02", "no scaling setting the mode would silently ignore", source="serving-rules §1.2, §1.4; KServe ValidateInitialScaleAnnotation")
def ignored_settings(ctx: RuleContext) -> Iterator[Finding]:
    """Scale-to-zero retention, initial scale and containerConcurrency are Knative revision
    settings: a Deployment (Standard mode) has none. Knative's autoscaler has no scale-up window.
    KServe drops initialScale 0 unless Knative allows zero initial scale (the environment's
    `knative.allowZeroInitialScale`), and Knative's HPA class never scales to zero, so a
    retention period means nothing there."""
    scaling = ctx.service.spec.scaling
    if ctx.service.spec.mode == "standard":
        for key, value in (("scaleToZeroRetentionSeconds", scaling.scale_to_zero_retention_seconds), ("initialScale", scaling.initial_scale), ("containerConcurrency", scaling.container_concurrency)):
            if value is not None:
                yield Finding(SCALING + (key,), f"{key} has no effect in Standard mode", "remove it, or use `mode: knative`")
        return
    if scaling.stabilization is not None and scaling.stabilization.scale_up_seconds is not None:
        yield Finding(SCALING + ("stabilization", "scaleUpSeconds"), "Knative's autoscaler has no scale-up window", "remove it; only scaleDownSeconds (Knative's scale-down-delay) applies in Knative mode")
    if scaling.initial_scale == 0 and not ctx.environment.spec.knative.allow_zero_initial_scale:
        yield Finding(SCALING + ("initialScale",), "KServe drops initialScale 0 unless Knative allows zero initial scale", f"use initialScale >= 1, or set knative.allowZeroInitialScale: true in environments/{ctx.env_name}.yaml if the cluster allows it")
    if scaling.metric in ("cpu", "memory") and scaling.scale_to_zero_retention_seconds is not None:
        yield Finding(SCALING + ("scaleToZeroRetentionSeconds",), f"metric {scaling.metric} never scales to zero, so a retention period has no effect", "remove it, or scale on concurrency or rps")
