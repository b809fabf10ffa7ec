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


# distribution/reference's reference_test.go (TestReferenceParse), ported: input, then the name,
# tag and digest it parses to, or None where Parse fails. Names here are as Parse gives them; the
# expected normalised form adds Docker Hub and library/ as ParseNormalizedNamed does.
F64, F128 = "f" * 64, "f" * 128
REFERENCE_TABLE = [
    ("test_com", ("docker.io/library/test_com", None, None)),
    ("test.com:tag", ("docker.io/library/test.com", "tag", None)),
    ("test.com:5000", ("docker.io/library/test.com", "5000", None)),
    ("test.com/repo:tag", ("test.com/repo", "tag", None)),
    ("test:5000/repo", ("test:5000/repo", None, None)),
    ("test:5000/repo:tag", ("test:5000/repo", "tag", None)),
    (f"test:5000/repo@sha256:{F64}", ("test:5000/repo", None, f"sha256:{F64}")),
    (f"test:5000/repo:tag@sha256:{F64}", ("test:5000/repo", "tag", f"sha256:{F64}")),
    ("", None),
    (":justtag", None),
    (f"@sha256:{F64}", None),
    (f"validname@invaliddigest:{F64}", None),
    ("a/" * 128 + "a:tag", None),  # name too long
    # 255 characters for Parse, but ParseNormalizedNamed counts the docker.io/ it adds
    ("a/" * 127 + "a:tag-puts-this-over-max", None),
    ("a.io/" + "a/" * 124 + "aa:tag-puts-this-over-max", ("a.io/" + "a/" * 124 + "aa", "tag-puts-this-over-max", None)),  # 255
    ("a.io/" + "a/" * 124 + "aaa", None),  # 256
    ("aa/asdf$$^/aa", None),
    ("sub-dom1.foo.com/bar/baz/quux", ("sub-dom1.foo.com/bar/baz/quux", None, None)),
    ("sub-dom1.foo.com/bar/baz/quux:some-long-tag", ("sub-dom1.foo.com/bar/baz/quux", "some-long-tag", None)),
    ("b.gcr.io/test.example.com/my-app:test.example.com", ("b.gcr.io/test.example.com/my-app", "test.example.com", None)),
    ("xn--n3h.com/myimage:xn--n3h.com", ("xn--n3h.com/myimage", "xn--n3h.com", None)),
    (f"xn--7o8h.com/myimage:xn--7o8h.com@sha512:{F128}", ("xn--7o8h.com/myimage", "xn--7o8h.com", f"sha512:{F128}")),
    ("foo_bar.com:8080", ("docker.io/library/foo_bar.com", "8080", None)),
    ("foo/foo_bar.com:8080", ("docker.io/foo/foo_bar.com", "8080", None)),
    ("[2001:db8::1]:5000/repo", ("[2001:db8::1]:5000/repo", None, None)),
    ("[2001:db8::1]/repo:tag", ("[2001:db8::1]/repo", "tag", None)),
    ("Uppercase:tag", None),
    ("test:5000/Uppercase/lowercase:tag", None),
    ("lowercase:Uppercase", ("docker.io/library/lowercase", "Uppercase", None)),
    ("foo__bar/baz", ("docker.io/foo__bar/baz", None, None)),
    ("foo---bar/baz", ("docker.io/foo---bar/baz", None, None)),
    # and what the old parser let through
    ("kserve/sk learn:1", None),
    ("foo//bar", None),
    ("foo/bar/", None),
    ("foo..bar/baz:1", None),
    ("foo___bar", None),
    ("-foo/bar", None),
    (f"foo@sha256:{'F' * 64}", None),  # go-digest: lower-case hex only
    (f"foo@sha256:{'f' * 63}", None),  # and exactly 64 of them for sha256
    ("foo:" + "t" * 129, None),  # a tag is at most 128 characters
    (F64, None),  # a bare image ID
    ("index.docker.io/library/busybox", ("docker.io/library/busybox", None, None)),
]


@pytest.mark.parametrize(("text", "expected"), REFERENCE_TABLE)
def test_distribution_reference_table(text, expected):
    if expected is None:
        with pytest.raises(InvalidReference):
            parse(text)
        return
    parsed = parse(text)
    assert (parsed.name, parsed.tag, parsed.digest) == expected
