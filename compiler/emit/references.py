"""Cross-references between rendered objects: every name one object gives another resolves in
the same tree (or is one the platform is known to provide).

Checked, each from the referring object:
- VirtualService `gateways` → an Istio Gateway (`<namespace>/<name>`, or `<name>` in the
  VirtualService's namespace), or the reserved `mesh`;
- VirtualService destinations with a `subset` → a DestinationRule for that host that defines the
  subset (Istio answers 503 otherwise, serving-rules §4, IST0173);
- Gateway `tls.credentialName` → a Certificate with that secretName (or a Secret of that name) in
  the Gateway's namespace, whose dnsNames cover the server's hosts (serving-rules §5, IST0161);
- Certificate `issuerRef` → an Issuer in its namespace or a ClusterIssuer;
- pod selectors of Istio security policies, PodDisruptionBudgets and PodMonitors → the pods of a
  workload in the tree (an InferenceService's pods carry its labels, its predictor's labels and
  KServe's own; a Deployment's carry its template's).

An object may name what the platform provides outside the tree (an issuer of `type: existing`, a
gateway installed with the mesh) in its annotation `inferplane.dev/external-references`: the
targets, comma-separated, as `UnresolvedReference.target` spells them (`external_references`).

Results are data (`UnresolvedReference`); rule XREF-01 and tests/test_crossrefs.py report them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .. import upstream
from .manifest import Manifest

ISTIO_NETWORKING = "networking.istio.io"
ISTIO_SECURITY = "security.istio.io"
CERT_MANAGER = upstream.CERT_MANAGER_GROUP
# What an object refers to that the platform provides outside the rendered tree.
EXTERNAL_REFERENCES_ANNOTATION = "inferplane.dev/external-references"
MESH_GATEWAY = "mesh"  # Istio's name for "the sidecars", not a Gateway object


@dataclass(frozen=True)
class UnresolvedReference:
    manifest: Manifest  # the object that refers
    pointer: str  # JSON pointer of the reference inside it
    target: str  # what it names: `<Kind> <namespace>/<name>`, `<Kind> <name>` when cluster-wide
    message: str

    def format(self) -> str:
        return f"{self.manifest.display_name}: {self.pointer}: {self.message}"


def target(kind: str, namespace: str, name: str) -> str:
    return f"{kind} {namespace}/{name}" if namespace else f"{kind} {name}"


def external_references(*targets: str) -> dict[str, str]:
    """The annotation that declares references to objects the platform provides."""
    return {EXTERNAL_REFERENCES_ANNOTATION: ",".join(sorted(targets))}


def _declared_external(m: Manifest) -> set[str]:
    value = ((m.body.get("metadata") or {}).get("annotations") or {}).get(EXTERNAL_REFERENCES_ANNOTATION, "")
    return {part.strip() for part in str(value).split(",") if part.strip()}


def host_covered(host: str, dns_names: Iterable[str]) -> bool:
    """A TLS name covers the host itself, or one more label for `*.<domain>` (RFC 6125)."""
    for name in dns_names:
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:] and not host.startswith("*."):
            return True
    return False


def service_fqdn(host: str, namespace: str) -> str:
    """Istio reads a host without dots as a Service in the object's namespace."""
    return f"{host}.{namespace}.svc.cluster.local" if "." not in host else host


def _matches(pattern: str, host: str) -> bool:
    return pattern == host or (pattern.startswith("*") and host.endswith(pattern[1:]))


def _get(body: object, *path: str | int) -> object:
    for key in path:
        if isinstance(body, dict):
            body = body.get(key)
        elif isinstance(body, list) and isinstance(key, int) and 0 <= key < len(body):
            body = body[key]
        else:
            return None
    return body


def _items(body: object, *path: str) -> list[tuple[int, object]]:
    value = _get(body, *path)
    return list(enumerate(value)) if isinstance(value, list) else []


