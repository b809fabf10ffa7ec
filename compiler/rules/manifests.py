"""Environment rules: checks of one environment's settings and of the manifests emitted for it.

Service rules see one service before lowering. These see what the emitters produced (after
overlay patches), so they catch what no single service spec shows: names that clash with objects
KServe or Knative create themselves (IS-01), references between objects that do not resolve
(XREF-01), and settings of the environment file (CM-02). They register with
`@rule(..., scope="environment")`, are documented and explained like any rule, and run through
`check_manifests` once per environment, after emitting. A finding is located at the spec field
that produced the object (`Manifest.origin_of`) or at a key of the environment file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .. import upstream
from ..emit.manifest import Manifest
from ..emit.references import ISTIO_NETWORKING, unresolved_references
from ..errors import Diagnostic, Location
from ..plan.kserve_versions import KServeRelease, release_of
from ..source.resolve import Layer
from ..spec.models import Environment
from .registry import registered_rules, rule

ENVIRONMENT = "environment"
# Where in the environment file an environment-wide object comes from, when it has no origins.
_ENVIRONMENT_KEYS = {
    "Gateway": ("spec", "mesh", "gateway"),
    "Certificate": ("spec", "tls"),
    "Issuer": ("spec", "tls", "issuer"),
    "ClusterIssuer": ("spec", "tls", "issuer"),
    "PeerAuthentication": ("spec", "mesh", "mtls"),
    "RayCluster": ("spec", "rayClusters"),
}


@dataclass(frozen=True)
class EnvironmentContext:
    """What an environment rule sees: the environment (typed and as written) and its manifests."""

    manifests: list[Manifest]
    environment: Environment
    layer: Layer  # the environment document: positions of its keys
    env_name: str
    extra: dict = field(default_factory=dict)

    def at_environment(self, *key_path: str | int) -> Location:
        return self.layer.locate(tuple(key_path))

    def at_manifest(self, manifest: Manifest, pointer: str = "") -> Location:
        """The spec field behind the object (or its part), else the environment key it comes from."""
        return manifest.origin_of(pointer) or self.at_environment(*_ENVIRONMENT_KEYS.get(manifest.kind, ("spec",)))


@dataclass(frozen=True)
class EnvironmentFinding:
    location: Location
    message: str
    hint: str = ""
    key_path: tuple = ()


def check_manifests(manifests: list[Manifest], env: Environment, env_layer: Layer, env_name: str, failed_services: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Run every environment rule over one environment's emitted manifests. `failed_services`
    were not rendered because of their own errors: a reference to them is not a second mistake."""
    context = EnvironmentContext(list(manifests), env, env_layer, env_name, {"failed_services": failed_services})
    diagnostics = []
    for current in registered_rules():
        check = current.check if current.scope == ENVIRONMENT else current.environment_check
        if check is None:
            continue
        for finding in check(context):
            diagnostics.append(Diagnostic(current.id, finding.message, finding.hint, finding.location, current.severity, finding.key_path, env_name))
    return diagnostics


# ---------------------------------------------------------------- IS-01

_KNATIVE_MODES = ("Knative", "Serverless")
_STANDARD_MODES = ("Standard", "RawDeployment")


