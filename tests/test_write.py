from compiler.output.transaction import write_rendered
from compiler.output.write import compare, existing_files


def write_tree(folder, files):
    """One folder of rendered/ written alone (what `compile --env X` does)."""
    assert write_rendered(folder.parent, {folder.name: files}) == []


def test_write_tree_replaces_folder_exactly(tmp_path):
    folder = tmp_path / "rendered" / "prod"
    write_tree(folder, {"a.yaml": b"1", "ns/b.yaml": b"2"})
    write_tree(folder, {"ns/b.yaml": b"3"})
    assert existing_files(folder) == {"ns/b.yaml": b"3"}
    assert sorted(p.name for p in folder.parent.iterdir()) == ["prod"]
    assert sorted(p.name for p in folder.parent.parent.iterdir()) == ["rendered"]  # no staging or old tree left behind


def test_compare_names_changed_missing_and_extra(tmp_path):
    write_tree(tmp_path / "t", {"same": b"x", "changed": b"old", "extra": b"e"})
    staleness = compare(tmp_path / "t", {"same": b"x", "changed": b"new", "missing": b"m"})
    assert (staleness.changed, staleness.missing, staleness.extra) == (("changed",), ("missing",), ("extra",))
    assert staleness.stale


def test_compare_up_to_date(tmp_path):
    write_tree(tmp_path / "t", {"a": b"1"})
    assert not compare(tmp_path / "t", {"a": b"1"}).stale


def test_writing_no_files_removes_the_folder(tmp_path):
    write_tree(tmp_path / "t", {"a": b"1"})
    write_tree(tmp_path / "t", {})
    assert not (tmp_path / "t").exists()


def test_identical_objects_from_several_plans_are_kept_once():
    from compiler.emit.manifest import Manifest, deduplicate, duplicates

    account = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a", "namespace": "n"}}
    changed = {**account, "automountServiceAccountToken": False}
    kept = deduplicate([Manifest(account), Manifest(dict(account)), Manifest(changed)])
    assert [m.body for m in kept] == [account, changed]
    assert len(duplicates(kept)) == 1  # same identity, different bodies: still a clash to report
