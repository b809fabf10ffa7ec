"""Rules from KServe's admission webhook and controller (serving-rules.md §1, §7)."""

from __future__ import annotations

from typing import Iterator

from .. import upstream
from .registry import Finding, RuleContext, rule
from ..spec.models import WITHOUT_PREDICTOR

PREDICTOR = ("spec", "predictor")


@rule("KS-01", "deploymentMode is set and valid for the environment's KServe version", source="KServe constants.go ParseDeploymentMode")
def deployment_mode(ctx: RuleContext) -> Iterator[Finding]:
    """Every InferenceService carries `serving.kserve.io/deploymentMode`, spelled for the
    environment's KServe version (Serverless/RawDeployment before v0.16, Knative/Standard from
    v0.16). Without it the cluster default applies, and KServe's shipped ConfigMap and its Go
    fallback disagree, so the mode must come from the spec (`spec.mode`) or the environment's
    `defaults.mode`. A hand-written deploymentMode annotation that disagrees is an error."""
    spec = ctx.service.spec
    if spec.mode is None:
        yield Finding(("spec",), "no deployment mode for this service", "set `spec.mode: knative` or `standard`, or `defaults: {mode: ...}` in the environment")
        return
    if spec.mode in WITHOUT_PREDICTOR:
        return  # an LLMInferenceService or InferenceGraph has no deployment mode (rules/llm.py, graph.py)
    expected = ctx.release.deployment_mode(spec.mode)
    written = ctx.service.metadata.annotations.get(upstream.DEPLOYMENT_MODE_ANNOTATION)
    if written is not None and written != expected:
        yield Finding(
            ("metadata", "annotations", upstream.DEPLOYMENT_MODE_ANNOTATION),
            f"annotation says deploymentMode {written!r} but spec.mode {spec.mode!r} means {expected!r} on KServe {ctx.environment.spec.versions.kserve}",
            "remove the annotation: the compiler writes it from spec.mode",
        )


@rule("KS-03", "service name is a DNS label KServe accepts", source="inference_service_validation.go IsvcNameFmt")
def service_name(ctx: RuleContext) -> Iterator[Finding]:
    """The InferenceService name must match `^[a-z]([-a-z0-9]*[a-z0-9])?$`: lower-case letters,
    digits and dashes, starting with a letter."""
    name = ctx.service.metadata.name
    if not upstream.ISVC_NAME.match(name):
        suggestion = "-".join(part for part in "".join(c if c.isalnum() else "-" for c in name.lower()).split("-") if part)
        yield Finding(("metadata", "name"), f"name {name!r} is not a valid InferenceService name", f"use lower-case letters, digits and dashes, e.g. {suggestion!r}")


@rule("KS-04", "`<name>-predictor-<namespace>` fits a 63-character DNS label", source="kserve#4807, #1377")
def host_label_length(ctx: RuleContext) -> Iterator[Finding]:
    """KServe and Knative build host names from `<isvc>-predictor-<namespace>` (before v0.11
    `<isvc>-predictor-default-<namespace>`); a label longer than 63 characters makes the route
    fail at runtime, long after the apply succeeded."""
    name = ctx.service.metadata.name
    label = f"{ctx.release.predictor_name(name)}-{ctx.environment.spec.namespace}"
    if len(label) > upstream.DNS_LABEL_MAX:
        excess = len(label) - upstream.DNS_LABEL_MAX
        yield Finding(("metadata", "name"), f"host label {label!r} is {len(label)} characters (max {upstream.DNS_LABEL_MAX})", f"shorten the service name or the namespace by {excess} characters")


@rule("KS-05", "exactly one implementation per predictor", source="component.go Validate")
def one_implementation(ctx: RuleContext) -> Iterator[Finding]:
    """A predictor is either a `model` served by a KServe runtime or a custom `container`."""
    predictor = ctx.service.spec.predictor
    if ctx.service.spec.mode in WITHOUT_PREDICTOR:
        return  # the `llm` or `graph` block is the workload (rules/llm.py, rules/graph.py)
    if predictor.model and predictor.container:
        yield Finding(PREDICTOR + ("container",), "predictor has both `model` and `container`", "keep one: `model` for a KServe runtime, `container` for your own server")
    elif not predictor.model and not predictor.container:
        yield Finding(PREDICTOR, "predictor has neither `model` nor `container`", "add `model: {format: ..., storageUri: ...}` or `container: {image: ...}`")


