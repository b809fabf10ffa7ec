"""Benchmark of `inferplane compile --all`: a generated fleet, compiled cold and warm.

    python bench/compile_bench.py [--services 300] [--repeat 3] [--crds PATH]

Generates --services service specs (alternating Knative sklearn services that scale to zero in
dev, Standard-mode GPU services with an external-metric HPA, and custom containers) and three
environments (dev, staging, prod) into a temporary project, then times the whole pipeline in a
fresh process, as a user runs it:
- cold: no schema cache (CRD files parsed and converted);
- warm: the project's .inferplane-cache holds the parsed CRDs.
Prints wall time, manifests per second and the child's peak memory (getrusage).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CRDS = REPO.parent / "shared" / "crds"

ENVIRONMENT = """apiVersion: inferplane.dev/v1alpha1
kind: Environment
metadata:
  name: {env}
spec:
  versions: {{kubernetes: "1.33", kserve: "0.16.0"}}
  namespace: ml-{env}
  domain: {env}.models.example.com
  defaults:
    scaling: {{minReplicas: 1, maxReplicas: 4}}
    predictor:
      resources:
        requests: {{cpu: 100m, memory: 256Mi}}
        limits: {{cpu: "1", memory: 1Gi}}
  gpuClasses:
    t4: {{resource: nvidia.com/gpu, maxPerPod: 1, nodeSelector: {{gpu: t4}}}}
"""

KNATIVE = """apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: svc-{i}
spec:
  mode: knative
  predictor:
    model: {{format: sklearn, storageUri: "gs://models/sklearn/{i}"}}
"""

GPU_EXTERNAL = """apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: svc-{i}
spec:
  mode: standard
  predictor:
    model: {{format: tensorflow, storageUri: "pvc://models/tf/{i}", runtimeVersion: 2.14.0-gpu}}
  scaling:
    minReplicas: 1
    maxReplicas: 10
    metric: external
    target: 10
    external: {{name: ingress_qps, selector: {{route: svc-{i}}}}}
  hardware:
    gpu: {{class: t4, count: 1}}
  exposure:
    ingress: {{className: nginx}}
"""

CUSTOM = """apiVersion: inferplane.dev/v1alpha1
kind: ModelService
metadata:
  name: svc-{i}
spec:
  mode: standard
  predictor:
    container:
      image: ghcr.io/acme/server@sha256:{digest}
      ports: [{{containerPort: 8080}}]
  scaling: {{minReplicas: 2, maxReplicas: 6, metric: cpu, target: 70}}
"""


def generate(project: Path, services: int) -> None:
    for folder in ("services", "environments", "overlays/dev"):
        (project / folder).mkdir(parents=True, exist_ok=True)
    for env in ("dev", "staging", "prod"):
        (project / "environments" / f"{env}.yaml").write_text(ENVIRONMENT.format(env=env))
    templates = (KNATIVE, GPU_EXTERNAL, CUSTOM)
    for i in range(services):
        template = templates[i % len(templates)]
        (project / "services" / f"svc-{i}.yaml").write_text(template.format(i=i, digest=f"{i:064x}"))
        if template is KNATIVE:
            (project / "overlays" / "dev" / f"svc-{i}.yaml").write_text("spec:\n  scaling: {minReplicas: 0}\n")


def run_compile(project: Path, crds: Path | None) -> tuple[float, int]:
    args = [sys.executable, "-m", "compiler", "-C", str(project), "compile", "--all"]
    if crds:
        args += ["--crd", str(crds)]
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    manifests = sum(1 for path in (project / "rendered").rglob("*.yaml") if path.name not in ("kustomization.yaml", "images.yaml"))
    return elapsed, manifests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario; best and median are shown")
    parser.add_argument("--crds", type=Path, default=DEFAULT_CRDS if DEFAULT_CRDS.is_dir() else None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="inferplane-bench-") as tmp:
        project = Path(tmp)
        generate(project, args.services)
        print(f"{args.services} services x 3 environments, CRDs: {args.crds or 'none (custom resources not validated)'}")
        for scenario in ("cold", "warm"):
            times = []
            for _ in range(args.repeat):
                if scenario == "cold":
                    shutil.rmtree(project / ".inferplane-cache", ignore_errors=True)
                elapsed, manifests = run_compile(project, args.crds)
                times.append(elapsed)
            best, median = min(times), statistics.median(times)
            print(f"{scenario:5}: best {best:.2f} s, median {median:.2f} s, {manifests / best:,.0f} manifests/s ({manifests} manifests)")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory of a compile: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
