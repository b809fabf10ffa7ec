"""Every performance target of issue 15, measured on a generated fleet, with PASS/FAIL.

    python bench/perf_bench.py [--services 1000] [--curve 100,1000,3000] [--repeat 3] [--crds PATH]

One command: generates the fleet (bench/compile_bench.py's generator: 1,000 services × 3
environments ≈ 6,000 manifests), runs each command as a user does (a fresh process, the venv's
`inferplane`), takes the best of --repeat runs (the least disturbed on a shared machine) and prints
one line per target: the limit, the measured value, PASS or FAIL. Peak memory is each child's own
maximum resident set (wait4): the target is the largest run on the --services fleet; the curve
shows each size's cold compile.

kubeconform: when `kubeconform` is on PATH it validates the same rendered tree with the same schema
locations (`-summary`), and the kubeconform-relative targets compare with that time. Otherwise they
compare with a REFERENCE time, labelled as such in the output — derived, not measured (see
bench/README.md): the issue's own numbers on this machine class (compile 8.5 s ≈ 3× kubeconform for
1,000 × 3) give kubeconform ≈ 2.8 s.

Times: wall seconds of the best of --repeat fresh processes, and that run's CPU seconds (user +
system of the child, from wait4): on a machine shared with other work the CPU time is the steadier
figure; the targets are judged on wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from compile_bench import DEFAULT_CRDS, generate  # noqa: E402

# The issue, 1,000 × 3 on this machine class: compile 8.5 s ≈ 3× kubeconform, so kubeconform ≈ 2.8 s
# (and its validate ≈ 0.6× kubeconform ≈ 1.7 s agrees). Derived, not measured: bench/README.md.
DERIVED_KUBECONFORM_S = 8.5 / 3
INFERPLANE = [sys.executable, "-m", "compiler"]


class Runner:
    def __init__(self, project: Path) -> None:
        self.project = project
        self.peak_mib = 0.0
        self.cpu: dict[float, float] = {}  # wall seconds of a run → its CPU seconds (user + system)

    def run(self, *args: str, expect: tuple[int, ...] = (0,)) -> float:
        """Wall seconds of one fresh process; records its peak RSS."""
        start = time.perf_counter()
        child = subprocess.Popen([*INFERPLANE, *args], cwd=self.project, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        stderr = child.stderr.read().decode(errors="replace") if child.stderr else ""
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in expect:
            sys.exit(f"`inferplane {' '.join(args)}` exited {child.returncode}:\n{stderr[-2000:]}")
        self.peak_mib = max(self.peak_mib, usage.ru_maxrss / 1024)
        self.cpu[elapsed] = usage.ru_utime + usage.ru_stime
        return elapsed

    def best(self, repeat: int, *args: str, before=None, expect: tuple[int, ...] = (0,)) -> float:
        times = []
        for index in range(repeat):
            if before:
                before(index)
            times.append(self.run(*args, expect=expect))
        return min(times)


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=bench@example.com", "-c", "user.name=bench", *args], cwd=project, check=True, capture_output=True)


def set_replicas(project: Path, value: int) -> None:
    """One service changed: svc-2 (a custom container) gets maxReplicas `value`."""
    path = project / "services" / "svc-2.yaml"
    text = path.read_text()
    start = text.index("maxReplicas: ") + len("maxReplicas: ")
    end = text.index(",", start)
    path.write_text(text[:start] + str(value) + text[end:])


def touch_every_service(project: Path, memory: str) -> None:
    """A change that reaches every service: the environments' default predictor memory limit."""
    for path in (project / "environments").glob("*.yaml"):
        text = path.read_text()
        start = text.index('limits: {cpu: "1", memory: ') + len('limits: {cpu: "1", memory: ')
        end = text.index("}", start)
        path.write_text(text[:start] + memory + text[end:])


def kubeconform_seconds(project: Path, repeat: int) -> float | None:
    binary = shutil.which("kubeconform")
    if binary is None:
        return None
    catalog = DEFAULT_CRDS.parent / "schemas-catalog" / "{{.Group}}" / "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"
    args = [binary, "-summary", "-schema-location", "default", "-schema-location", str(catalog), "rendered"]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, cwd=project, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def cold_compile(runner: Runner, crds: list[str]) -> float:
    shutil.rmtree(runner.project / "rendered", ignore_errors=True)
    shutil.rmtree(runner.project / ".inferplane-cache", ignore_errors=True)
    return runner.run("compile", "--all", "-q", *crds)


