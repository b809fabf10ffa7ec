"""A second opinion: run kubeconform (when installed) on the same files and list where it disagrees.

kubeconform cannot read CRD files, so the schemas we derived from CRDs are written to a temporary
folder in its `{group}/{kind}_{version}.json` layout and passed as a schema location after the
user's own locations. Where both tools give a verdict (valid or invalid) and the verdicts differ,
that is a disagreement worth a look: a difference in the schema engine, the YAML reader, or a kind
whose schema came from a different source. Resources kubeconform skipped or could not check are
counted apart, not reported as disagreements.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from .locations import normalized_kubernetes_version
from .model import ValidationReport
from .registry import SchemaRegistry
from .runner import manifest_files

_STATUS = {"statusValid": "valid", "statusInvalid": "invalid", "statusError": "error", "statusSkipped": "skipped", "VALID": "valid", "INVALID": "invalid", "ERROR": "error", "SKIPPED": "skipped"}


class KubeconformError(RuntimeError):
    pass


@dataclass(frozen=True)
class Verdict:
    file: str
    api_version: str
    kind: str
    name: str
    status: str
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.file, self.api_version, self.kind, self.name)


@dataclass(frozen=True)
class Disagreement:
    file: str
    api_version: str
    kind: str
    name: str
    ours: str
    theirs: str
    our_messages: tuple[str, ...]
    their_message: str


@dataclass
class SecondOpinion:
    disagreements: list[Disagreement] = field(default_factory=list)
    agreed: int = 0
    no_opinion: int = 0  # kubeconform skipped or could not check (no schema, parse error)

    @property
    def ok(self) -> bool:
        return not self.disagreements


def find_binary(binary: str | None = None) -> str | None:
    return shutil.which(binary or "kubeconform")


def _export_crd_schemas(registry: SchemaRegistry, report: ValidationReport, folder: Path) -> bool:
    written = False
    for api_version, kind in sorted({(r.api_version, r.kind) for r in report.resources if r.api_version and r.kind}):
        kind_schema = registry.lookup(api_version, kind)
        if kind_schema is None or not kind_schema.source.startswith("CRD "):
            continue
        group, _, version = api_version.rpartition("/")
        target = folder / group / f"{kind.lower()}_{version}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(kind_schema.schema, sort_keys=True), encoding="utf-8")
        written = True
    return written


def run_kubeconform(files: Sequence[str], locations: Iterable[str], kubernetes_version: str, binary: str) -> list[Verdict]:
    version = normalized_kubernetes_version(kubernetes_version)
    command = [binary, "-output", "json", "-verbose", "-strict", "-summary"]
    if version != "master":
        command += ["-kubernetes-version", version[1:]]
    for location in locations:
        command += ["-schema-location", location]
    completed = subprocess.run([*command, *files], capture_output=True, text=True, check=False)
    try:
        data = json.loads(completed.stdout or "{}")
    except ValueError as error:
        raise KubeconformError(f"kubeconform printed no JSON (exit {completed.returncode}): {completed.stderr.strip()[:500]}") from error
    verdicts = []
    for entry in data.get("resources") or []:
        verdicts.append(
            Verdict(entry.get("filename", ""), entry.get("version", ""), entry.get("kind", ""), entry.get("name", ""), _STATUS.get(entry.get("status", ""), "error"), entry.get("msg", ""))
        )
    return verdicts


def second_opinion(paths: Sequence[Path], registry: SchemaRegistry, report: ValidationReport, binary: str | None = None) -> SecondOpinion | None:
    """Compare report (ours, on these files and folders) with kubeconform's verdicts; None when kubeconform is not installed.

    Folders are expanded here, as validate_paths expands them, so both tools see the same files under
    the same names (and kubeconform is not handed kustomization.yaml).
    """
    found = find_binary(binary)
    if found is None:
        return None
    files = manifest_files(paths)
    with tempfile.TemporaryDirectory(prefix="inferplane-kubeconform-") as temp:
        locations = list(registry.schema_locations)
        if _export_crd_schemas(registry, report, Path(temp)):
            locations.append(str(Path(temp) / "{{.Group}}" / "{{.ResourceKind}}_{{.ResourceAPIVersion}}.json"))
        theirs = run_kubeconform([str(f) for f in files], locations or ["default"], registry.kubernetes_version, found)
    return compare(report, theirs)


def compare(report: ValidationReport, theirs: Iterable[Verdict]) -> SecondOpinion:
    messages: dict[tuple, list[str]] = {}
    for issue in report.issues:
        messages.setdefault((issue.file, issue.api_version, issue.kind, issue.name), []).append(f"{issue.pointer or '/'}: {issue.message}")
    ours = {(r.file, r.api_version, r.kind, r.name): r.status for r in report.resources}
    opinion = SecondOpinion()
    for verdict in sorted(theirs, key=lambda v: v.key):
        mine = ours.get(verdict.key)
        if verdict.status not in ("valid", "invalid") or mine not in ("valid", "invalid"):
            opinion.no_opinion += 1
        elif mine == verdict.status:
            opinion.agreed += 1
        else:
            opinion.disagreements.append(Disagreement(*verdict.key, mine, verdict.status, tuple(messages.get(verdict.key, ())), verdict.message))
    return opinion
