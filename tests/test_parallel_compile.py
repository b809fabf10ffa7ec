"""Environments compiled in worker processes (INFERPLANE_JOBS) give the serial run's output exactly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler import pipeline
from compiler.cli import main
from compiler.commands import parallel
from tests.conftest import REPO

INPUTS = ("services", "environments", "overlays", "resources")


def _project(tmp_path: Path, name: str) -> Path:
    project = tmp_path / name
    for folder in INPUTS:
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, project / folder)
    return project


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _compile(project: Path, jobs: str, monkeypatch: pytest.MonkeyPatch, *args: str):
    monkeypatch.setenv(parallel.JOBS_VARIABLE, jobs)
    return CliRunner().invoke(main, ["-C", str(project), "compile", "--no-cache", *(args or ("--all",))], catch_exceptions=False)


@pytest.fixture
def in_processes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that really used worker processes (a fallback would make the test vacuous)."""
    runs: list[int] = []
    real = parallel._in_processes

    def counted(names, jobs, context):
        runs.append(jobs)
        return real(names, jobs, context)

    monkeypatch.setattr(parallel, "_in_processes", counted)
    return runs


def test_parallel_environments_write_and_print_what_the_serial_run_does(tmp_path, monkeypatch, in_processes):
    serial, forked = _project(tmp_path, "serial"), _project(tmp_path, "forked")
    one = _compile(serial, "1", monkeypatch)
    assert in_processes == []
    two = _compile(forked, "2", monkeypatch)
    assert in_processes == [2]
    assert (two.exit_code, two.stdout, two.stderr) == (one.exit_code, one.stdout.replace("serial", "forked"), one.stderr.replace("serial", "forked"))
    assert one.exit_code == 0 and one.stdout.count("manifests →") == 4
    assert _snapshot(forked / "rendered") == _snapshot(serial / "rendered")
    assert _snapshot(serial / "rendered") == _snapshot(REPO / "rendered")  # the committed tree
    check = _compile(forked, "3", monkeypatch, "--all", "--check")
    assert check.exit_code == 0 and "rendered tree is up to date" in check.stdout


def test_errors_in_several_environments_are_reported_in_the_serial_order(tmp_path, monkeypatch, in_processes):
    outputs = []
    for jobs in ("1", "2"):
        project = _project(tmp_path, f"p{jobs}")
        for env in ("dev", "prod", "staging"):
            path = project / "environments" / f"{env}.yaml"
            path.write_text(path.read_text().replace("namespace: ", "namespace: Not_A_Name-", 1))
        result = _compile(project, jobs, monkeypatch)
        assert result.exit_code == 1 and not (project / "rendered").exists()
        outputs.append(result.stderr.replace(f"p{jobs}", "P"))
    assert in_processes == [2]
    assert outputs[0] == outputs[1]
    files = [Path(line.split(":")[0]).name for line in outputs[0].splitlines() if "error[" in line]
    assert files == ["dev.yaml", "prod.yaml", "staging.yaml"]


def test_a_worker_that_fails_leaves_its_environments_to_this_process(tmp_path, monkeypatch, in_processes):
    parent = os.getpid()
    real = pipeline.compile_environment

    def fails_in_workers(sources, name, options, schemas, units=None, texts=None):
        if os.getpid() != parent:
            raise MemoryError("a worker out of memory")
        return real(sources, name, options, schemas, units, texts)

    monkeypatch.setattr(pipeline, "compile_environment", fails_in_workers)
    serial, forked = _project(tmp_path, "serial"), _project(tmp_path, "forked")
    one, two = _compile(serial, "1", monkeypatch), _compile(forked, "2", monkeypatch)
    assert in_processes == [2] and two.exit_code == one.exit_code == 0
    assert _snapshot(forked / "rendered") == _snapshot(serial / "rendered")


def test_one_environment_or_one_job_stays_in_this_process(tmp_path, monkeypatch, in_processes):
    project = _project(tmp_path, "p")
    assert _compile(project, "4", monkeypatch, "--env", "dev").exit_code == 0  # one environment
    monkeypatch.delenv(parallel.JOBS_VARIABLE)
    assert CliRunner().invoke(main, ["-C", str(project), "compile", "--all", "--no-cache"]).exit_code == 0  # the default
    assert in_processes == []


def test_the_compile_command_keeps_no_plans_or_provenance(tmp_path, monkeypatch):
    project = _project(tmp_path, "p")
    sources = pipeline.load_project(project)
    options = pipeline.CompileOptions(cache=False)
    schemas = pipeline.SchemaRegistryCache(tmp_path / "cache")
    (lean,) = parallel.compile_environments(sources, ["dev"], options, schemas)
    full = pipeline.compile_environment(sources, "dev", options, schemas)
    assert full.plans and full.provenance and lean.plans == [] and lean.provenance == {}
    assert (lean.files, lean.diagnostics, lean.gpu_budget) == (full.files, full.diagnostics, full.gpu_budget)


@pytest.mark.parametrize("setting", ["two", "0", "-1", "1.5"])
def test_a_jobs_setting_that_is_not_a_positive_number_is_a_usage_error(tmp_path, monkeypatch, in_processes, setting):
    project = _project(tmp_path, "p")
    result = _compile(project, setting, monkeypatch)
    assert result.exit_code == 2 and not (project / "rendered").exists()
    assert result.stderr.strip().splitlines()[-1].endswith(f"INFERPLANE_JOBS={setting!r}: expected a positive whole number of processes")
    assert in_processes == []
