"""Mutation run: how many small mistakes in a core module the tests would catch.

    python bench/mutation.py                      # every core module (long: run one at a time)
    python bench/mutation.py rules/scaling.py     # one module (a path below compiler/)
    python bench/mutation.py rules/scaling.py --survivors   # and list what got through

Prints `MODULE: caught/total = NN %` per module; `total` leaves out the mutants judged equivalent
in bench/mutation_equivalents.txt (each with its reason). docs/mutation.md explains the method.
Not part of CI (.ci/run): a bench, minutes per module.

How: bench/mutation_ops.py compiles every mutant of the module into one copy of it (mutant
schemata). This process imports the compiler with that copy and collects the module's tests once,
in one pytest session whose test loop is replaced (`_MutationLoop`): a forked child runs them all
with no mutant under a line tracer (to learn which tests reach which line, and that they pass
unmutated); then one forked child per mutant switches its mutant on and runs, stopping at the
first failure, only the tests that reach the mutated lines, those that caught earlier mutants
first. A failing test (or a hang past the timeout) catches the mutant. A mutant on a line no
selected test reaches survives without a run. No child starts pytest or collects again.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import importlib
import importlib.abc
import importlib.util
import io
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from mutation_ops import SWITCH, Mutant, mutant_source, mutate_source  # noqa: E402

EQUIVALENTS = REPO / "bench" / "mutation_equivalents.txt"

_RULE_TESTS = ["tests/test_rules.py", "tests/test_rules_manifests.py", "tests/findings"]
# The compiled examples and end-to-end cases compare whole rendered trees with committed goldens:
# every emitter's fields are checked there, whatever its own tests state.
_GOLDENS = ["tests/test_examples.py", "tests/test_cases.py"]
# Rule module -> the tests of its feature beyond the rule tests (every rule is in tests/findings).
_RULE_FEATURE_TESTS = {
    "certmanager": [], "components": ["tests/test_workload_components.py"], "credentials": ["tests/test_secrets.py", "tests/test_companions.py"], "delivery": [],
    "exposure": ["tests/test_exposure.py"], "graph": ["tests/test_workload_graph.py"], "hardware": [],
    "hpa_metrics": ["tests/test_hpa_metrics.py"], "images": ["tests/test_images.py"], "istio": [], "kserve": ["tests/test_kserve_versions.py"],
    "knative_features": [],
    "llm": ["tests/test_workload_llm.py"], "loadtest": ["tests/test_loadtest.py"], "manifests": ["tests/test_crossrefs.py"],
    "modelmesh": ["tests/test_modelmesh.py"], "ray": ["tests/test_workload_ray.py"], "scaling": [], "secrets": ["tests/test_secrets.py", "tests/test_companions.py"],
    "traffic": [], "versions": ["tests/test_fleet_versions.py"],
}
# Emitter module -> the tests that check what it emits (with the goldens above).
_EMIT_TESTS = {
    "autoscaling": ["tests/test_emit_autoscaling.py", "tests/findings/test_emit_autoscaling_meaning.py"],
    "availability": ["tests/test_emit_availability.py", "tests/findings/test_emit_availability_meaning.py"],
    "certmanager": ["tests/test_emit_certmanager.py", "tests/findings/test_emit_certmanager_meaning.py"],
    "companions": ["tests/test_companions.py"],
    "components": ["tests/test_workload_components.py", "tests/findings/test_emit_components_meaning.py"],
    "gateway": ["tests/test_emit_gateway.py", "tests/findings/test_emit_gateway_meaning.py"],
    "gitops": ["tests/test_emit_gitops.py", "tests/test_gitops_clusters.py"],
    "gitops_fleet": ["tests/test_emit_gitops.py", "tests/test_gitops_clusters.py"],
    "graph": ["tests/test_workload_graph.py", "tests/findings/test_emit_graph_meaning.py"],
    "httproute": ["tests/test_gateway_api.py", "tests/test_exposure.py", "tests/findings/test_emit_httproute_meaning.py"],
    "images": ["tests/test_images.py", "tests/test_image_ref.py"],
    "ingress": ["tests/test_exposure.py", "tests/findings/test_emit_ingress_meaning.py"],
    "knative": ["tests/test_emit_knative.py", "tests/findings/test_emit_knative_meaning.py"],
    "kserve": ["tests/test_emit_kserve.py", "tests/test_emit_kserve_versions.py", "tests/test_kserve_runtimes.py", "tests/findings/test_emit_kserve_meaning.py"],
    "llm": ["tests/test_workload_llm.py", "tests/findings/test_emit_llm_meaning.py"],
    "loadtest": ["tests/test_loadtest.py"],
    "manifest": ["tests/test_write.py", "tests/test_emit_gitops.py", "tests/test_determinism.py"],
    "meta": ["tests/test_emit_gateway.py", "tests/test_emit_certmanager.py", "tests/test_emit_security.py"],
    "modelmesh": ["tests/test_emit_modelmesh.py", "tests/test_modelmesh.py"],
    "modelmesh_routing": ["tests/test_emit_modelmesh.py", "tests/test_modelmesh.py"],
    "monitoring": ["tests/test_emit_monitoring.py"],
    "pod": ["tests/test_pod_settings.py", "tests/findings/test_emit_pod_meaning.py"],
    "provenance": ["tests/test_review_causes.py", "tests/findings/test_emit_provenance_meaning.py"],
    "ray": ["tests/test_workload_ray.py", "tests/findings/test_emit_ray_meaning.py"],
    "references": ["tests/test_crossrefs.py", "tests/test_crossref.py"],
    "routing": ["tests/test_emit_routing.py", "tests/findings/test_emit_routing_meaning.py"],
    "security": ["tests/test_emit_security.py", "tests/findings/test_emit_security_meaning.py"],
    "smoketest": ["tests/test_emit_releases.py"],
    "visibility": ["tests/test_gateway_api.py", "tests/test_exposure.py", "tests/findings/test_emit_httproute_meaning.py"],
}
# Core module (below compiler/) -> the tests that exercise it. Only these run against its mutants
# (tests/test_mutation_core.py checks that every rule module and emitter is here).
CORE: dict[str, list[str]] = {
    "source/resolve.py": ["tests/test_resolve.py", "tests/properties/test_merge_laws.py", "tests/findings/test_resolve_meaning.py"],
    **{f"rules/{name}.py": _RULE_TESTS + extra for name, extra in _RULE_FEATURE_TESTS.items()},
    **{f"emit/{name}.py": tests + _GOLDENS for name, tests in _EMIT_TESTS.items()},
    "output/transaction.py": ["tests/test_write_transaction.py", "tests/test_write.py", "tests/findings/test_transaction_meaning.py"],
    "output/staging.py": ["tests/test_write_transaction.py", "tests/test_write.py", "tests/findings/test_transaction_meaning.py"],
    "output/safety.py": ["tests/test_write_transaction.py", "tests/test_write.py", "tests/findings/test_safety_meaning.py"],
    "output/write.py": ["tests/test_write.py", "tests/test_compile_write.py", "tests/findings/test_write_meaning.py"],
    "validate/listtypes.py": ["tests/test_validate_core.py", "tests/test_validate_crd.py", "tests/findings/test_listtypes_meaning.py"],
    "validate/core.py": ["tests/test_validate_core.py"],
    "validate/cel.py": ["tests/test_validate_cel.py", "tests/test_validate_cel_hook.py", "tests/findings/test_cel_meaning.py"],
    "diff/match.py": ["tests/test_diff_match.py", "tests/findings/test_diff_match_meaning.py"],
}


def module_name(relative: str) -> str:
    return "compiler." + relative.removesuffix(".py").replace("/", ".")


class _SchemataLoader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves the schemata copy of one module in place of its source."""

    def __init__(self, name: str, path: Path, code) -> None:
        self.name, self.path, self.code = name, path, code

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        return importlib.util.spec_from_file_location(fullname, self.path, loader=self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(self.code, module.__dict__)


def load_equivalents() -> dict[str, dict[str, str]]:
    """module -> {mutant key: reason}. Lines: `MODULE | KEY | REASON`; `#` starts a comment."""
    found: dict[str, dict[str, str]] = {}
    if not EQUIVALENTS.is_file():
        return found
    for line in EQUIVALENTS.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        module, key, reason = (part.strip() for part in line.split(" | ", 2))
        found.setdefault(module, {})[key] = reason
    return found


def _test_ids(paths: list[str]) -> list[str]:
    return [p for p in paths if (REPO / p).exists()]


def _quiet() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def _fork(work, timeout: float) -> str:
    pid = os.fork()
    if pid == 0:
        try:
            work()
        finally:
            os._exit(99)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return "ok" if os.waitstatus_to_exitcode(status) == 0 else f"failed:{os.waitstatus_to_exitcode(status)}"
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "timeout"
        time.sleep(0.01)


def _run_items(items: list, on_item=None) -> str | None:
    """Run pytest items in order in this (forked) process, stopping at the first failure, as `-x`
    would; returns the id of the failing test, or None. `on_item(item, run)` wraps each run."""
    failed: list[str] = []

    class _Failures:
        def pytest_runtest_logreport(self, report) -> None:
            if report.failed and not failed:
                failed.append(report.nodeid)

    config = items[0].config
    config.pluginmanager.register(_Failures(), "inferplane-mutation-failures")
    for index, item in enumerate(items):
        nextitem = items[index + 1] if index + 1 < len(items) else None
        run = lambda item=item, nextitem=nextitem: item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
        on_item(item, run) if on_item else run()
        if failed:
            return failed[0]
    return None


def _compiler_caches() -> list:
    """The compiler's functools caches. The baseline clears them before each test: otherwise only
    the first test to call a cached function is seen reaching its lines, and a mutant there would
    run against that one test only."""
    import functools
    import gc

    return [o for o in gc.get_objects() if isinstance(o, functools._lru_cache_wrapper) and getattr(o, "__module__", "").startswith("compiler.")]


class _MutationLoop:
    """A pytest plugin that replaces the session's test loop: the module's tests are collected
    once, in this process; the baseline and every mutant then run in forked children of it, so a
    mutant costs neither a pytest start nor a collection."""

    def __init__(self, target: Path, mutants: list[Mutant], equivalents: dict[str, str], relative: str, show_survivors: bool) -> None:
        self.target, self.mutants, self.equivalents = target, mutants, equivalents
        self.relative, self.show_survivors = relative, show_survivors
        self.result: tuple[int, int, list[Mutant]] | None = None
        self.failure: str | None = None

    def _baseline(self, items: list) -> dict:
        """Run every test with no mutant (in a child), recording which test reaches which line."""
        filename = str(self.target)

        def work(out: str) -> None:
            lines: dict[str, set[int]] = {}
            durations: dict[str, float] = {}

            def traced(item, run):
                seen = lines.setdefault(item.nodeid, set())

                def local(frame, event, arg):
                    if event == "line":
                        seen.add(frame.f_lineno)
                    return local

                def tracer(frame, event, arg):
                    if frame.f_code.co_filename == filename:
                        seen.add(frame.f_lineno)
                        return local
                    return None

                for cached in caches:  # a test that would find the value cached reaches the function too
                    cached.cache_clear()
                started = time.monotonic()
                sys.settrace(tracer)
                try:
                    run()
                finally:
                    sys.settrace(None)
                durations[item.nodeid] = time.monotonic() - started

            caches = _compiler_caches()
            _quiet()
            failed = _run_items(items, traced)
            Path(out).write_text(json.dumps({"failed": failed, "lines": {k: sorted(v) for k, v in lines.items()}, "durations": durations}))
            os._exit(0)

        with tempfile.TemporaryDirectory() as scratch:
            report = Path(scratch) / "baseline.json"
            _fork(lambda: work(str(report)), timeout=1800)
            return json.loads(report.read_text()) if report.exists() else {"failed": "(the baseline run died)"}

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session) -> bool:
        items = list(session.items)
        if session.testsfailed or not items:
            self.failure = "the tests do not collect"
            return True
        baseline = self._baseline(items)
        if baseline["failed"]:
            self.failure = f"{baseline['failed']} fails with no mutant"
            return True
        by_id = {item.nodeid: item for item in items}
        order = {item.nodeid: index for index, item in enumerate(items)}
        reach: dict[int, set[str]] = {}
        for test, seen in baseline["lines"].items():
            for line in seen:
                reach.setdefault(line, set()).add(test)

        caught, counted, survivors = 0, 0, []
        kills: dict[str, int] = {}  # tests that caught earlier mutants run first: -x stops sooner
        for done, mutant in enumerate(self.mutants):
            if done and done % 25 == 0:
                print(f"  {self.relative}: {done}/{len(self.mutants)} mutants, {caught} caught", file=sys.stderr, flush=True)
            if mutant.key in self.equivalents:
                continue
            counted += 1
            # Only the tests that reach the mutated lines can see the mutant.
            selected = sorted({t for line in range(mutant.line, mutant.end_line + 1) for t in reach.get(line, ())}, key=lambda t: (-kills.get(t, 0), order[t]))
            if not selected:
                survivors.append(mutant)
                continue
            budget = 10 + 3 * sum(baseline["durations"].get(t, 1.0) for t in selected)
            with tempfile.NamedTemporaryFile("r") as killer:
                def work(number=mutant.number, chosen=[by_id[t] for t in selected], killer=killer.name):
                    setattr(builtins, SWITCH, number)
                    _quiet()
                    failed = _run_items(chosen)
                    if failed:
                        Path(killer).write_text(failed)
                    os._exit(1 if failed else 0)

                outcome = _fork(work, budget)
                if outcome == "ok":
                    survivors.append(mutant)
                    if self.show_survivors:
                        print(f"  (survivor so far) {self.relative}:{mutant.line}: {mutant.key}", file=sys.stderr, flush=True)
                else:
                    caught += 1
                    name = Path(killer.name).read_text().strip()
                    if name:
                        kills[name] = kills.get(name, 0) + 1
        self.result = (caught, counted, survivors)
        return True


