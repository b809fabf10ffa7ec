import pytest

from compiler.spec.image_ref import InvalidReference, mirrored, parse, upstream_of, with_tag

DIGEST = "sha256:" + "a" * 64
MIRROR = "registry.internal/mirror"


@pytest.mark.parametrize(
    "reference, normalised",
    [
        ("busybox", "docker.io/library/busybox"),
        ("kserve/sklearnserver:v0.15.2", "docker.io/kserve/sklearnserver:v0.15.2"),
        ("nvcr.io/nvidia/tritonserver:23.05-py3", "nvcr.io/nvidia/tritonserver:23.05-py3"),
        ("localhost:5000/team/model:1", "localhost:5000/team/model:1"),
        (f"ghcr.io/acme/server:1@{DIGEST}", f"ghcr.io/acme/server:1@{DIGEST}"),
    ],
)
def test_parse_normalises_like_docker(reference, normalised):
    assert str(parse(reference)) == normalised


@pytest.mark.parametrize("reference", ["Acme/Server:1", "server:", "server@sha256:zz", "server:bad tag"])
def test_parse_rejects_what_a_registry_would(reference):
    with pytest.raises(InvalidReference):
        parse(reference)


def test_only_a_digest_pins():
    assert parse(f"ghcr.io/acme/server@{DIGEST}").pinned
    assert not parse("ghcr.io/acme/server:1").pinned


def test_mirror_keeps_the_upstream_registry_in_the_path_and_reads_it_back():
    rewritten = mirrored("kserve/sklearnserver:v0.16.0", MIRROR)
    assert rewritten == "registry.internal/mirror/docker.io/kserve/sklearnserver:v0.16.0"
    assert mirrored(rewritten, MIRROR) == rewritten  # idempotent
    assert upstream_of(rewritten, MIRROR) == "docker.io/kserve/sklearnserver:v0.16.0"
    assert upstream_of("registry.internal/mirror/team/model:1", MIRROR) is None  # pushed to the mirror directly
    assert mirrored("busybox", None) == "busybox"


def test_runtime_version_replaces_the_tag_and_drops_a_digest():
    assert with_tag("tensorflow/serving:2.6.2", "1.15.0-gpu") == "docker.io/tensorflow/serving:1.15.0-gpu"
    assert with_tag(f"kserve/sklearnserver@{DIGEST}", "v1") == "docker.io/kserve/sklearnserver:v1"
