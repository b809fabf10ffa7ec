"""What the writer refuses before it touches the disk: any output path that would land outside
`rendered/<entry>/`.

Names are checked long before (spec/names.py: namespaces and object names are DNS names), so a
refusal here means something got past those checks — a patch that renames an object, a symbolic
link committed into the tree, a `rendered/` that is itself a link. Defence in depth: the writer
holds the line whatever produced the file map. Nothing is followed and nothing is written; each
refusal is one `OUT-PATH` line.
"""

from __future__ import annotations

import os
from pathlib import Path

from .. import upstream
from ..emit.manifest import Manifest
from ..errors import Diagnostic, Location
from ..source.load import display_path

OUT_PATH = "OUT-PATH"
def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _first_link(base: Path, name: str) -> Path:
    """The first component of base/name that is a symbolic link (base/name itself if none is)."""
    current = base
    for part in name.split("/"):
        current = current / part
        if current.is_symlink():
            return current
    return current


def refused_paths(rendered: Path, entries: dict[str, dict[str, bytes]]) -> list[Diagnostic]:
    """One OUT-PATH diagnostic per output path (or per symbolic link) that would take a write
    outside rendered/<entry>/; empty when every path stays inside."""
    shown = display_path(rendered)
    if rendered.is_symlink():
        return [
            Diagnostic(
                OUT_PATH,
                f"{shown}/ is a symbolic link (to {os.readlink(rendered)}): the rendered tree would be written wherever it points",
                f"replace the link with a real folder: `rm {shown} && mkdir {shown}` (compile writes only inside the project)",
                Location(shown),
            )
        ]
    if rendered.exists() and not rendered.is_dir():
        return [Diagnostic(OUT_PATH, f"{shown} is a file, not the folder of the rendered tree", f"move the file away; compile writes the tree into {shown}/", Location(shown))]
    real_root = os.path.realpath(rendered)
    found: list[Diagnostic] = []
    for entry, files in sorted(entries.items()):
        if not upstream.is_one_path_segment(entry) or entry.startswith("."):
            found.append(Diagnostic(OUT_PATH, f"output folder {entry!r} is not one folder name", "this is a bug in Inferplane: please report it with the command you ran", Location(f"{shown}/{entry}")))
            continue
        found.extend(_refused_files(rendered, entry, files, real_root, shown))
    return found


def _refused_files(rendered: Path, entry: str, files: dict[str, bytes], real_root: str, shown: str) -> list[Diagnostic]:
    top = os.path.join(real_root, entry)
    folders = {name.rsplit("/", 1)[0] for name in files if "/" in name}
    folders |= {folder.rsplit("/", i)[0] for folder in folders for i in range(folder.count("/") + 1)}
    found: list[Diagnostic] = []
    links: dict[Path, None] = {}  # the links to report, in order, once each
    for name in sorted(files):
        where = Location(f"{shown}/{entry}/{name}")
        if name.startswith("/") or not all(upstream.is_one_path_segment(part) for part in name.split("/")):
            found.append(
                Diagnostic(
                    OUT_PATH,
                    f"output path {name!r} leaves {shown}/{entry}/ (absolute, empty or '..' parts)",
                    "an object's namespace or name is not a DNS name: check the overlay patches that set metadata.namespace or metadata.name",
                    where,
                )
            )
        elif name in folders:
            found.append(Diagnostic(OUT_PATH, f"output path {name!r} is both a file and a folder", "two objects' names collide: rename one of them", where))
        else:
            resolved = os.path.realpath(os.path.join(rendered, entry, name))
            if not _inside(resolved, top):
                links.setdefault(_first_link(rendered, f"{entry}/{name}"))
    for link in links:
        found.append(
            Diagnostic(
                OUT_PATH,
                f"{display_path(link)} is a symbolic link (to {os.readlink(link)}): writing through it would leave {shown}/{entry}/",
                f"delete the link ({shown}/ holds only what compile writes: real folders and files)",
                Location(display_path(link)),
            )
        )
    return found


def unsafe_identities(manifests: list[Manifest]) -> list[Diagnostic]:
    """Objects whose namespace or name a patch made into something that is no name: located at the
    patch line that set it (the writer would refuse the path too, but only by the output path).

    A namespace is a DNS label (apimachinery IsDNS1123Label); a name, whatever the kind, is at
    least a path segment (pkg/api/validation/path IsValidPathSegmentName: not `.` or `..`, no `/`
    or `%`), which is all the API server asks of every kind; schemas check the stricter per-kind
    rules."""
    found = []
    for manifest in manifests:
        metadata = manifest.body.get("metadata") or {}
        namespace, name = metadata.get("namespace"), metadata.get("name")
        problems = []
        if isinstance(namespace, str) and (problem := upstream.dns1123_problem(namespace)):
            problems.append(("/metadata/namespace", f"namespace {problem}", upstream.dns1123_hint(namespace)))
        if isinstance(name, str) and (not upstream.is_one_path_segment(name) or "%" in name):
            problems.append(("/metadata/name", f"name {name!r} is not a name but a path", upstream.dns1123_hint(name, subdomain=True)))
        for pointer, message, hint in problems:
            where = manifest.origin_of(pointer) or Location(f"rendered/{manifest.file_name}")
            found.append(Diagnostic("SPEC-NAME", f"{manifest.kind} {manifest.name!r}: {message}", hint, where, key_path=("metadata", pointer.rsplit("/", 1)[1])))
    return found
