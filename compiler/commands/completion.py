"""What shell completion offers: the project's environments and services, and every diagnostic ID.

Completion runs on every <Tab>, often in a half-edited project: it reads file names only (no YAML
parsing, no compile) and never fails — a missing folder completes nothing.
"""

from __future__ import annotations

from pathlib import Path

from ..source.load import YAML_SUFFIXES
from .explain import known_ids


def _stems(folder: Path) -> list[str]:
    try:
        return sorted({p.stem for p in folder.iterdir() if p.suffix in YAML_SUFFIXES and not p.name.startswith(".")})
    except OSError:
        return []


def environment_names(project: Path, prefix: str) -> list[str]:
    """environments/<name>.yaml: the names `--env` accepts (ENV-NAME keeps file and name equal)."""
    return [name for name in _stems(project / "environments") if name.startswith(prefix)]


def service_names(project: Path, prefix: str) -> list[str]:
    return [name for name in _stems(project / "services") if name.startswith(prefix)]


def diagnostic_id_names(prefix: str) -> list[str]:
    """IDs are upper case; `explain` accepts any case, so a lower-case prefix completes too."""
    return [name for name in known_ids() if name.startswith(prefix.upper())]
