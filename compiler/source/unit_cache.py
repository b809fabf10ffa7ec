"""Each service's plans for one environment, by the content of what they are made from.

Planning (resolve, model check, service rules, lowering) is the largest stage of a compile after
parsing (docs/performance.md): 1.5 s of CPU for 1,000 services × 3 environments. What it returns for
one (service, environment) — the diagnostics and the `ServicePlan`s — depends on the service's
document, its overlay in that environment, the environment's document, the repository prefix (the
GitOps paths), the project root (the source names in headers), the input limits and the compiler's
own code; a rule reads no other service (rules that compare services run over the emitted manifests
of the whole environment, after this stage, every time). So the pair is kept under the sha256 of
exactly those: each document by the path it is shown as, its index in its file and the key of the
bytes parsed there (source/parse_cache.py — the bytes this run read, not a second read that could
see a newer file), and a later run with the same key unpickles it instead.

The file (`.inferplane-cache/units.pickle`) is a `SignedPickleStore`: signed with the machine-local
key and never unpickled otherwise, each entry unpickled afresh per use, saved after a run without
errors holding only the entries that run used. A document read without the parse cache (whose
bytes are therefore unknown here) has no key: its service is planned afresh.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
from pathlib import Path
from typing import Any

from .fingerprint import KEY_FILE_ENV
from .parse_cache import ParseCache, SignedPickleStore
from .yaml_io import LoadedDocument, dump

FILE = "units.pickle"
FORMAT = b"inferplane-units-1"


class UnitCache(SignedPickleStore):
    def __init__(self, folder: Path, parsed: ParseCache, root: Path, prefix: str) -> None:
        super().__init__(folder / FILE, FORMAT)
        self._parsed = parsed
        settings = sorted((name, value) for name, value in os.environ.items() if name.startswith("INFERPLANE_") and name != KEY_FILE_ENV)
        self._context = repr((str(root), str(root.resolve()), os.getcwd(), prefix, settings))

    def _document(self, doc: LoadedDocument | None) -> str | None:
        if doc is None:
            return "-"
        read = self._parsed.read.get(doc.path)
        return None if read is None else f"{doc.path}\0{doc.index}\0{read}"

    def key(self, env_name: str, env_doc: LoadedDocument, service_doc: LoadedDocument, overlay: LoadedDocument | None) -> str | None:
        """The key of one (service, environment), or None when a document's bytes are not known."""
        parts = [self._document(doc) for doc in (env_doc, service_doc, overlay)]
        if None in parts:
            return None
        return self.digest("plan", env_name, self._context, *parts)  # type: ignore[arg-type]

    def lookup(self, key: str | None) -> Any:
        return None if key is None else self.get(key)

    def remember(self, key: str | None, value: Any) -> None:
        if key is not None:
            self.put(key, value)


RENDERED_FILE = "rendered.pickle"
RENDERED_FORMAT = b"inferplane-rendered-1"


class RenderedText(SignedPickleStore):
    """Each manifest body's YAML text (yaml_io.dump, a quarter of a compile), by the body itself:
    the key is the sha256 of the body pickled without its memo, which spells out every mapping's
    keys in order and every value with its exact type — two bodies with one key are the same data,
    and dump reads nothing else (its own code is in the fingerprint)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / RENDERED_FILE, RENDERED_FORMAT)

    def dump(self, body: Any) -> str:
        stream = io.BytesIO()
        pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.fast = True  # no memo: equal bodies pickle alike whatever objects they share
        pickler.dump(body)
        key = hashlib.sha256(stream.getvalue()).hexdigest()
        text = self.get(key)
        if not isinstance(text, str):
            text = dump(body)
            self.put(key, text)
        return text


BUDGETS_FILE = "budgets.pickle"
BUDGETS_FORMAT = b"inferplane-budgets-1"
BUDGETS_KEPT = 32  # the budgets of recent input states: a diff's base is usually one of them


class BudgetCache(SignedPickleStore):
    """Each environment's GPU budget by git's ids of the input folders (source/git_trees.py): a
    compile records its own; `diff` finds its base commit's there instead of extracting the
    commit and planning every service again. The budget depends on the specs' content only (no
    path appears in it), on the input limits and on the compiler (in the fingerprint)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / BUDGETS_FILE, BUDGETS_FORMAT)
        self._settings = repr(sorted((name, value) for name, value in os.environ.items() if name.startswith("INFERPLANE_") and name != KEY_FILE_ENV))

    def key(self, trees: tuple[tuple[str, str], ...], env_names: list[str] | None) -> str:
        return self.digest("budgets", repr(trees), repr(None if env_names is None else sorted(env_names)), self._settings)

    def save(self, keep: int = BUDGETS_KEPT) -> None:
        super().save(keep)


TEXTS_FILE = "diff-parsed.pickle"
TEXTS_FORMAT = b"inferplane-diff-parsed-1"


class ParsedTexts(SignedPickleStore):
    """The documents of each rendered text `diff` reads (diff/load.py), by the text itself: both
    sides of a diff, run after run, are mostly the same texts. What the loader makes of a text
    depends on the text, the input limits and the loader's code (in the fingerprint)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder / TEXTS_FILE, TEXTS_FORMAT)
        self._settings = repr(sorted((name, value) for name, value in os.environ.items() if name.startswith("INFERPLANE_") and name != KEY_FILE_ENV))

    def key(self, text: str) -> str:
        return self.digest("text", self._settings, text.encode("utf-8", "surrogatepass"))
