"""Image references and platforms, spelled the way Docker spells them.

A familiar name is what `docker images` shows (`app:latest`,
`example.com/x/y:1`); a full name is what containerd stores: Docker's default
domain and `library/` added (DEFAULT_DOMAIN, a constant of Docker's reference
grammar, distribution/reference `normalize.go`).

>>> familiar(full("app")), full("app") == DEFAULT_DOMAIN + "/library/app:latest"
('app:latest', True)
>>> split_tag("localhost:5000/app")
('localhost:5000/app', 'latest')
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import FormatError

DEFAULT_TAG = "latest"
DEFAULT_DOMAIN = "docker" + ".io"  # Docker's default domain: part of its reference grammar, never contacted


def split_tag(ref: str) -> tuple[str, str]:
    """(name, tag) of a reference; the tag defaults to 'latest' (a ':' after the last '/' starts it)."""
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    if colon > slash:
        return ref[:colon], ref[colon + 1:]
    return ref, DEFAULT_TAG


def full(ref: str) -> str:
    """The fully qualified reference: registry and 'library/' added as Docker adds them."""
    name, tag = split_tag(ref)
    first, _, rest = name.partition("/")
    if not rest:
        name = f"{DEFAULT_DOMAIN}/library/{name}"
    elif not ("." in first or ":" in first or first == "localhost"):
        name = f"{DEFAULT_DOMAIN}/{name}"
    return f"{name}:{tag}"


def familiar(ref: str) -> str:
    """The short form `docker images` prints: the default domain and library/ dropped.

    >>> familiar(full("me/app:1")), familiar("localhost/app:latest")
    ('me/app:1', 'localhost/app:latest')
    """
    name, tag = split_tag(ref)
    if name.startswith(DEFAULT_DOMAIN + "/"):
        name = name[len(DEFAULT_DOMAIN) + 1:]
        if name.startswith("library/") and name.count("/") == 1:
            name = name[len("library/"):]
    return f"{name}:{tag}"


def matches(ref: str, tags) -> bool:
    """True when a requested reference names one of an image's tags (short or full form, or the bare tag).

    >>> matches("app", [full("app")]), matches("v2", ["app:v2"]), matches("x", ["app:v2"])
    (True, True, False)
    """
    for tag in tags:
        if ref == tag or familiar(ref) == familiar(tag):
            return True
        if ":" not in ref and "/" not in ref and split_tag(tag)[1] == ref:
            return True
    return False


@dataclass(frozen=True)
class Platform:
    """An OCI platform: os, architecture and optional variant.

    >>> Platform.parse("linux/arm/v7"), str(Platform.parse("linux/amd64"))
    (Platform(os='linux', architecture='arm', variant='v7'), 'linux/amd64')
    """

    os: str = "linux"
    architecture: str = "amd64"
    variant: str = ""

    @classmethod
    def parse(cls, text: "str | Platform") -> "Platform":
        if isinstance(text, Platform):
            return text
        parts = str(text).split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise FormatError(f"platform {text!r} is not 'os/arch' or 'os/arch/variant' (e.g. 'linux/arm64')")
        return cls(*parts)

    @classmethod
    def from_json(cls, data) -> "Platform | None":
        if not isinstance(data, dict):
            return None
        return cls(str(data.get("os", "")), str(data.get("architecture", "")), str(data.get("variant") or ""))

    def accepts(self, other: "Platform") -> bool:
        """True when other satisfies this request (a request without variant takes any variant)."""
        return (self.os == other.os and self.architecture == other.architecture
                and (not self.variant or self.variant == other.variant))

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


DEFAULT_PLATFORM = Platform()
