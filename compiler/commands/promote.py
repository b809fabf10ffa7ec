"""`inferplane promote`: move traffic between a service's versions by editing its weights in place.

Promotion is a reviewed one-line pull request, so the edit must leave everything else of the file
as it was. The file is read with the project's round-trip loader (comments, order, quoting kept);
a weight that is already written is replaced where it stands, character for character, so the diff
is exactly the weight line(s). Keys that do not exist yet (an overlay's first weights, a new
overlay file) are added through a ruamel round trip that keeps the file's indentation.

Pure parts: `new_weights` decides, `set_weights` edits text. `promote` is the file wrapper the CLI
calls; it raises UsageError (exit 2) for a service, environment or version named on the command
line that the project does not have, and InputError (one located line, exit 1) when the files make
the promotion impossible (no versions, weights that cannot add up to 100).
"""

from __future__ import annotations

import difflib
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from ..errors import Diagnostic, InputError, Location, sorted_unique, unknown_names
from ..source.load import display_path, load_project
from ..source.resolve import Layer, resolve_service
from ..source.yaml_io import round_trip_loader

RULE = "PROMOTE"


@dataclass(frozen=True)
class WeightChange:
    version: str
    old: int | None
    new: int


@dataclass(frozen=True)
class Promotion:
    path: Path
    text: str  # the file's new content
    changes: tuple[WeightChange, ...]
    created: bool  # the overlay file did not exist

    def summary(self) -> str:
        moves = ", ".join(f"{change.version} {change.old if change.old is not None else '-'} → {change.new}" for change in self.changes)
        return f"{display_path(self.path)}: {moves}" if moves else f"{display_path(self.path)}: weights already as asked"


class PromoteRefused(Exception):
    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


# ---------------------------------------------------------------- deciding


def new_weights(listed: list[tuple[str, int]], weight: int, version: str | None = None) -> dict[str, int]:
    """The weights after giving `version` (default: the newest, last listed) `weight` percent.

    Two versions: the other one gets the rest. More: the first (the stable one) takes up the
    difference, so the weights still sum to 100."""
    if not listed:
        raise PromoteRefused("the service lists no versions", "add `spec.versions` (see docs/traffic.md) before promoting")
    names = [name for name, _ in listed]
    target = version or names[-1]
    if target not in names:
        close = difflib.get_close_matches(target, names, n=1)
        raise PromoteRefused(f"unknown version {target!r}", f"did you mean {close[0]!r}?" if close else f"versions: {', '.join(names)}")
    if not 0 <= weight <= 100:
        raise PromoteRefused(f"weight {weight} is outside 0-100", "give a whole percent from 0 to 100")
    current = dict(listed)
    if len(listed) == 1:
        if weight != 100:
            raise PromoteRefused(f"{target} is the only version, so it takes all traffic", "add the next version to `spec.versions` first")
        return {target: 100}
    if len(listed) == 2:
        other = names[1] if target == names[0] else names[0]
        return {target: weight, other: 100 - weight}
    stable = names[0]
    if target == stable:
        raise PromoteRefused(f"with {len(listed)} versions the first, {stable}, takes up the difference", "promote one of the later versions")
    rest = sum(current[name] for name in names[1:] if name != target)
    if weight + rest > 100:
        raise PromoteRefused(f"{target} at {weight} and the other candidates at {rest} exceed 100", "lower another candidate first")
    return {**{name: current[name] for name in names}, target: weight, stable: 100 - weight - rest}


# ---------------------------------------------------------------- editing text

_NUMBER = re.compile(r"(?P<quote>['\"]?)(?P<digits>[+-]?\d+)(?P=quote)")


def _splice(lines: list[str], line: int, column: int, value: int) -> None:
    """Replace the number that starts at (line, column) (0-based), keeping any quotes."""
    text = lines[line]
    match = _NUMBER.match(text, column)
    if match is None:
        raise PromoteRefused(f"the weight at line {line + 1} is not a number", "write it as a whole number")
    lines[line] = text[: match.start("digits")] + str(value) + text[match.end("digits") :]


def _versions_node(document) -> CommentedSeq | None:
    spec = document.get("spec") if isinstance(document, CommentedMap) else None
    versions = spec.get("versions") if isinstance(spec, CommentedMap) else None
    return versions if isinstance(versions, CommentedSeq) else None


def _entries(versions: CommentedSeq | None) -> dict[str, CommentedMap]:
    return {entry["name"]: entry for entry in versions or [] if isinstance(entry, CommentedMap) and isinstance(entry.get("name"), str)}


def _in_place(text: str, document, weights: dict[str, int]) -> str | None:
    """The text with every weight replaced where it is written; None when a key is missing."""
    entries = _entries(_versions_node(document))
    if not all(name in entries and "weight" in entries[name] for name in weights):
        return None
    lines = text.splitlines(keepends=True)
    for name, weight in weights.items():
        line, column = entries[name].lc.value("weight")
        _splice(lines, line, column, weight)
    return "".join(lines)


def _mapping_indent(text: str) -> int:
    """How far a nested mapping key is indented under its parent (the first one found)."""
    previous = None
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if previous is not None and previous[1].endswith(":") and indent > previous[0] and not stripped.startswith("- "):
            return indent - previous[0]
        previous = (indent, stripped)
    return 2


