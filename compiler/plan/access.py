"""Who may call a service, decided once: the lower stage stores it in the plan, the security
emitters render it, and the rules (IS-04, IS-05) check the same decisions (serving-rules §4).

Semantics (docs/security.md):
- a service gets access policies when its resolved spec has `access` (from the service file, an
  overlay, or the environment's `defaults.access`, which turns default-deny on for every service)
  and the environment has a mesh;
- everything is denied except: the namespaces and service accounts named, the gateway when the
  service is exposed (and `allowGateway`), in Knative mode the hops Knative puts in front of the
  pods (the activator's namespace, knative-local-gateway's namespace) and Knative's probe paths,
  and any caller with a JWT of the issuer when `jwt` is set and no caller is named;
- with `jwt`, every request but Knative's probes must carry a valid token of that issuer.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import upstream
from ..naming import smoke_test_renders, smoke_test_service_account
from ..spec.models import Environment, ModelService, ServiceSpecBody
from ..spec.traffic import Access, JwtRule
from ..spec.loadtest import load_test_service_account

# Istio's mTLS modes a PeerAuthentication can set (security.istio.io/v1 PeerAuthentication.mtls.mode).
STRICT, PERMISSIVE = "STRICT", "PERMISSIVE"


@dataclass(frozen=True)
class AccessPlan:
    selector: dict[str, str]  # labels of every pod of the service
    workload_mtls: str | None  # the service's own PeerAuthentication mode; None: the namespace's
    mtls: str  # the mode its pods run with (own or the namespace's)
    namespaces: tuple[str, ...]  # source namespaces allowed (needs mTLS: the peer's identity)
    principals: tuple[str, ...]  # source principals allowed (needs mTLS)
    request_principals: tuple[str, ...]  # JWT identities allowed from any peer
    open_paths: tuple[str, ...]  # paths any peer may call: Knative's probes and metrics
    jwt: JwtRule | None
    # Ports the policies guard; empty: all. A Ray cluster's pods call each other and KubeRay's
    # operator calls the dashboard on their other ports (GCS 6379, dashboard 8265, object
    # transfer), so only the Serve port is guarded there (plan/endpoints.py).
    guarded_ports: tuple[str, ...] = ()

    @property
    def needs_peer_identity(self) -> bool:
        """Rules by namespace or principal only match requests that arrive over mTLS."""
        return bool(self.namespaces or self.principals)


def requested_access(spec: ServiceSpecBody) -> Access | None:
    """The service's `access`, or None when no layer of its spec sets one (no policies)."""
    return spec.access if "access" in spec.model_fields_set else None


def workload_selector(service_name: str) -> dict[str, str]:
    """Every pod of the service, in both modes and whatever InferenceServices it is split into:
    the compiler sets app.kubernetes.io/name on the InferenceService and on its predictor, and
    KServe copies both onto the pods (predictor.go). KServe's own serving.kserve.io/inferenceservice
    label names one InferenceService, so it would miss the others of a service split by version."""
    return {"app.kubernetes.io/name": service_name}


def principal(trust_domain: str, namespace: str, service_account: str) -> str:
    """Istio's identity of a workload (its SPIFFE ID without `spiffe://`)."""
    return f"{trust_domain}/ns/{namespace}/sa/{service_account}"


def namespace_mtls(env: Environment) -> str:
    """The mode of the services' namespace. Never STRICT in knative-serving: it broke Knative's
    autoscaling there (net-istio#1258); IS-05 warns when it is asked for."""
    assert env.spec.mesh is not None
    if env.spec.namespace == upstream.KNATIVE_SYSTEM_NAMESPACE:
        return PERMISSIVE
    return env.spec.mesh.mtls


def workload_mtls(access: Access | None, env: Environment) -> str | None:
    """The service's own mode, when it asks for one that differs from its namespace's."""
    if access is None or access.mtls is None:
        return None
    wanted = PERMISSIVE if env.spec.namespace == upstream.KNATIVE_SYSTEM_NAMESPACE else access.mtls
    return wanted if wanted != namespace_mtls(env) else None


