"""validate_objects (in-memory objects, e.g. from the compiler) and validate_paths (files and folders).

Reading YAML dominates the cost of validating files (~0.15 ms per small manifest with libyaml
against ~2 µs for the schema check), so large trees are split across processes, one per core.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from .checker import Outcome, check_object
from .crdsource import MANIFEST_SUFFIXES
from .loader import Document, Problem, iter_documents, read_manifest
from .model import Issue, ResourceResult, SkippedRule, ValidationInput, ValidationReport
from .pointer import position_of
from .registry import SchemaRegistry

# Not Kubernetes objects: kustomize inputs and the image list inferplane writes beside a tree.
SKIPPED_FILE_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization", "images.yaml"})
# Below this many files one process is faster than starting workers (measured: ~40 ms to fork two).
PARALLEL_MIN_FILES = 600
# Files the parent validates itself before forking: it compiles the schemas of the kinds they hold
# once (KServe's InferenceService takes ~1 s cold), and every worker inherits them instead of
# compiling its own copy; the registry also stays warm for the next call.
WARM_UP_FILES = 24


@dataclass(frozen=True)
class Options:
    ignore_missing_schemas: bool = False
    cel: bool = True


class _Collector:
    """Gathers outcomes into the parts of a report."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.skipped: list[SkippedRule] = []
        self.missing: list[tuple[str, str]] = []
        self.resources: list[ResourceResult] = []
        self._unreadable: set[tuple[str, int]] = set()

    def add(self, file: str, document: int, outcome: Outcome, position_for: Callable[[str], tuple[int | None, int | None]]) -> None:
        who = outcome.identity
        for finding in outcome.findings:
            line, column = position_for(finding.pointer)
            self.issues.append(
                Issue(file, document, line, who.api_version, who.kind, who.namespace, who.name, finding.pointer, finding.message, finding.keyword, column=column)
            )
        for pointer, rule, reason in outcome.skipped_rules:
            self.skipped.append(SkippedRule(file, document, who.api_version, who.kind, who.namespace, who.name, pointer, rule, reason))
        if outcome.missing is not None:
            self.missing.append(outcome.missing)
        self.resources.append(ResourceResult(file, document, who.api_version, who.kind, who.namespace, who.name, outcome.status))

    def add_problem(self, file: str, problem: Problem) -> None:
        self.issues.append(Issue(file, problem.index, problem.line, "", "", "", "", problem.pointer, problem.message, "yaml", column=problem.column))
        if (file, problem.index) not in self._unreadable:  # several duplicate keys, one resource
            self._unreadable.add((file, problem.index))
            self.resources.append(ResourceResult(file, problem.index, "", "", "", "", "error"))

    def parts(self) -> tuple:
        return self.issues, self.skipped, self.missing, self.resources

    def report(self) -> ValidationReport:
        return ValidationReport.build(*self.parts())


def validate_objects(
    inputs: Iterable[ValidationInput], registry: SchemaRegistry, ignore_missing_schemas: bool = False, cel: bool = True
) -> ValidationReport:
    collector = _Collector()
    for item in inputs:
        outcome = check_object(item.body, registry, ignore_missing_schemas=ignore_missing_schemas, cel=cel)
        collector.add(item.file, item.document, outcome, lambda pointer, item=item: position_of(item.positions, pointer))
    return collector.report()


# ---------------------------------------------------------------- files


def _walk_folder(folder: Path) -> list[Path]:
    # os.walk reads file types from the directory listing: no stat per file (rglob+is_file took
    # ~0.2 s for 15,000 files, this ~0.03 s).
    found = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            if name.endswith(MANIFEST_SUFFIXES) and name not in SKIPPED_FILE_NAMES:
                found.append(os.path.join(root, name))
    return [Path(name) for name in sorted(found)]


