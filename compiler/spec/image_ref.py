"""Container image references: parse, normalise as Docker does, rewrite to a mirror.

`kserve/sklearnserver:v0.15.2` means `docker.io/kserve/sklearnserver:v0.15.2`, and `busybox`
means `docker.io/library/busybox` (distribution/reference ParseNormalizedNamed). A mirror prefix
keeps the upstream registry in the path, `registry.internal/mirror/docker.io/kserve/sklearnserver`,
which is where `skopeo sync --scoped` puts images: no two upstreams collide, and the upstream
reference can be read back from the mirrored one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
_DIGEST = re.compile(r"^[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")


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
    # The rule of distribution/reference: a first component with a dot or a port, or localhost.
    return "." in component or ":" in component or component == "localhost"


def parse(text: str) -> ImageReference:
    """Parse an image reference, filling in Docker Hub's implicit registry and `library/`."""
    remainder, _, digest_text = text.partition("@")
    digest = digest_text or None
    if digest is not None and not _DIGEST.match(digest):
        raise InvalidReference(f"{text!r}: {digest!r} is not a digest (algorithm:hex)")
    last_slash = remainder.rfind("/")
    tag = None
    colon = remainder.rfind(":")
    if colon > last_slash:
        remainder, tag = remainder[:colon], remainder[colon + 1 :]
        if not _TAG.match(tag):
            raise InvalidReference(f"{text!r}: {tag!r} is not a valid tag")
    if not remainder or remainder != remainder.strip() or remainder.endswith("/"):
        raise InvalidReference(f"{text!r} is not an image reference")
    first, _, rest = remainder.partition("/")
    if rest and _is_registry(first):
        registry, repository = first, rest
    else:
        registry, repository = DOCKER_HUB, remainder
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    if repository != repository.lower():
        raise InvalidReference(f"{text!r}: repository names are lower case")
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
