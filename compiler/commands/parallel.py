"""`compile`'s environments in parallel processes, and only what the command uses kept of each.

Environments are independent until the fleet-wide stages (shared objects, the ApplicationSet),
which pipeline.compile_project runs after them on the results. So with more than one core, the
command forks worker processes that inherit the loaded project (no copy is made or pickled),
each compiles its share of the environments, and sends back the results; this process compiles
its own share meanwhile. The results come back in the environments' order, so diagnostics, printed
output and written files are those of the serial run (tests/test_parallel_compile.py).

Opt-in: `INFERPLANE_JOBS=2` (or more). It does not pay by default on the 2-core machines this was
measured on (docs/performance.md, section 4): each worker compiles the CRD schemas again and the
results are pickled back, +1.3 s CPU for 1,000 services x 3 environments, and with other work on the
cores the wall time grew (4.9 -> 6.7 s); on idle cores it can save ~15 %.

Serial: one environment, `INFERPLANE_JOBS` unset or 1, a platform without fork, a
process that already runs threads (fork would copy their locks held), or a worker that fails in
any way (its environments are then compiled here again, so any error surfaces as the serial run
raises it).

Memory: the compile command prints and writes from each environment's files, manifests,
diagnostics and GPU budget; the service plans and the provenance (for `review`) are dropped as
each environment finishes — at 3,000 services they were 45 MB per environment.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import replace
from typing import Any

from .. import pipeline
from ..errors import UsageError

JOBS_VARIABLE = "INFERPLANE_JOBS"
_job: dict[str, Any] = {}  # the worker's inherited arguments (set before fork, never pickled)


def _jobs() -> int:
    """Processes to use: INFERPLANE_JOBS, else 1 (measured: on 2 shared cores, two processes cost
    1.3 s more CPU — each compiles the schemas, results are pickled back — and finished later)."""
    setting = os.environ.get(JOBS_VARIABLE, "").strip()
    if not setting:
        return 1
    if not setting.isdigit() or int(setting) < 1:
        raise UsageError(f"{JOBS_VARIABLE}={setting!r}: expected a positive whole number of processes")
    return int(setting)


def _lean(result: pipeline.EnvironmentResult) -> pipeline.EnvironmentResult:
    return replace(result, plans=[], provenance={})


def _compile(names: list[str]) -> list[pipeline.EnvironmentResult]:
    sources, options, schemas, units, texts = _job["arguments"]
    return [_lean(pipeline.compile_environment(sources, name, options, schemas, units, texts)) for name in names]


def _compile_in_worker(names: list[str]) -> list[pipeline.EnvironmentResult] | None:
    try:
        return _compile(names)
    except BaseException:  # noqa: BLE001 - compiled again in the parent, which raises it as the serial run does
        return None


def _fork_context() -> Any:
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
        return None
    return multiprocessing.get_context("fork")


def compile_environments(sources: Any, names: list[str], options: pipeline.CompileOptions, schemas: Any, units: Any = None, texts: Any = None) -> list[pipeline.EnvironmentResult]:
    """pipeline.compile_environment over names, in order: in processes when that can help. A
    worker reads the incremental caches (units, texts) it inherits; what it adds to them stays in
    the worker (only this process saves them), so a parallel run can only miss, never mislead."""
    _job["arguments"] = (sources, options, schemas, units, texts)
    try:
        jobs = min(_jobs(), len(names))
        context = _fork_context() if jobs > 1 else None
        if context is None:
            return _compile(names)
        return _in_processes(names, jobs, context)
    finally:
        _job.clear()


def _in_processes(names: list[str], jobs: int, context: Any) -> list[pipeline.EnvironmentResult]:
    from concurrent.futures import ProcessPoolExecutor

    # Round robin: this process takes names[0], names[jobs], …; worker k names[k], names[k + jobs], …
    shares = [names[k::jobs] for k in range(jobs)]
    results: dict[str, pipeline.EnvironmentResult] = {}
    try:
        pool = ProcessPoolExecutor(max_workers=jobs - 1, mp_context=context)
    except OSError:
        return _compile(names)
    with pool:
        try:
            futures = [(share, pool.submit(_compile_in_worker, share)) for share in shares[1:]]
        except Exception:  # noqa: BLE001 - processes could not start: serial
            futures = [(share, None) for share in shares[1:]]
        results.update((result.name, result) for result in _compile(shares[0]))
        for share, future in futures:
            try:
                done = future.result() if future is not None else None
            except Exception:  # noqa: BLE001 - a worker that died (killed, out of memory): serial
                done = None
            results.update((result.name, result) for result in (done if done is not None else _compile(share)))
    return [results[name] for name in names]