def manifest_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and *.yaml/*.yml/*.json below folders (sorted), except kustomization files."""
    found: list[Path] = []
    for path in paths:
        path = Path(path)
        found.extend(_walk_folder(path) if path.is_dir() else [path])
    return list(dict.fromkeys(found))


def resource_kinds(paths: Iterable[Path]) -> set[tuple[str, str]]:
    """Every (apiVersion, kind) in the given files and folders: what `schemas pull` must fetch."""
    found = set()
    for path in manifest_files(paths):
        try:
            content = path.read_bytes()
        except OSError:
            continue
        for item in iter_documents(content):
            if isinstance(item, Document) and isinstance(item.data, dict):
                api_version, kind = item.data.get("apiVersion"), item.data.get("kind")
                if isinstance(api_version, str) and isinstance(kind, str) and api_version and kind:
                    found.add((api_version, kind))
    return found


def _check_file(path: Path, registry: SchemaRegistry, options: Options, collector: _Collector) -> None:
    file = str(path)
    try:
        content = read_manifest(path)  # a file over the size limit is refused without reading it all
    except OSError as error:
        collector.add_problem(file, Problem(0, None, f"cannot read file: {error.strerror or error}"))
        return
    _check_content(file, content, registry, options, collector)


def _check_content(file: str, content: bytes, registry: SchemaRegistry, options: Options, collector: _Collector) -> None:
    for item in iter_documents(content):
        if isinstance(item, Problem):
            collector.add_problem(file, item)
            continue
        outcome = check_object(item.data, registry, ignore_missing_schemas=options.ignore_missing_schemas, cel=options.cel)
        collector.add(file, item.index, outcome, item.position_of)


def validate_content(content: bytes, file: str, registry: SchemaRegistry, ignore_missing_schemas: bool = False, cel: bool = True) -> ValidationReport:
    """Validate manifests that are not a file on disk (`inferplane validate -`: standard input),
    reported under the name `file`."""
    collector = _Collector()
    _check_content(file, content, registry, Options(ignore_missing_schemas, cel), collector)
    return collector.report()


def _check_files(paths: Sequence[Path], registry: SchemaRegistry, options: Options) -> tuple:
    collector = _Collector()
    for path in paths:
        _check_file(path, registry, options, collector)
    return collector.parts()


# Worker state: set once per process by the pool initializer (inherited, not pickled, under fork).
_worker: dict = {}


def _init_worker(registry: SchemaRegistry, options: Options) -> None:
    _worker["registry"], _worker["options"] = registry, options
    gc.freeze()  # what the parent built (schemas, modules) never needs scanning again


def _check_chunk(paths: Sequence[Path]) -> tuple:
    return _check_files(paths, _worker["registry"], _worker["options"])


def _context():
    methods = multiprocessing.get_all_start_methods()
    # fork shares the parent's loaded schemas for free; it is unsafe only once threads exist.
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def validate_paths(
    paths: Iterable[Path],
    registry: SchemaRegistry,
    ignore_missing_schemas: bool = False,
    cel: bool = True,
    jobs: int | None = None,
) -> ValidationReport:
    """Validate every document of the given files and folders. `jobs`: processes (default: one per core)."""
    files = manifest_files(paths)
    options = Options(ignore_missing_schemas, cel)
    workers = min(jobs or default_jobs(), max(1, len(files) // (PARALLEL_MIN_FILES // 2)))
    if workers <= 1 or len(files) < PARALLEL_MIN_FILES:
        return ValidationReport.build(*_check_files(files, registry, options))
    return ValidationReport.build(*_check_in_processes(files, registry, options, workers))


def _check_in_processes(files: list[Path], registry: SchemaRegistry, options: Options, workers: int) -> tuple:
    from concurrent.futures import ProcessPoolExecutor

    # The warm-up sample is spread over the whole (sorted) list: folders often group files by kind.
    warm_up = files[:: max(1, len(files) // WARM_UP_FILES)]
    issues, skipped, missing, resources = (list(part) for part in _check_files(warm_up, registry, options))
    chosen = set(warm_up)
    rest = [path for path in files if path not in chosen]
    # Several chunks per worker, so one slow chunk does not leave a core idle at the end.
    size = max(1, -(-len(rest) // (workers * 4)))
    chunks = [rest[start : start + size] for start in range(0, len(rest), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_init_worker, initargs=(registry, options)) as pool:
        for part_issues, part_skipped, part_missing, part_resources in pool.map(_check_chunk, chunks):
            issues += part_issues
            skipped += part_skipped
            missing += part_missing
            resources += part_resources
    return issues, skipped, missing, resources
