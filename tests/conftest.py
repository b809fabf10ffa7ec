"""Shared fixtures: no network, the shared reference data, golden-file updates."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_CRDS = SHARED / "crds"

needs_shared = pytest.mark.skipif(not SHARED_CRDS.is_dir(), reason=f"reference CRDs not found at {SHARED_CRDS} (../shared beside the repository)")


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
