"""Benchmark of `inferplane validate`: a tree of small manifests, validated cold and warm.

    python bench/validate_bench.py [--count 15000] [--jobs N] [--repeat 3] [--crds PATH] [--cel] [--engine NAME] [--out DIR]

Generates --count manifests (InferenceService, Istio VirtualService, autoscaling/v2 HPA in equal
parts, one file each, 20 namespace folders) into a temporary folder, then validates the tree:
- cold: a new SchemaRegistry (CRD files parsed, schemas converted and compiled) and no disk cache;
- cold, disk cache warm: a new SchemaRegistry whose cache_dir already holds the parsed CRDs;
- warm: the same registry again (compiled validators in memory).
Prints manifests/second, wall time and peak memory (parent and workers, from getrusage).
CEL rules (Istio's VirtualService has them) are off unless --cel: they are measured separately.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from compiler.validate import SchemaRegistry, validate_paths  # noqa: E402

INFERENCE_SERVICE = """apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: model-{i}
  namespace: team-{t}
  labels:
    app.kubernetes.io/name: model-{i}
    app.kubernetes.io/part-of: inferplane
  annotations:
    serving.kserve.io/deploymentMode: Serverless
spec:
  predictor:
    minReplicas: 1
    maxReplicas: 4
    sklearn:
      storageUri: gs://models/model-{i}
      resources:
        limits:
          cpu: "1"
          memory: 2Gi
        requests:
          cpu: 500m
          memory: 1Gi
"""
VIRTUAL_SERVICE = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: model-{i}
  namespace: team-{t}
spec:
  hosts:
  - model-{i}.example.com
  gateways:
  - istio-system/ingress
  http:
  - match:
    - uri:
        prefix: /v1/models/model-{i}
    route:
    - destination:
        host: model-{i}-predictor.team-{t}.svc.cluster.local
        port:
          number: 80
      weight: 100
    timeout: 30s
"""
AUTOSCALER = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: model-{i}
  namespace: team-{t}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: model-{i}-predictor
  minReplicas: 1
  maxReplicas: 8
  metrics:
  - type: Resource
    resource:
      name: cpu
      target:
        type: Utilization
        averageUtilization: 70
"""
TEMPLATES = (("inferenceservice", INFERENCE_SERVICE), ("virtualservice", VIRTUAL_SERVICE), ("horizontalpodautoscaler", AUTOSCALER))


def generate(root: Path, count: int) -> int:
    written = 0
    for index in range(-(-count // len(TEMPLATES))):
        folder = root / f"team-{index % 20}"
        folder.mkdir(parents=True, exist_ok=True)
        for name, template in TEMPLATES:
            if written == count:
                return written
            (folder / f"{name}-model-{index}.yaml").write_text(template.format(i=index, t=index % 20), encoding="utf-8")
            written += 1
    return written


def peak_mib() -> tuple[float, float]:
    """Peak resident memory of this process and of the largest finished worker (KiB on Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def cpu_seconds() -> float:
    """CPU time of this process and its finished workers: wall time on an otherwise idle machine ≈ this / cores."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(tree: Path, registry: SchemaRegistry, count: int, jobs: int | None, cel: bool) -> tuple[float, float]:
    start, cpu_start = time.perf_counter(), cpu_seconds()
    report = validate_paths([tree], registry, jobs=jobs, cel=cel)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    assert report.counts["resources"] == count and report.ok, report.counts
    return wall, cpu


def scenario(label: str, make_registry, tree: Path, count: int, args) -> None:
    """Best and median of --repeat runs: on a shared machine the best is the one least disturbed."""
    runs = sorted(measure(tree, make_registry(), count, args.jobs, args.cel) for _ in range(args.repeat))
    (best_wall, best_cpu), (median_wall, _) = runs[0], runs[len(runs) // 2]
    own, children = peak_mib()
    print(
        f"{label:<24} {count / best_wall:>7,.0f} manifests/s  best {best_wall:5.2f} s wall ({best_cpu:4.2f} s CPU), "
        f"median {median_wall:5.2f} s  peak RSS: parent {own:,.0f} MiB, worker {children:,.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=15_000)
    parser.add_argument("--jobs", type=int, default=None, help="processes (default: one per core)")
    parser.add_argument("--crds", type=Path, default=REPO.parent / "shared" / "crds")
    parser.add_argument("--cel", action="store_true", help="evaluate CEL rules too")
    parser.add_argument("--engine", default="auto", choices=["auto", "jsonschema-rs", "python-jsonschema"])
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario; the best and the median are shown")
    parser.add_argument("--out", type=Path, help="generate here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.2f}" + ("  (other work is running: wall times are inflated)" if load > 0.5 else ""))
    if not args.crds.is_dir():
        sys.exit(f"CRD folder not found: {args.crds} (pass --crds)")
    work = args.out or Path(tempfile.mkdtemp(prefix="inferplane-bench-"))
    try:
        tree, cache = work / "tree", work / "cache"
        shutil.rmtree(tree, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)
        start = time.perf_counter()
        count = generate(tree, args.count)
        print(f"generated {count:,} manifests in {time.perf_counter() - start:.2f} s under {tree}")

        def fresh(cache_dir: Path | None = None):
            return lambda: SchemaRegistry("1.33", crd_paths=[args.crds], cache_dir=cache_dir, engine=args.engine)

        shared = fresh()()
        print(f"engine: {shared.engine}, Kubernetes {shared.core_version}, jobs: {args.jobs or 'one per core'}, CEL: {'on' if args.cel else 'off'}")
        scenario("cold (no disk cache)", fresh(), tree, count, args)
        validate_paths([tree / "team-0"], fresh(cache)(), jobs=1, cel=False)  # fills the disk cache
        scenario("cold (disk cache warm)", fresh(cache), tree, count, args)
        validate_paths([tree / "team-0"], shared, jobs=1, cel=args.cel)  # compiles the three kinds
        scenario("warm (same registry)", lambda: shared, tree, count, args)
    finally:
        if args.out is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
