"""Kill `inferplane compile --all` (SIGKILL) anywhere: rendered/ is exactly the old tree or
exactly the new one, every environment and rendered/_gitops/ together, never a mix; the next run
(even `--check`) removes what the killed one left.

The kill points come from the writer's fault hook (INFERPLANE_WRITE_FAULT=<step>:kill, every
filesystem step of the transaction is one), and from random delays. Runs per test:
INFERPLANE_KILL_RUNS (default 10; `INFERPLANE_KILL_RUNS=100 pytest tests/test_write_kill.py` for
the long run), seed INFERPLANE_KILL_SEED (default: random, printed on failure).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import main
from compiler.output import faults
from compiler.output.faults import FAULT_ENV
from compiler.output.write import existing_files

BASE = Path(__file__).parent / "bad_input" / "_base"
RUNS = int(os.environ.get("INFERPLANE_KILL_RUNS", "10"))
SEED = int(os.environ.get("INFERPLANE_KILL_SEED", random.randrange(1 << 30)))
GITOPS = """\
  gitops:
    tool: argocd
    repoURL: https://github.com/acme/model-serving-gitops.git
    applicationSet: true
"""


def compile_in_process(project: Path, *args: str) -> int:
    return CliRunner().invoke(main, ["-C", str(project), "compile", "--all", *args], catch_exceptions=False).exit_code


def project_files(project: Path) -> list[str]:
    """What a project holds besides the schema cache: any leftover of a transaction shows here."""
    return sorted(p.name for p in project.iterdir() if p.name != ".inferplane-cache")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, dict, int]:
    """(a project whose rendered/ is the old tree and whose specs compile to a different one,
    the old tree, the new tree, how many filesystem steps writing the new one takes)."""
    template = tmp_path_factory.mktemp("kill") / "project"
    shutil.copytree(BASE, template)
    assert compile_in_process(template) == 0
    (template / "rendered" / "README.md").write_text("Compiled by inferplane; not compiled, kept.\n")
    old = existing_files(template / "rendered")
    # The new tree changes every environment, adds one, and adds rendered/_gitops/ (ApplicationSet).
    iris = template / "services" / "iris.yaml"
    iris.write_text(iris.read_text().replace("1.0/model", "2.0/model"))
    for env in ("dev", "prod"):
        path = template / "environments" / f"{env}.yaml"
        path.write_text(path.read_text() + GITOPS)
    qa = (template / "environments" / "prod.yaml").read_text().replace("name: prod", "name: qa").replace("namespace: inference", "namespace: inference-qa")
    (template / "environments" / "qa.yaml").write_text(qa)
    probe = template.parent / "probe"
    shutil.copytree(template, probe)
    counted = []
    original = faults.Steps.__call__

    def counting(self, what, path):
        counted.append(what)
        return original(self, what, path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(faults.Steps, "__call__", counting)
        assert compile_in_process(probe) == 0
    new = existing_files(probe / "rendered")
    assert new != old and {"_gitops/kustomization.yaml", "qa/kustomization.yaml", "README.md"} <= set(new)
    assert project_files(probe) == ["environments", "overlays", "rendered", "services"]
    return template, old, new, len(counted)


def run_compile(project: Path, fault: str | None = None, delay: float | None = None) -> int:
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    if fault:
        env[FAULT_ENV] = fault
    process = subprocess.Popen([sys.executable, "-m", "compiler", "compile", "--all"], cwd=project, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if delay is not None:
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    assert b"Traceback" not in stderr, stderr.decode()
    return process.returncode


def check_after_kill(project: Path, old: dict, new: dict, rng: random.Random, context: str) -> None:
    """Old or new, never a mix; the next runs recover (even when killed while recovering)."""
    killed = existing_files(project / "rendered")
    assert killed in (old, new), f"{context}: rendered/ is a mix of old and new"
    if project_files(project) != ["environments", "overlays", "rendered", "services"] and rng.random() < 0.5:
        # Kill the recovery too, at one of its first steps.
        assert run_compile(project, fault=f"{rng.randint(1, 3)}:kill") in (-signal.SIGKILL, 0), context
        assert existing_files(project / "rendered") in (old, new), f"{context}: a killed recovery left a mix"
    status = compile_in_process(project, "--check")  # recovers, then compares
    recovered = existing_files(project / "rendered")
    assert recovered in (old, new) and status == (0 if recovered == new else 1), context
    assert project_files(project) == ["environments", "overlays", "rendered", "services"], f"{context}: --check left {project_files(project)}"
    assert compile_in_process(project) == 0
    assert existing_files(project / "rendered") == new, context
    assert project_files(project) == ["environments", "overlays", "rendered", "services"], context


def test_killed_at_any_filesystem_step(scenario, tmp_path: Path):
    template, old, new, steps = scenario
    rng = random.Random(SEED)
    # Every step once before any twice: 10 runs cover the first 10 of a shuffled order.
    order = list(range(1, steps + 1))
    rng.shuffle(order)
    kill_points = [order[i % steps] for i in range(RUNS)]
    outcomes = {"old": 0, "new": 0}
    for run, step in enumerate(kill_points):
        project = tmp_path / f"run-{run}"
        shutil.copytree(template, project, symlinks=True)
        context = f"seed {SEED}, run {run}, killed at step {step} of {steps}"
        assert run_compile(project, fault=f"{step}:kill") == -signal.SIGKILL, context
        outcomes["new" if existing_files(project / "rendered") == new else "old"] += 1
        check_after_kill(project, old, new, rng, context)
        shutil.rmtree(project)
    print(f"kill test: {steps} steps, outcomes {outcomes}")
    assert sum(outcomes.values()) == RUNS


def test_killed_after_a_random_delay(scenario, tmp_path: Path):
    template, old, new, _ = scenario
    rng = random.Random(SEED + 1)
    timing = tmp_path / "timing"
    shutil.copytree(template, timing, symlinks=True)
    started = time.monotonic()
    assert run_compile(timing) == 0  # an uninterrupted run: how long one takes on this machine
    duration = time.monotonic() - started
    for run in range(max(1, RUNS // 2)):
        project = tmp_path / f"run-{run}"
        shutil.copytree(template, project, symlinks=True)
        delay = rng.uniform(0.5, 1.0) * duration  # the write is the end of the run
        code = run_compile(project, delay=delay)
        assert code in (-signal.SIGKILL, 0), code
        check_after_kill(project, old, new, rng, f"seed {SEED + 1}, run {run}, killed after {delay:.3f} s of {duration:.3f}")
        shutil.rmtree(project)
