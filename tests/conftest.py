"""Shared fixtures: no network, the shared reference data, golden-file updates."""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_CRDS = SHARED / "crds"

needs_shared = pytest.mark.skipif(not SHARED_CRDS.is_dir(), reason=f"reference CRDs not found at {SHARED_CRDS} (../shared beside the repository)")


def pytest_configure(config: pytest.Config) -> None:
    # Session-scoped fixtures compile before any test's own key is set: never the user's key.
    os.environ["INFERPLANE_CACHE_KEY_FILE"] = str(Path(tempfile.mkdtemp(prefix="inferplane-test-key-")) / "key")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False, help="rewrite expected/ golden files from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests make no network call: any attempt fails loudly."""

    def refuse(*_args, **_kwargs):
        raise RuntimeError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(autouse=True)
def _own_build_cache_key(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each test signs build records with its own key (commands/build_cache.py): a record another
    test (or the developer's own runs) wrote in a shared folder such as examples/ never hits."""
    monkeypatch.setenv("INFERPLANE_CACHE_KEY_FILE", str(tmp_path_factory.mktemp("cache-key") / "key"))
