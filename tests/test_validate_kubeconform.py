"""The kubeconform second opinion, against a fake kubeconform placed on PATH."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from compiler.validate import SchemaRegistry, validate_paths
from compiler.validate.kubeconform import find_binary, second_opinion

# A stand-in that answers like `kubeconform -output json -verbose`: it calls every ConfigMap named
# "disputed" invalid, records its arguments, and lists every other resource as valid.
FAKE = r'''#!{python}
import json, sys, yaml
args = sys.argv[1:]
open({record!r}, "w").write(json.dumps(args))
files = [a for a in args if a.endswith(".yaml")]
out = []
for name in files:
    for doc in yaml.safe_load_all(open(name)):
        meta = doc.get("metadata", {{}})
        bad = meta.get("name") == "disputed"
        status = "statusInvalid" if bad else "statusValid"
        if doc.get("kind") == "Gadget":
            status = "statusSkipped"
        out.append({{"filename": name, "kind": doc["kind"], "name": meta.get("name", ""), "version": doc["apiVersion"],
                    "status": status, "msg": "problem validating schema" if bad else ""}})
print(json.dumps({{"resources": out, "summary": {{}}}}))
sys.exit(1 if any(r["status"] == "statusInvalid" for r in out) else 0)
'''


@pytest.fixture
def fake_kubeconform(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    record = tmp_path / "args.json"
    script = folder / "kubeconform"
    script.write_text(FAKE.format(python=sys.executable, record=str(record)), encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    return record


def configmap(name: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n"


def test_no_binary_no_opinion(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_binary() is None
    registry = SchemaRegistry("1.33")
    assert second_opinion([], registry, validate_paths([], registry)) is None


def test_disagreements_are_listed(tmp_path: Path, fake_kubeconform: Path):
    files = []
    for name in ("agreed", "disputed", "Bad_Name"):
        path = tmp_path / f"{name.lower()}.yaml"
        path.write_text(configmap(name), encoding="utf-8")
        files.append(path)
    gadget = tmp_path / "gadget.yaml"
    gadget.write_text("apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n", encoding="utf-8")
    files.append(gadget)
    registry = SchemaRegistry("1.33", schema_locations=[str(tmp_path) + "/{{.Group}}/{{.ResourceKind}}.json"])
    report = validate_paths(files, registry, ignore_missing_schemas=True)
    opinion = second_opinion(files, registry, report)
    assert opinion is not None and not opinion.ok
    found = [(Path(d.file).name, d.ours, d.theirs) for d in opinion.disagreements]
    assert found == [("bad_name.yaml", "invalid", "valid"), ("disputed.yaml", "valid", "invalid")]
    assert opinion.disagreements[0].our_messages[0].startswith("/metadata/name: ")
    assert opinion.disagreements[1].their_message == "problem validating schema"
    assert opinion.agreed == 1 and opinion.no_opinion == 1  # the Gadget: kubeconform skipped it

    args = json.loads(fake_kubeconform.read_text())
    assert args[:6] == ["-output", "json", "-verbose", "-strict", "-summary", "-kubernetes-version"]
    assert args[6] == "1.33.0"
    assert args[args.index("-schema-location") + 1].endswith("/{{.Group}}/{{.ResourceKind}}.json")
    assert [a for a in args if a.endswith(".yaml")] == [str(f) for f in files]


def test_folders_are_expanded_like_validate_paths(tmp_path: Path, fake_kubeconform: Path):
    (tmp_path / "tree" / "ns").mkdir(parents=True)
    (tmp_path / "tree" / "ns" / "a.yaml").write_text(configmap("a"), encoding="utf-8")
    (tmp_path / "tree" / "kustomization.yaml").write_text("resources: [ns/a.yaml]\n", encoding="utf-8")
    registry = SchemaRegistry("1.33")
    report = validate_paths([tmp_path / "tree"], registry)
    opinion = second_opinion([tmp_path / "tree"], registry, report)
    assert opinion is not None and opinion.ok and opinion.agreed == 1
    assert [a for a in json.loads(fake_kubeconform.read_text()) if a.endswith(".yaml")] == [str(tmp_path / "tree" / "ns" / "a.yaml")]