def fleet(root: Path, services: int) -> Path:
    project = root / f"fleet-{services}"
    generate(project, services)
    git(project, "init", "-q")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000)
    parser.add_argument("--curve", default="100,1000,3000", help="fleet sizes for the growth curve (empty: skip)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--crds", type=Path, default=DEFAULT_CRDS if DEFAULT_CRDS.is_dir() else None)
    args = parser.parse_args()
    crds = ["--crd", str(args.crds)] if args.crds else []
    rows: list[tuple[str, str, float, bool, float | None]] = []

    def target(name: str, limit: str, value: float, ok: bool, cpu: float | None = None) -> None:
        rows.append((name, limit, value, ok, cpu))
        print(f"  measured {name}: {value:.3f}" + (f" (CPU {cpu:.3f})" if cpu is not None else ""), file=sys.stderr, flush=True)

    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; {args.services} services x 3 environments; CRDs: {args.crds}")
    with tempfile.TemporaryDirectory(prefix="inferplane-perf-") as tmp:
        project = fleet(Path(tmp), args.services)
        runner = Runner(project)
        for flag in ("--version", "--help"):
            seconds = runner.best(5, flag)
            target(f"inferplane {flag}", "<= 0.15 s", seconds, seconds <= 0.15, runner.cpu.get(seconds))
        cold = min(cold_compile(runner, crds) for _ in range(max(1, args.repeat - 1)))
        cold_peak = runner.peak_mib
        git(project, "add", "-A")
        git(project, "commit", "-qm", "fleet")
        runner.run("compile", "--all", "--check", "-q", *crds)  # records the --check run
        kubeconform = kubeconform_seconds(project, args.repeat)
        reference = kubeconform if kubeconform is not None else DERIVED_KUBECONFORM_S
        validate = runner.best(args.repeat, "validate", "rendered", *crds, "--summary")
        unchanged = runner.best(args.repeat, "compile", "--all", "-q", *crds)
        check = runner.best(args.repeat, "compile", "--all", "--check", "-q", *crds)
        one = runner.best(args.repeat, "compile", "--all", "-q", *crds, before=lambda i: set_replicas(project, 7 + i))
        diff_one = runner.best(args.repeat, "diff", "--base", "HEAD", "-o", "markdown")
        set_replicas(project, 6)
        diff_all = runner.best(args.repeat, "diff", "--base", "HEAD", "-o", "markdown", before=lambda i: touch_every_service(project, f"{2 + i}Gi"))
        touch_every_service(project, "1Gi")
        for name, limit, value in (
            ("compile --all, nothing changed", 0.3, unchanged),
            ("compile --all --check, nothing changed", 0.3, check),
            ("compile --all, one service changed", 0.5, one),
            ("diff -o markdown, one service changed", 1.0, diff_one),
            ("diff -o markdown, every service changed", 3.0, diff_all),
        ):
            target(name, f"<= {limit} s", value, value <= limit, runner.cpu.get(value))
        if kubeconform is not None:
            target("kubeconform -summary (measured)", "(reference)", reference, True)
        else:
            target("REFERENCE kubeconform: DERIVED, not measured (the issue: compile 8.5 s / 3)", "(reference)", reference, True)
        target("compile --all cold, with validation / kubeconform", "<= 1.0x", cold / reference, cold <= reference)
        target("validate rendered / kubeconform", "<= 0.5x", validate / reference, validate <= 0.5 * reference)
        target("compile --all cold, seconds", "(for the ratio)", cold, True, runner.cpu.get(cold))
        target("validate rendered, seconds", "(for the ratio)", validate, True, runner.cpu.get(validate))
        target(f"peak memory, largest run on {args.services} services (MiB)", "<= 300 MiB", runner.peak_mib, runner.peak_mib <= 300)
        curve = []
        for size in [int(n) for n in args.curve.split(",") if n]:
            if size == args.services:
                curve.append((size, cold, cold_peak))
                continue
            other = Runner(fleet(Path(tmp), size))
            curve.append((size, cold_compile(other, crds), other.peak_mib))
            shutil.rmtree(other.project)
    width = max(len(row[0]) for row in rows)
    print(f"\n{'target':<{width}}  {'limit':<12} {'wall':>10} {'CPU':>8}  result")
    for name, limit, value, ok, cpu in rows:
        verdict = "" if limit.startswith("(") else ("PASS" if ok else "FAIL")
        shown = f"{value:.2f}x" if limit.endswith("x") else (f"{value:.0f} MiB" if "MiB" in limit else f"{value:.2f} s")
        print(f"{name:<{width}}  {limit:<12} {shown:>10} {f'{cpu:.2f} s' if cpu is not None else '':>8}  {verdict}")
    if curve:
        print("\ncold compile --all with validation, by fleet size (growth should be linear):")
        print(f"{'services':>8} {'seconds':>8} {'ms/service':>10} {'peak MiB':>9}")
        for size, seconds, peak in curve:
            print(f"{size:>8} {seconds:>8.2f} {1000 * seconds / size:>10.2f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