def run_module(relative: str, show_survivors: bool, equivalents: dict[str, str], tests: list[str] | None = None) -> tuple[int, int, list[Mutant]]:
    target = REPO / "compiler" / relative
    tests = _test_ids(tests or CORE[relative])
    mutants, code = mutate_source(target.read_text(), str(target))
    stale = sorted(set(equivalents) - {mutant.key for mutant in mutants})
    for key in stale:  # the code changed under it: judge the mutant again
        print(f"  {relative}: the equivalent `{key}` is no longer a mutant of the module: remove it from {EQUIVALENTS.name}", file=sys.stderr)
    name = module_name(relative)
    if name in sys.modules:
        raise SystemExit(f"{name} was imported before its schemata: run one module per process")
    sys.meta_path.insert(0, _SchemataLoader(name, target, code))
    setattr(builtins, SWITCH, 0)
    importlib.import_module("compiler.cli")  # every stage, once, shared by the forked children
    importlib.import_module(name)

    loop = _MutationLoop(target, mutants, equivalents, relative, show_survivors)
    with contextlib.redirect_stdout(io.StringIO()):  # the session's own report says nothing useful here
        pytest.main(["-q", "-s", "-p", "no:cacheprovider", "--no-header", "-o", "addopts=", *tests], plugins=[loop])
    if loop.result is None:
        raise SystemExit(f"{relative}: {loop.failure or 'the run did not finish'} ({' '.join(tests)}); fix the tests first")
    caught, counted, survivors = loop.result
    if show_survivors:
        for mutant in survivors:
            print(f"  survived {relative}:{mutant.line}: {mutant.key}")
    return caught, counted, survivors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="paths below compiler/, e.g. rules/scaling.py (default: every core module)")
    parser.add_argument("--survivors", action="store_true", help="list the mutants the tests let through")
    parser.add_argument("--tests", nargs="+", metavar="PATH", help="run these tests instead of the module's own (e.g. to measure an older suite)")
    parser.add_argument("--show", type=int, metavar="N", help="print the source of mutant N of the one module given")
    args = parser.parse_args(argv)
    os.chdir(REPO)
    modules = args.modules or list(CORE)
    unknown = [m for m in modules if m not in CORE]
    if unknown:
        parser.error(f"not a core module: {', '.join(unknown)} (known: {', '.join(CORE)})")
    if args.show:
        print(mutant_source((REPO / "compiler" / modules[0]).read_text(), args.show))
        return 0
    if len(modules) > 1:  # one process per module: each imports the compiler with its own schemata
        import subprocess

        return max(subprocess.call([sys.executable, __file__, module, *(["--survivors"] if args.survivors else [])]) for module in modules)
    equivalents = load_equivalents().get(modules[0], {})
    caught, total, _ = run_module(modules[0], args.survivors, equivalents, args.tests)
    percent = 100 * caught / total if total else 100.0
    print(f"{modules[0]}: {caught}/{total} = {percent:.0f} %  ({len(equivalents)} equivalent left out)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
