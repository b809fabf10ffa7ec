"""The incremental build (source/unit_cache.py): with its caches warm, a
compile after any one edit writes and prints exactly what a cold `--no-cache` compile does, an
invalid edit still fails with its located error, and no entry this machine did not sign is read."""

from __future__ import annotations

import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler.source import fingerprint, unit_cache
from tests.conftest import REPO, SHARED, needs_shared
from tests.test_build_cache import CORRUPTIONS, CRD, EDITS, Compiles, _edit, _Planted, example, fleet, snapshot  # noqa: F401 - example, fleet: fixtures

CACHES = ("units.pickle", "rendered.pickle")


class Hits:
    """Counts what the unit cache answered: a test of the incremental path must see it taken."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.units = self.unit_misses = 0
        lookup = unit_cache.UnitCache.lookup

        def counted_lookup(store, key):
            found = lookup(store, key)
            self.units += found is not None
            self.unit_misses += found is None
            return found

        monkeypatch.setattr(unit_cache.UnitCache, "lookup", counted_lookup)


def _incremental_is_cold(project: Path, monkeypatch: pytest.MonkeyPatch, edit, *args: str, exit_code: int = 0, warm_with: tuple[str, ...] = ()) -> Hits:
    """Warm every cache (compiling with `warm_with`, else `args`), edit, compile through the
    caches; then the same inputs cold and cache-less: the same exit code, output and rendered bytes."""
    compiles = Compiles(project, monkeypatch)
    warm = compiles(*(warm_with or args))
    assert warm.exit_code == 0, warm.stderr
    assert all((project / ".inferplane-cache" / name).is_file() for name in CACHES)
    edit(project)
    before = snapshot(project / "rendered")
    hits = Hits(monkeypatch)
    incremental = compiles(*args)
    written = snapshot(project / "rendered")
    _restore(project / "rendered", before)  # the cold compile starts from the same tree
    cold = compiles(*args, "--no-cache")
    assert (incremental.exit_code, incremental.stdout, incremental.stderr) == (cold.exit_code, cold.stdout, cold.stderr)
    assert incremental.exit_code == exit_code, incremental.stderr
    if exit_code == 0:
        assert written == snapshot(project / "rendered")
    return hits


def _restore(folder: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)


def _set_environments(path: Path, names: str) -> None:
    _edit(path, "spec:\n", f"spec:\n  environments: [{names}]\n")


EXAMPLE_EDITS = {
    "service": lambda p: _edit(p / "services/sklearn-iris.yaml", "format: sklearn", "format: sklearn\n      runtimeVersion: \"1.3.2\""),
    "overlay": lambda p: _edit(p / "overlays/dev/sklearn-iris.yaml", "\n", "\n# an overlay's comment\n"),
    "environment": lambda p: _edit(p / "environments/staging.yaml", "\n", "\n# an environment's comment\n"),
    # A graph's step names sklearn-iris: leaving dev out of it breaks iris-pipeline's graph there.
    "service a graph names": lambda p: _set_environments(p / "services/sklearn-iris.yaml", "staging, prod"),
}


@needs_shared
@pytest.mark.parametrize("kind", list(EXAMPLE_EDITS))
def test_the_example_fleet_after_an_edit_is_what_a_cold_compile_writes(kind, example, monkeypatch):
    breaks = kind == "service a graph names"
    hits = _incremental_is_cold(example, monkeypatch, EXAMPLE_EDITS[kind], "--all", exit_code=1 if breaks else 0)
    assert hits.units > 0  # the unchanged services came from the cache
    if kind == "environment":
        assert hits.unit_misses >= len(list((example / "services").glob("*.yaml")))  # every service of staging planned again


def test_the_graph_s_error_is_reported_with_the_step_s_service_cached(example, monkeypatch):
    """iris-pipeline is unchanged (its plans come from the cache); the service its graph names left
    dev: GRAPH-XREF, an environment rule, still fires at the step."""
    _incremental_is_cold(example, monkeypatch, EXAMPLE_EDITS["service a graph names"], "--all", exit_code=1)
    result = Compiles(example, monkeypatch)("--all")
    assert "error[GRAPH-XREF]" in result.stderr and "services/iris-pipeline.yaml:" in result.stderr


@pytest.mark.parametrize("kind", [kind for kind in EDITS if kind != "crd named by the environment" or CRD.is_file()])
def test_a_generated_fleet_after_an_edit_is_what_a_cold_compile_writes(kind, fleet, monkeypatch):
    hits = _incremental_is_cold(fleet, monkeypatch, EDITS[kind], "--all")
    assert hits.units > 0


@needs_shared
def test_a_shared_ray_cluster_edit_is_what_a_cold_compile_writes(tmp_path, monkeypatch):
    project = tmp_path / "kuberay"
    shutil.copytree(REPO / "examples/kuberay-kserve", project)
    (tmp_path / "shared").symlink_to(SHARED)
    prod = project / "environments/prod.yaml"

    def edit(p: Path) -> None:
        _edit(p / "environments/prod.yaml", "          replicas: 2\n          maxReplicas: 2", "          replicas: 1\n          maxReplicas: 2")

    assert "replicas: 2\n          maxReplicas: 2" in prod.read_text()
    _incremental_is_cold(project, monkeypatch, edit, "--all")


@pytest.mark.parametrize("options", [pytest.param(("--env", "prod", "--strict"), marks=needs_shared), ("--env", "dev"), ("--all", "-o", "json")])
def test_other_options_over_the_same_caches_are_what_a_cold_compile_writes(options, fleet, monkeypatch):
    hits = _incremental_is_cold(fleet, monkeypatch, lambda p: None, *options, warm_with=("--all",))
    assert hits.units > 0


def test_a_changed_compiler_misses_every_entry(tmp_path, monkeypatch, fleet):
    copy = tmp_path / "compiler"
    shutil.copytree(Path(unit_cache.__file__).parents[1], copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "_COMPILER", copy)

    def edit(_project: Path) -> None:
        emitter = copy / "emit" / "kserve.py"
        emitter.write_text(emitter.read_text() + "\n# a changed emitter\n")

    hits = _incremental_is_cold(fleet, monkeypatch, edit, "--all")
    assert (hits.units, hits.unit_misses > 0) == (0, True)


def test_an_invalid_edit_fails_with_its_located_error_and_writes_nothing(fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    assert compiles("--all").exit_code == 0
    tree, caches = snapshot(fleet / "rendered"), {name: (fleet / ".inferplane-cache" / name).read_bytes() for name in CACHES}
    _edit(fleet / "services/svc-2.yaml", "maxReplicas: 6", "maxReplicas: -6")
    failed = compiles("--all")
    cold = compiles("--all", "--no-cache")
    assert (failed.exit_code, failed.stderr) == (1, cold.stderr)
    assert "services/svc-2.yaml:" in failed.stderr and "error[" in failed.stderr
    assert snapshot(fleet / "rendered") == tree
    assert {name: (fleet / ".inferplane-cache" / name).read_bytes() for name in CACHES} == caches


@pytest.mark.parametrize("name", CACHES + ("budgets.pickle",))
def test_a_planted_entry_is_never_unpickled(name, fleet, monkeypatch, tmp_path):
    marker = tmp_path / "planted-code-ran"
    compiles = Compiles(fleet, monkeypatch)
    cold = compiles("--all", "--no-cache")
    tree = snapshot(fleet / "rendered")
    planted = fleet / ".inferplane-cache" / name
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_bytes(fingerprint.signed(b"k" * 32, pickle.dumps({"any": pickle.dumps(_Planted(str(marker)))})))
    result = compiles("--all")
    assert not marker.exists()
    assert (result.exit_code, result.stdout, result.stderr) == (0, cold.stdout, cold.stderr)
    assert snapshot(fleet / "rendered") == tree


@pytest.mark.parametrize("how", list(CORRUPTIONS))
def test_a_corrupted_cache_is_ignored_and_rebuilt(how, fleet, monkeypatch):
    compiles = Compiles(fleet, monkeypatch)
    cold = compiles("--all", "--no-cache")
    tree = snapshot(fleet / "rendered")
    compiles("--all")
    shutil.rmtree(fleet / ".inferplane-cache" / "build")
    for name in CACHES:
        cached = fleet / ".inferplane-cache" / name
        cached.write_bytes(CORRUPTIONS[how](cached.read_bytes()))
    result = compiles("--all")
    assert (result.exit_code, result.stdout, result.stderr) == (0, cold.stdout, cold.stderr)
    assert snapshot(fleet / "rendered") == tree
    assert all(fingerprint.verified(fingerprint.signing_key(), (fleet / ".inferplane-cache" / name).read_bytes()) is not None for name in CACHES)


def test_an_entry_of_another_key_with_a_true_key_is_not_served(fleet, monkeypatch):
    """A pull request that knows an entry's key (the inputs are public) plants a wrong value under
    it: not signed by this machine, so never read."""
    compiles = Compiles(fleet, monkeypatch)
    compiles("--all")
    shutil.rmtree(fleet / ".inferplane-cache" / "build")
    path = fleet / ".inferplane-cache" / "rendered.pickle"
    entries = pickle.loads(fingerprint.verified(fingerprint.signing_key(), path.read_bytes()))
    path.write_bytes(fingerprint.signed(b"k" * 32, pickle.dumps({key: pickle.dumps("kind: Planted\n") for key in entries})))
    tree = snapshot(fleet / "rendered")
    assert compiles("--all").exit_code == 0
    assert snapshot(fleet / "rendered") == tree


@needs_shared  # without the shared CRD the injected kill is not reached (to investigate; see the session note)
def test_killed_while_writing_a_cache_leaves_a_usable_state(fleet, monkeypatch):
    code = (
        "import os\n"
        "from compiler.source import parse_cache\n"
        "def killed(path, data):\n"
        "    if path.name == 'units.pickle':\n"
        "        import io\n"
        "        if not isinstance(data, bytes):\n"
        "            out = io.BytesIO()\n"
        "            data(out)\n"
        "            data = out.getvalue()\n"
        "        path.with_name('.units.pickle.partial').write_bytes(data[: len(data) // 2])\n"
        "        os._exit(137)\n"
        "parse_cache.write_atomic = killed\n"
        "from compiler.cli import main\n"
        f"main(['-C', {str(fleet)!r}, 'compile', '--all', '-q'])\n"
    )
    killed = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True)
    assert killed.returncode == 137
    assert not (fleet / ".inferplane-cache" / "units.pickle").exists()
    hits = Hits(monkeypatch)
    compiles = Compiles(fleet, monkeypatch)
    assert compiles("--all", "-q").exit_code == 0
    assert (fleet / ".inferplane-cache" / "units.pickle").is_file()
    shutil.rmtree(fleet / ".inferplane-cache" / "build")
    shutil.rmtree(fleet / "rendered")
    assert compiles("--all", "-q").exit_code == 0
    assert hits.units > 0
    assert compiles("--all", "--check", "--no-cache").stdout == "rendered tree is up to date\n"


# ---------------------------------------------------------------- diff


def _git(repo: Path, *args: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    return subprocess.run(["git", "-C", str(repo), *identity, *args], check=True, capture_output=True, text=True).stdout


def test_git_s_folder_ids_computed_from_disk_equal_the_committed_ones(fleet):
    from compiler.source.git_trees import commit_ids, worktree_ids

    (fleet / "services/run.sh").write_text("#!/bin/sh\n")
    (fleet / "services/run.sh").chmod(0o755)
    (fleet / "overlays/dev/link.yaml").symlink_to("svc-0.yaml")
    (fleet / "resources/empty").mkdir()  # git stores no empty folder
    _git(fleet, "init", "-q")
    _git(fleet, "add", "services", "environments", "overlays", "resources")
    _git(fleet, "commit", "-qm", "inputs")
    assert worktree_ids(fleet) == commit_ids(fleet, "HEAD", "")
    assert dict(worktree_ids(fleet))["resources"] != "absent"
    _edit(fleet / "overlays/dev/svc-0.yaml", "minReplicas: 0", "minReplicas: 1")
    changed = dict(worktree_ids(fleet))
    committed = dict(commit_ids(fleet, "HEAD", ""))
    assert [name for name in changed if changed[name] != committed[name]] == ["overlays"]


def _diff(project: Path) -> str:
    from click.testing import CliRunner

    from compiler.cli import main

    result = CliRunner().invoke(main, ["-C", str(project), "diff", "--base", "HEAD", "-o", "markdown"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_the_base_s_gpu_budget_comes_from_a_compile_of_the_same_inputs(fleet, monkeypatch):
    """A compile of the committed inputs recorded its GPU budget; diff's base finds it there and
    never extracts the commit — and says exactly what the extracted commit says."""
    from compiler.commands import review

    assert "gpu: {class: t4" in "".join(p.read_text() for p in (fleet / "services").glob("*.yaml"))  # a budget to compare
    compiles = Compiles(fleet, monkeypatch)
    assert compiles("--all").exit_code == 0
    _git(fleet, "init", "-q")
    _git(fleet, "add", "-A")
    _git(fleet, "commit", "-qm", "base")
    _edit(fleet / "services/svc-1.yaml", "maxReplicas: 10", "maxReplicas: 12")  # a GPU service: the budget moves
    extracted = []
    real = review._at_commit
    monkeypatch.setattr(review, "_at_commit", lambda *args: extracted.append(1) or real(*args))
    cold_cache = fleet.parent / "no-cache"
    shutil.move(fleet / ".inferplane-cache", cold_cache)
    planned = _diff(fleet)
    assert extracted == [1]
    shutil.rmtree(fleet / ".inferplane-cache")
    shutil.move(cold_cache, fleet / ".inferplane-cache")
    assert _diff(fleet) == planned
    assert extracted == [1]  # the recorded budget: no extraction
    assert "svc-1" in planned and "GPU budget" in planned


def test_a_budget_is_not_recorded_when_an_input_changes_during_the_compile(fleet, monkeypatch):
    from compiler import pipeline

    real = pipeline.worktree_ids
    calls = []

    def edited_after_reading(root):
        calls.append(1)
        if len(calls) == 2:
            _edit(root / "services/svc-2.yaml", "maxReplicas: 6", "maxReplicas: 7")
        return real(root)

    monkeypatch.setattr(pipeline, "worktree_ids", edited_after_reading)
    assert Compiles(fleet, monkeypatch)("--all").exit_code == 0
    assert len(calls) == 2
    assert not (fleet / ".inferplane-cache" / "budgets.pickle").exists()


# ---------------------------------------------------------------- XREF-01's selector index


def _pods(*label_sets: dict):
    from compiler.emit.references import _Tree

    tree = _Tree([])
    tree.pod_labels["ml"] = list(label_sets)
    return tree


@pytest.mark.parametrize(
    ("wanted", "selected"),
    [
        ({"app": "a", "tier": "web"}, True),
        ({"app": "a", "tier": "db"}, False),  # the first pair matches, not the second
        ({"tier": "web"}, True),
        ({"app": "c"}, False),
        ({"zone": None}, True),  # a missing label equals None: every set holds it
        ({"app": None}, False),
        ({"app": ["a"]}, False),  # unhashable: compared set by set, equal to none
        ({"port": 1}, True),  # 1 == True == 1.0, as the comparison set by set says
        ({"port": 1.0}, True),
        ({"port": float("nan")}, False),
    ],
)
def test_a_selector_selects_exactly_the_sets_that_hold_it(wanted, selected):
    tree = _pods({"app": "a", "tier": "web", "port": True}, {"app": "b", "tier": "db", "bad": ["x"]})
    assert tree.selects_pods("ml", wanted) is selected
    linear = any(all(labels.get(k) == v for k, v in wanted.items()) for labels in tree.pod_labels["ml"])
    assert linear is selected
    assert tree.selects_pods("other", wanted) is False