def split_service_account(entry: str) -> tuple[str, str] | None:
    """`<namespace>/<name>` → (namespace, name); None when malformed (IS-04 reports it)."""
    namespace, slash, name = entry.partition("/")
    if not slash or not upstream.ISVC_NAME.match(namespace) or not name or "/" in name:
        return None
    return namespace, name


def _gateway_sources(env: Environment) -> tuple[list[str], list[str]]:
    """The gateway's identity when the environment names its service account, else its namespace."""
    assert env.spec.mesh is not None
    gateway = env.spec.mesh.gateway
    if gateway.service_account:
        return [], [principal(env.spec.mesh.trust_domain, gateway.namespace, gateway.service_account)]
    return [gateway.namespace], []


# Modes whose pods Knative does not run (every other mode's requests may arrive through the
# activator: an InferenceGraph's router is a Knative Service under KServe's default Serverless
# mode); a Ray cluster's pods are KubeRay's.
NOT_KNATIVE_MODES = ("standard", "ray")


def plan_access(service: ModelService, env: Environment, selector: dict[str, str] | None = None, guarded_ports: tuple[str, ...] = ()) -> AccessPlan | None:
    """The access decisions for one service, or None when it gets no access policies. `selector`:
    the pods of a workload that does not carry the service's name label; `guarded_ports`: the only
    ports its policies guard (plan/endpoints.py)."""
    access = requested_access(service.spec)
    mesh = env.spec.mesh
    if access is None or mesh is None:
        return None
    knative = service.spec.mode not in NOT_KNATIVE_MODES
    namespaces = list(access.allow_namespaces)
    principals = []
    for entry in access.allow_service_accounts:
        parts = split_service_account(entry)
        if parts is not None:
            principals.append(principal(mesh.trust_domain, *parts))
    if smoke_test_renders(service.spec.smoke_test, env):
        # The PostSync smoke test calls the model with its own identity (emit/smoketest.py).
        principals.append(principal(mesh.trust_domain, env.spec.namespace, smoke_test_service_account(service.metadata.name)))
    for component in (service.spec.transformer, service.spec.explainer):
        if component is not None:
            # The transformer and explainer call the predictor with their own pods' identity.
            credentials = service.spec.predictor.credentials
            account = component.service_account_name or (credentials.service_account_name if credentials else None) or "default"
            principals.append(principal(mesh.trust_domain, env.spec.namespace, account))
    if service.spec.exposure.public and access.allow_gateway:
        gateway_namespaces, gateway_principals = _gateway_sources(env)
        namespaces += gateway_namespaces
        principals += gateway_principals
    if service.spec.load_test.enabled:
        principals.append(principal(mesh.trust_domain, env.spec.namespace, load_test_service_account(service.metadata.name)))
    for edge in (service.spec.exposure.ingress, service.spec.exposure.gateway_api):
        if edge is not None and edge.controller_namespace:
            namespaces.append(edge.controller_namespace)  # the ingress controller or gateway proxy forwards its callers
    if knative:
        # Requests reach Knative pods through the activator (knative-serving) or, on KServe's URL,
        # through knative-local-gateway: those hops are the peers the pods see (net-istio#554).
        namespaces += [upstream.KNATIVE_SYSTEM_NAMESPACE, upstream.KNATIVE_LOCAL_GATEWAY_NAMESPACE]
    named_callers = access.allow_namespaces or access.allow_service_accounts
    own = workload_mtls(access, env)
    return AccessPlan(
        selector=selector or workload_selector(service.metadata.name),
        workload_mtls=own,
        mtls=own or namespace_mtls(env),
        namespaces=tuple(sorted(set(namespaces))),
        principals=tuple(sorted(set(principals))),
        request_principals=(jwt_principals(access.jwt),) if access.jwt and not named_callers else (),
        open_paths=upstream.KNATIVE_SYSTEM_PATHS if knative else (),
        jwt=access.jwt,
        guarded_ports=guarded_ports,
    )


def jwt_principals(jwt: JwtRule) -> str:
    """Istio's request principal is `<iss>/<sub>`: any subject of the issuer."""
    return f"{jwt.issuer}/*"