def owned_names(isvc: Manifest, release: KServeRelease) -> dict[tuple[str, str, str, str], str]:
    """(group, kind, namespace, name) of the objects KServe, Knative and net-istio create for an
    InferenceService → who creates it (serving-rules §4; KServe ingress_reconciler.go)."""
    name, namespace = isvc.name, isvc.namespace
    mode = ((isvc.body.get("metadata") or {}).get("annotations") or {}).get(upstream.DEPLOYMENT_MODE_ANNOTATION)
    component = release.predictor_name(name)
    owned: dict[tuple[str, str, str, str], str] = {}
    if mode in _KNATIVE_MODES:
        owned[(ISTIO_NETWORKING, "VirtualService", namespace, name)] = "KServe's top-level route"
        owned[("", "Service", namespace, name)] = "KServe's ExternalName Service"
        owned[("serving.knative.dev", "Service", namespace, component)] = "KServe's Knative Service"
        owned[(ISTIO_NETWORKING, "VirtualService", namespace, f"{component}-ingress")] = "net-istio's ingress route"
        owned[(ISTIO_NETWORKING, "VirtualService", namespace, f"{component}-mesh")] = "net-istio's mesh route"
    elif mode in _STANDARD_MODES:
        owned[("networking.k8s.io", "Ingress", namespace, name)] = "KServe's Ingress"
        owned[("gateway.networking.k8s.io", "HTTPRoute", namespace, name)] = "KServe's HTTPRoute (Gateway API)"
        owned[("gateway.networking.k8s.io", "HTTPRoute", namespace, component)] = "KServe's predictor HTTPRoute (Gateway API)"
        owned[("", "Service", namespace, component)] = "KServe's predictor Service"
        owned[("apps", "Deployment", namespace, component)] = "KServe's predictor Deployment"
        owned[("autoscaling", "HorizontalPodAutoscaler", namespace, component)] = "KServe's HPA"
        owned[("keda.sh", "ScaledObject", namespace, component)] = "KServe's ScaledObject"
    return owned


def _platform_names() -> dict[tuple[str, str, str, str], str]:
    return {(ISTIO_NETWORKING, "Gateway", upstream.KNATIVE_SYSTEM_NAMESPACE, name): "net-istio's own Gateway" for name in upstream.KNATIVE_GATEWAYS}


@rule("IS-01", "no rendered object takes the name of one KServe, Knative or net-istio creates", source="KServe ingress_reconciler.go; net-istio; serving-rules §4", scope=ENVIRONMENT)
def no_owned_names(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """KServe creates, for an InferenceService in Knative mode, a VirtualService and an
    ExternalName Service named like the InferenceService and a Knative Service
    `<name>-predictor`, for which net-istio creates the VirtualServices `<name>-predictor-ingress`
    and `-mesh`; in Standard mode an Ingress (or HTTPRoutes) named like it and a Deployment,
    Service and autoscaler `<name>-predictor`. net-istio owns the Gateways
    `knative-serving/knative-ingress-gateway` and `knative-local-gateway`. A rendered object
    with one of those names fights its owner: one overwrites the other on every reconcile."""
    owned = _platform_names()
    for manifest in ctx.manifests:
        if manifest.kind == "InferenceService":
            owned.update(owned_names(manifest, release_of(ctx.environment)))
    for manifest in ctx.manifests:
        owner = owned.get(manifest.identity)
        if owner is not None and manifest.kind != "InferenceService":
            yield EnvironmentFinding(
                ctx.at_manifest(manifest),
                f"{manifest.display_name} has the name of {owner}, which the cluster creates and reconciles itself",
                "rename the object (or the environment's gateway): two owners overwrite each other",
            )


# ---------------------------------------------------------------- XREF-01


@rule("XREF-01", "every name one rendered object gives another resolves in the tree", source="Istio IST0101, IST0161, IST0173; cert-manager issuerRef", scope=ENVIRONMENT)
def references_resolve(ctx: EnvironmentContext) -> Iterator[EnvironmentFinding]:
    """A VirtualService's gateways exist (or are `mesh`); every subset it routes to is defined
    by a DestinationRule of that host (else Istio answers 503); a Gateway's credentialName is the
    secretName of a Certificate in the gateway's namespace whose dnsNames cover the Gateway's
    hosts; a Certificate's issuerRef names an Issuer in its own namespace or a ClusterIssuer
    (or an issuer the environment declares `existing`); policy, PDB and PodMonitor selectors
    select the pods of a workload in the tree. Overlay patches can break any of these."""
    for ref in unresolved_references(ctx.manifests):
        yield EnvironmentFinding(ctx.at_manifest(ref.manifest, ref.pointer), f"{ref.manifest.display_name}: {ref.message}", "make the two objects agree (a patch or a setting renamed one of them)")