class _Tree:
    """The objects of one rendered tree, indexed by what references look up."""

    def __init__(self, manifests: list[Manifest]):
        self.objects = {(m.group, m.kind, m.namespace, m.name): m for m in manifests}
        self.subsets: dict[str, set[str]] = defaultdict(set)  # DestinationRule host pattern → subsets
        self.secrets: set[tuple[str, str]] = set()  # (namespace, secretName) of Certificates and Secrets
        self.certificates: dict[tuple[str, str], list[Manifest]] = defaultdict(list)
        self.pod_labels: dict[str, list[dict]] = defaultdict(list)  # namespace → label sets of pods
        self._label_indexes: dict[str, dict[tuple, list[dict]]] = {}
        for m in manifests:
            if (m.group, m.kind) == (ISTIO_NETWORKING, "DestinationRule"):
                host = service_fqdn(str(_get(m.body, "spec", "host") or ""), m.namespace)
                self.subsets[host].update(str(s.get("name")) for _, s in _items(m.body, "spec", "subsets") if isinstance(s, dict))
            elif (m.group, m.kind) == (CERT_MANAGER, "Certificate"):
                secret = str(_get(m.body, "spec", "secretName") or "")
                self.secrets.add((m.namespace, secret))
                self.certificates[(m.namespace, secret)].append(m)
            elif (m.group, m.kind) == ("", "Secret"):
                self.secrets.add((m.namespace, m.name))
            self.pod_labels[m.namespace].extend(_pod_label_sets(m))

    def has(self, group: str, kind: str, namespace: str, name: str) -> bool:
        return (group, kind, namespace, name) in self.objects

    def selects_pods(self, namespace: str, wanted: dict) -> bool:
        """Whether a label set of a pod in `namespace` holds every (key, value) of `wanted`. Only
        the sets holding wanted's first pair are compared (an index by pair): a tree of 1,000
        services has 1,000 selectors and 1,000 label sets per namespace, and comparing each with
        each was a third of the environment rules' time."""
        labels = self.pod_labels.get(namespace, [])
        key, value = next(iter(wanted.items()))
        try:
            # None matches a set without the key, NaN no set: both compared with each set, as is an
            # unhashable value (a list in a selector).
            candidates = labels if value is None or isinstance(value, float) else self._label_index(namespace).get((key, value), [])
        except TypeError:
            candidates = labels
        return any(all(found.get(k) == v for k, v in wanted.items()) for found in candidates)

    def _label_index(self, namespace: str) -> dict[tuple, list[dict]]:
        if namespace not in self._label_indexes:
            index: dict[tuple, list[dict]] = defaultdict(list)
            for labels in self.pod_labels.get(namespace, []):
                for pair in labels.items():
                    try:
                        index[pair].append(labels)
                    except TypeError:
                        continue  # an unhashable value equals no hashable wanted value
            self._label_indexes[namespace] = index
        return self._label_indexes[namespace]

    def subsets_of(self, host: str) -> set[str]:
        found: set[str] = set()
        for pattern, names in self.subsets.items():
            if _matches(pattern, host):
                found |= names
        return found


def _pod_label_sets(m: Manifest) -> list[dict]:
    """The labels of the pods an object runs, as far as the tree says (one set per kind of pod)."""
    if m.kind == "InferenceService":
        labels = dict(_get(m.body, "metadata", "labels") or {})
        labels.update(_get(m.body, "spec", "predictor", "labels") or {})
        labels.update({upstream.INFERENCESERVICE_POD_LABEL: m.name, "component": "predictor"})
        return [labels]
    if m.kind == "InferenceGraph":  # KServe labels the router's pods with the graph's name
        return [{**dict(_get(m.body, "metadata", "labels") or {}), upstream.INFERENCEGRAPH_POD_LABEL: m.name}]
    if m.group == "ray.io" and m.kind in ("RayCluster", "RayService"):
        cluster = _get(m.body, "spec") if m.kind == "RayCluster" else _get(m.body, "spec", "rayClusterConfig")
        # KubeRay labels a RayCluster's pods with its name; a RayService's cluster has a generated one.
        own = {upstream.RAY_CLUSTER_POD_LABEL: m.name} if m.kind == "RayCluster" else {}
        groups = [_get(cluster, "headGroupSpec")] + [group for _, group in _items(cluster, "workerGroupSpecs")]
        return [{**dict(_get(group, "template", "metadata", "labels") or {}), **own} for group in groups if isinstance(group, dict)]
    if (m.group, m.kind) in (("apps", "Deployment"), ("apps", "StatefulSet")):
        return [dict(_get(m.body, "spec", "template", "metadata", "labels") or {})]
    return []


# ---------------------------------------------------------------- one check per referring kind


def _virtual_service(m: Manifest, tree: _Tree) -> Iterator[UnresolvedReference]:
    for index, ref in _items(m.body, "spec", "gateways"):
        ref = str(ref)
        if ref == MESH_GATEWAY:
            continue
        namespace, _, name = ref.rpartition("/")
        if not tree.has(ISTIO_NETWORKING, "Gateway", namespace or m.namespace, name):
            wanted = target("Gateway", namespace or m.namespace, name)
            yield UnresolvedReference(m, f"/spec/gateways/{index}", wanted, f"names {wanted}, which is not in the tree")
    for pointer, destination in _destinations(m.body):
        subset = destination.get("subset")
        if not subset:
            continue
        host = service_fqdn(str(destination.get("host", "")), m.namespace)
        if subset not in tree.subsets_of(host):
            yield UnresolvedReference(m, pointer, f"{host}#{subset}", f"routes to subset {subset!r} of {host}, which no DestinationRule in the tree defines (Istio answers 503)")


