"""What each Kubernetes minor serves, as far as the compiler's output depends on it: which API
versions the emitters write and which pod features they may use. Read by the emitters and by rule
VERSION; each row cites its source (kubernetes.io/docs/reference/using-api/deprecation-guide/ for
API removals, the KEPs for features).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.models import Environment
from .kserve_versions import Minor, parse_minor

# The oldest minor whose core-kind schemas kubernetes-validate ships (v1.25.0-local-strict in
# kubernetes-validate 1.37.0): older clusters cannot be validated, so they are an error (rule
# VERSION). A test keeps this equal to the package's oldest bundle.
OLDEST_VALIDATED: Minor = (1, 25)


@dataclass(frozen=True)
class ApiChoice:
    newer: str
    older: str
    since: Minor  # the first minor serving `newer`
    source: str


HPA_API = ApiChoice("autoscaling/v2", "autoscaling/v2beta2", (1, 23), "autoscaling/v2 GA in 1.23; v2beta2 removed in 1.26 (deprecation guide)")
PDB_API = ApiChoice("policy/v1", "policy/v1beta1", (1, 21), "policy/v1 PodDisruptionBudget GA in 1.21; v1beta1 removed in 1.25 (deprecation guide)")
# KEP-753 SidecarContainers: an init container with restartPolicy Always runs beside the main
# containers and stops when they finish; beta and on by default from 1.29. Istio injects its proxy
# that way when the pod asks for `sidecar.istio.io/nativeSidecar: "true"`.
NATIVE_SIDECARS_SINCE: Minor = (1, 29)


@dataclass(frozen=True)
class KubernetesRelease:
    minor: Minor

    @classmethod
    def of(cls, version: str) -> "KubernetesRelease":
        minor = parse_minor(version)
        if minor is None:
            raise ValueError(f"Kubernetes {version} is not a version (rule VERSION reports it)")
        return cls(minor)

    def api(self, choice: ApiChoice) -> str:
        return choice.newer if self.minor >= choice.since else choice.older

    @property
    def native_sidecars(self) -> bool:
        return self.minor >= NATIVE_SIDECARS_SINCE


def kubernetes_of(env: Environment) -> KubernetesRelease:
    return KubernetesRelease.of(env.spec.versions.kubernetes)