@rule("KS-06", "replica bounds and container concurrency are consistent", source="component.go validateReplicas")
def replica_bounds(ctx: RuleContext) -> Iterator[Finding]:
    """minReplicas >= 0, maxReplicas >= 0, minReplicas <= maxReplicas unless maxReplicas is 0
    (no bound), containerConcurrency >= 0."""
    scaling = ctx.service.spec.scaling
    where = ("spec", "scaling")
    if scaling.min_replicas is not None and scaling.min_replicas < 0:
        yield Finding(where + ("minReplicas",), f"minReplicas is {scaling.min_replicas}", "use 0 or more")
    if scaling.max_replicas is not None and scaling.max_replicas < 0:
        yield Finding(where + ("maxReplicas",), f"maxReplicas is {scaling.max_replicas}", "use 0 (no bound) or more")
    if (
        scaling.min_replicas is not None
        and scaling.max_replicas
        and scaling.min_replicas > scaling.max_replicas > 0
    ):
        yield Finding(where + ("minReplicas",), f"minReplicas {scaling.min_replicas} is above maxReplicas {scaling.max_replicas}", "lower minReplicas or raise maxReplicas")
    if scaling.container_concurrency is not None and scaling.container_concurrency < 0:
        yield Finding(where + ("containerConcurrency",), f"containerConcurrency is {scaling.container_concurrency}", "use 0 (no limit) or more")


def _storage_uris(ctx: RuleContext) -> Iterator[tuple[tuple, str]]:
    predictor = ctx.service.spec.predictor
    if predictor.model:
        if predictor.model.storage_uri:
            yield PREDICTOR + ("model", "storageUri"), predictor.model.storage_uri
        for index, item in enumerate(predictor.model.storage_uris or []):
            yield PREDICTOR + ("model", "storageUris", index, "uri"), item.uri
    if predictor.container and predictor.container.storage_uri:
        yield PREDICTOR + ("container", "storageUri"), predictor.container.storage_uri


@rule("KS-07", "storageUri uses a scheme KServe's storage initializer supports", source="ValidateStorageURI")
def storage_scheme(ctx: RuleContext) -> Iterator[Finding]:
    """Supported: gs://, s3://, pvc://<claim>/<path>, file://, http(s)://, hdfs://, webhdfs://,
    oci://, hf://. A pvc:// URI must name a valid claim."""
    for key_path, uri in _storage_uris(ctx):
        match = upstream.STORAGE_URI.match(uri)
        if not match:
            if not uri.startswith("/"):
                yield Finding(key_path, f"storage URI {uri!r} has no scheme", f"write it as <scheme>://..., scheme one of {', '.join(upstream.STORAGE_SCHEMES)}")
            continue
        scheme = match["scheme"]
        if scheme not in upstream.STORAGE_SCHEMES:
            yield Finding(key_path, f"storage URI scheme {scheme!r} is not supported by KServe", f"use one of {', '.join(upstream.STORAGE_SCHEMES)}")
        elif scheme == "pvc":
            claim = match["rest"].split("/", 1)[0]
            if not upstream.ISVC_NAME.match(claim):
                yield Finding(key_path, f"pvc:// URI names claim {claim!r}, not a valid PersistentVolumeClaim name", "write pvc://<claim-name>/<path>")


@rule("KS-08", "storageUri and storageUris are mutually exclusive", source="inference_service_validation.go")
def storage_exclusive(ctx: RuleContext) -> Iterator[Finding]:
    """Set either `storageUri` or `storageUris`, not both. A model served by a KServe runtime
    needs one of them (a ModelMesh model may use `storage` instead, MM-02)."""
    model = ctx.service.spec.predictor.model
    if model is None:
        return
    if model.storage_uri and model.storage_uris:
        yield Finding(PREDICTOR + ("model", "storageUris"), "both storageUri and storageUris are set", "keep one of them")
    elif not model.storage_uri and not model.storage_uris and model.storage is None:
        yield Finding(PREDICTOR + ("model",), "the model has no storageUri", "add `storageUri: gs://...` (or s3://, pvc://, https://, oci://, hf://)")


@rule("KS-22", "annotation prefixes spelled serving.kserve.io", severity="warning", source="kserve#1991")
def annotation_prefix(ctx: RuleContext) -> Iterator[Finding]:
    """KServe reads annotations under `serving.kserve.io/`; `serving.kserve.org/` and the old
    `serving.kubeflow.org/` are silently ignored."""
    sources = [(("metadata", "annotations"), ctx.service.metadata.annotations), (PREDICTOR + ("annotations",), ctx.service.spec.predictor.annotations)]
    for where, written in sources:
        for key in written:
            prefix = key.split("/", 1)[0]
            if prefix in ("serving.kserve.org", "serving.kubeflow.org"):
                yield Finding(where + (key,), f"annotation {key!r} uses prefix {prefix!r}, which KServe ignores", f"write serving.kserve.io/{key.split('/', 1)[-1]}")