def _restructured(text: str, documents: list, index: int, weights: dict[str, int]) -> str:
    """Add the missing `spec.versions` entries and weights with a round trip."""
    document = documents[index]
    if document is None:
        document = documents[index] = CommentedMap()
    spec = document.setdefault("spec", CommentedMap())
    versions = spec.get("versions")
    if not isinstance(versions, CommentedSeq):
        versions = spec["versions"] = CommentedSeq()
    entries = _entries(versions)
    for name, weight in weights.items():
        if name in entries:
            entries[name]["weight"] = weight
        else:
            entry = CommentedMap()
            entry["name"], entry["weight"] = name, weight
            versions.append(entry)
    yaml = round_trip_loader()
    mapping = _mapping_indent(text)
    _, sequence, offset = load_yaml_guess_indent(text)
    if offset is None or sequence is None or sequence < offset + 2:
        # No block sequence to learn from: dashes under their key, as the project's files write them.
        sequence, offset = mapping + 2, mapping
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    stream = io.StringIO()
    if len(documents) == 1:
        yaml.dump(documents[0], stream)
    else:
        yaml.explicit_start = text.lstrip().startswith("---")
        yaml.dump_all(documents, stream)
    return stream.getvalue()


def new_overlay(header: str, weights: dict[str, int]) -> str:
    """A new overlay file that sets only the versions' weights."""
    entries = "".join(f"    - name: {name}\n      weight: {weight}\n" for name, weight in weights.items())
    return f"{header}spec:\n  versions:\n{entries}"


def set_weights(text: str, weights: dict[str, int], index: int = 0) -> str:
    """`text` with document `index`'s spec.versions weights set (entries added when missing)."""
    documents = list(round_trip_loader().load_all(text)) or [None]
    if index >= len(documents):
        raise PromoteRefused(f"the file has no document {index + 1}")
    edited = _in_place(text, documents[index], weights)
    return edited if edited is not None else _restructured(text, documents, index, weights)


# ---------------------------------------------------------------- files


def _versions(layer: Layer) -> list[dict]:
    spec = layer.data.get("spec") if isinstance(layer.data, dict) else None
    versions = spec.get("versions") if isinstance(spec, dict) else None
    return [entry for entry in versions or [] if isinstance(entry, dict) and isinstance(entry.get("name"), str)]


def _listed(layer: Layer) -> list[tuple[str, int]]:
    """(version, weight) as the compiler reads them: a version without a weight takes the rest."""
    entries = _versions(layer)
    given = sum(int(entry["weight"]) for entry in entries if entry.get("weight") is not None)
    return [(entry["name"], int(entry["weight"]) if entry.get("weight") is not None else 100 - given) for entry in entries]


def _implicit(layer: Layer) -> set[str]:
    """Versions whose weight is left out: they follow the others, so their line never changes."""
    return {entry["name"] for entry in _versions(layer) if entry.get("weight") is None}


def _refused(refusal: PromoteRefused, location: Location) -> InputError:
    return InputError([Diagnostic(RULE, refusal.message, refusal.hint, location)])


def promote(root: Path, service: str, weight: int, version: str | None = None, env: str | None = None) -> Promotion:
    """Decide and render the edit; the caller writes `Promotion.text` to `Promotion.path`."""
    sources = load_project(root)
    # A file that did not load could be the one this edit rewrites (a refused overlay would be
    # replaced by a fresh one): nothing is decided on a project that does not load.
    load_errors = [d for d in sources.diagnostics if d.is_error]
    if load_errors:
        raise InputError(sorted_unique(load_errors))
    # Names given on the command line that the project lacks: the command is wrong, not a file.
    if service not in sources.services:
        raise unknown_names("service", [service], sources.services)
    document = sources.services[service]
    if env is not None and env not in sources.environments:
        raise unknown_names("environment", [env], sources.environments)
    overlay = sources.overlays.get((env, service)) if env else None
    defaults = Layer.of(sources.environments[env], ("spec", "defaults")) if env else None
    resolved = resolve_service(document, defaults, overlay)
    versions_at = resolved.locate(("spec", "versions"))
    listed = [name for name, _ in _listed(resolved)]
    if version is not None and listed and version not in listed:
        raise unknown_names("version", [version], listed, of=f"of {service}" + (f" in {env}" if env else ""))
    try:
        weights = new_weights(_listed(resolved), weight, version)
    except PromoteRefused as refusal:
        raise _refused(refusal, versions_at) from None
    current = dict(_listed(resolved))
    changes = tuple(WeightChange(name, current.get(name), value) for name, value in weights.items() if current.get(name) != value)
    if env is None:
        path, index = Path(document.path), document.index
    elif overlay is not None:
        path, index = Path(overlay.path), 0
    else:
        path, index = root / "overlays" / env / f"{service}.yaml", 0
    created = not path.is_file()
    implicit = _implicit(resolved)
    changed = {change.version: change.new for change in changes if change.version not in implicit}
    if created:
        header = f"# {service} in {env}: the traffic between its versions (inferplane promote).\n"
        return Promotion(path, new_overlay(header, changed), changes, created=True)
    text = path.read_text(encoding="utf-8")
    if not changed:
        return Promotion(path, text, (), created=False)
    try:
        new_text = set_weights(text, changed, index)
    except PromoteRefused as refusal:
        raise _refused(refusal, Location(display_path(path))) from None
    return Promotion(path, new_text, changes, created)


def write(promotion: Promotion) -> None:
    if not promotion.changes:
        return
    promotion.path.parent.mkdir(parents=True, exist_ok=True)
    promotion.path.write_text(promotion.text, encoding="utf-8")
