"""Container image references: parse, normalise as Docker does, rewrite to a mirror.

The grammar is distribution/reference's (regexp.go), ported whole: `kserve/sk learn:1`,
`foo//bar` and upper-case hex in a digest are refused, as containerd and the kubelet refuse them.
`kserve/sklearnserver:v0.15.2` means `docker.io/kserve/sklearnserver:v0.15.2`, and `busybox`
means `docker.io/library/busybox` (distribution/reference ParseNormalizedNamed). A mirror prefix
keeps the upstream registry in the path, `registry.internal/mirror/docker.io/kserve/sklearnserver`,
which is where `skopeo sync --scoped` puts images: no two upstreams collide, and the upstream
reference can be read back from the mirrored one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

DOCKER_HUB = "docker.io"
_LEGACY_DOCKER_HUB = "index.docker.io"
NAME_TOTAL_LENGTH_MAX = 255

# distribution/reference's grammar (regexp.go, v0.6), with Go's ASCII-only \w spelled out:
#   reference := name [ ":" tag ] [ "@" digest ]
#   name      := [domain '/'] remote-name
#   domain    := host [':' port-number];  host := domain-name | '[' IPv6 ']'
#   remote-name := path-component ['/' path-component]*
#   path-component := [a-z0-9]+ (separator [a-z0-9]+)*;  separator := [._] | __ | [-]+
_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = rf"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_NAME = rf"(?:{_DOMAIN}/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_TAG_PATTERN = r"[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}"
_DIGEST_PATTERN = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"
_REFERENCE = re.compile(rf"({_NAME})(?::({_TAG_PATTERN}))?(?:@({_DIGEST_PATTERN}))?")
_TAG = re.compile(_TAG_PATTERN)
# go-digest: the algorithms it registers, each with its exact length of lower-case hex.
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}
_LOWER_HEX = re.compile(r"[a-f0-9]+")
_IDENTIFIER = re.compile(r"[a-f0-9]{64}")  # ParseNormalizedNamed refuses a bare image ID as a name


@dataclass(frozen=True)
class ImageReference:
    registry: str  # docker.io, nvcr.io, registry.internal:5000
    repository: str  # kserve/sklearnserver, library/busybox
    tag: str | None = None
    digest: str | None = None  # sha256:...

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"

    @property
    def pinned(self) -> bool:
        """Pinned by digest: the bytes cannot change under the reference."""
        return self.digest is not None

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


class InvalidReference(ValueError):
    pass


def _is_registry(component: str) -> bool:
    # splitDockerDomain: a first component with a dot, a port or an upper-case letter, or localhost.
    return "." in component or ":" in component or component == "localhost" or component != component.lower()


def _check_digest(text: str, digest: str) -> None:
    algorithm, _, hex_part = digest.partition(":")
    length = _DIGEST_HEX_LENGTH.get(algorithm)
    if length is None:
        raise InvalidReference(f"{text!r}: {algorithm!r} is not a supported digest algorithm (sha256, sha384 or sha512)")
    if len(hex_part) != length or not _LOWER_HEX.fullmatch(hex_part):
        raise InvalidReference(f"{text!r}: a {algorithm} digest is {length} lower-case hex digits")


def parse(text: str) -> ImageReference:
    """Parse an image reference as distribution/reference's ParseNormalizedNamed does, filling in
    Docker Hub's implicit registry and `library/`."""
    if not text:
        raise InvalidReference("an image reference cannot be empty")
    if _IDENTIFIER.fullmatch(text):
        raise InvalidReference(f"{text!r}: a 64-hex-digit image ID is not a repository name")
    match = _REFERENCE.fullmatch(text)
    if match is None:
        if _REFERENCE.fullmatch(text.lower()):
            raise InvalidReference(f"{text!r}: repository names are lower case")
        raise InvalidReference(f"{text!r} is not an image reference ([registry/]path[:tag][@digest], path components of a-z and 0-9 joined by one '.', '_', '__' or dashes)")
    name, tag, digest = match.groups()
    if digest is not None:
        _check_digest(text, digest)
    first, _, rest = name.partition("/")
    if rest and _is_registry(first):
        registry, repository = (DOCKER_HUB if first == _LEGACY_DOCKER_HUB else first), rest
    else:
        registry, repository = DOCKER_HUB, name
    if repository != repository.lower():
        raise InvalidReference(f"{text!r}: repository names are lower case")
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    # ParseNormalizedNamed parses the normalised name again: the limit counts docker.io/library/.
    if len(registry) + 1 + len(repository) > NAME_TOTAL_LENGTH_MAX:
        raise InvalidReference(f"{text!r}: the repository name is longer than {NAME_TOTAL_LENGTH_MAX} characters")
    return ImageReference(registry, repository, tag, digest)


def with_tag(reference: str, tag: str) -> str:
    """The reference with its tag replaced (or added), as KServe's UpdateImageTag does for runtimeVersion.

    A new tag means other bytes than a digest names, so the digest goes: KServe's own rewrite turns
    `repo@sha256:<hex>` into the invalid `repo@sha256:<tag>`, and keeping the old digest would run
    the old image under the new tag. Either way the result is an image by tag.
    """
    parsed = parse(reference)
    return str(ImageReference(parsed.registry, parsed.repository, tag, None))


def mirrored(reference: str, mirror: str | None) -> str:
    """The reference under the mirror prefix; unchanged without a mirror or when already mirrored."""
    if not mirror or reference.startswith(mirror + "/"):
        return reference
    return f"{mirror}/{parse(reference)}"


def upstream_of(reference: str, mirror: str | None) -> str | None:
    """The upstream reference a mirrored one copies, or None for an image that lives only in the
    mirror (pushed there directly, nothing to sync). Without a mirror, the reference itself."""
    if not mirror:
        return str(parse(reference))
    if not reference.startswith(mirror + "/"):
        return str(parse(reference))
    inner = reference[len(mirror) + 1 :]
    first = inner.split("/", 1)[0]
    if "/" not in inner or not _is_registry(first):
        return None
    return str(parse(inner))


def _checked(text: str) -> str:
    parse(text)  # InvalidReference is a ValueError: the spec reports it at the field's own line
    return text


# A spec field holding an image reference: refused at the spec's line, not in a rendered file.
ImageText = Annotated[
    str,
    AfterValidator(_checked),
    WithJsonSchema({"type": "string", "minLength": 1, "description": "Image reference: [registry/]path[:tag][@digest] (distribution/reference grammar)."}),
]