def _destinations(body: dict) -> Iterator[tuple[str, dict]]:
    for protocol in ("http", "tcp", "tls"):
        for r, route in _items(body, "spec", protocol):
            for d, target in _items(route, "route"):
                destination = _get(target, "destination")
                if isinstance(destination, dict):
                    yield f"/spec/{protocol}/{r}/route/{d}/destination", destination
            mirror = _get(route, "mirror")
            if isinstance(mirror, dict):
                yield f"/spec/{protocol}/{r}/mirror", mirror
            for d, target in _items(route, "mirrors"):
                destination = _get(target, "destination")
                if isinstance(destination, dict):
                    yield f"/spec/{protocol}/{r}/mirrors/{d}/destination", destination


def _gateway(m: Manifest, tree: _Tree) -> Iterator[UnresolvedReference]:
    for index, server in _items(m.body, "spec", "servers"):
        secret = _get(server, "tls", "credentialName")
        if not secret:
            continue
        pointer = f"/spec/servers/{index}/tls/credentialName"
        if (m.namespace, secret) not in tree.secrets:
            yield UnresolvedReference(m, pointer, target("Secret", m.namespace, str(secret)), f"credentialName {secret!r} names no Certificate secretName (or Secret) in namespace {m.namespace}, where the gateway reads it")
            continue
        certificates = tree.certificates.get((m.namespace, str(secret)), [])
        if not certificates:
            continue  # a Secret of the platform's: its names are not known here
        names = [str(n) for c in certificates for _, n in _items(c.body, "spec", "dnsNames")]
        for h, host in _items(server, "hosts"):
            bare = str(host).rpartition("/")[2]
            if not host_covered(bare, names):
                yield UnresolvedReference(m, f"/spec/servers/{index}/hosts/{h}", bare, f"host {bare} is not among the dnsNames of the Certificate for {secret!r} ({', '.join(names) or 'none'})")


def _certificate(m: Manifest, tree: _Tree) -> Iterator[UnresolvedReference]:
    ref = _get(m.body, "spec", "issuerRef") or {}
    if not isinstance(ref, dict):
        return
    if ref.get("group", CERT_MANAGER) != CERT_MANAGER:
        return  # an external issuer type (its own API group): not resolvable here
    kind, name = ref.get("kind", "Issuer"), str(ref.get("name", ""))
    namespace = m.namespace if kind == "Issuer" else ""
    if not tree.has(CERT_MANAGER, str(kind), namespace, name):
        where = f"in namespace {namespace}" if namespace else "(cluster-wide)"
        yield UnresolvedReference(m, "/spec/issuerRef", target(str(kind), namespace, name), f"issuerRef names {kind} {name!r} {where}, which is not in the tree (an Issuer must be in the Certificate's namespace)")


def _selector(pointer: str, *path: str) -> Callable[[Manifest, _Tree], Iterator[UnresolvedReference]]:
    def check(m: Manifest, tree: _Tree) -> Iterator[UnresolvedReference]:
        wanted = _get(m.body, *path)
        if not isinstance(wanted, dict) or not wanted or _get(m.body, "spec", "namespaceSelector"):
            return
        if not tree.selects_pods(m.namespace, wanted):
            text = ", ".join(f"{k}={v}" for k, v in sorted(wanted.items()))
            yield UnresolvedReference(m, pointer, text, f"selects pods with {text}, and no workload in the tree runs such pods in namespace {m.namespace}")

    return check


_POLICY_SELECTOR = _selector("/spec/selector/matchLabels", "spec", "selector", "matchLabels")
CHECKS: dict[tuple[str, str], Callable[[Manifest, _Tree], Iterator[UnresolvedReference]]] = {
    (ISTIO_NETWORKING, "VirtualService"): _virtual_service,
    (ISTIO_NETWORKING, "Gateway"): _gateway,
    (CERT_MANAGER, "Certificate"): _certificate,
    (ISTIO_SECURITY, "AuthorizationPolicy"): _POLICY_SELECTOR,
    (ISTIO_SECURITY, "PeerAuthentication"): _POLICY_SELECTOR,
    (ISTIO_SECURITY, "RequestAuthentication"): _POLICY_SELECTOR,
    ("policy", "PodDisruptionBudget"): _selector("/spec/selector/matchLabels", "spec", "selector", "matchLabels"),
    ("monitoring.coreos.com", "PodMonitor"): _selector("/spec/selector/matchLabels", "spec", "selector", "matchLabels"),
}


def unresolved_references(manifests: Iterable[Manifest]) -> list[UnresolvedReference]:
    """Every reference between the objects that does not resolve, in the objects' order."""
    manifests = list(manifests)
    tree = _Tree(manifests)
    found: list[UnresolvedReference] = []
    for m in manifests:
        check = CHECKS.get((m.group, m.kind))
        if check is not None:
            external = _declared_external(m)
            found.extend(ref for ref in check(m, tree) if ref.target not in external)
    return found
