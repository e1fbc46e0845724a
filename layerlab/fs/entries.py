"""The entries of a layer or a filesystem tree: File, Dir, Symlink, HardLink, Device, Whiteout, Opaque.

Each is a frozen value. Metadata (mode, uid, gid, mtime) is keyword-only; mode
holds the permission bits (including setuid, setgid and sticky), never the type.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import ClassVar, Union

from .content import Content, as_content


@dataclass(frozen=True, slots=True)
class File:
    """A regular file.

    >>> File("hi\\n", mode=0o755).size
    3
    """

    content: Content = field(default_factory=lambda: as_content(b""))
    mode: int = field(default=0o644, kw_only=True)
    uid: int = field(default=0, kw_only=True)
    gid: int = field(default=0, kw_only=True)
    mtime: int = field(default=0, kw_only=True)
    xattrs: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True)
    kind: ClassVar[str] = "file"

    def __post_init__(self):
        if not isinstance(self.content, Content):
            object.__setattr__(self, "content", as_content(self.content))

    @property
    def size(self) -> int:
        return self.content.size


@dataclass(frozen=True, slots=True)
class Dir:
    """A directory; its children live beside it, keyed by path."""

    mode: int = field(default=0o755, kw_only=True)
    uid: int = field(default=0, kw_only=True)
    gid: int = field(default=0, kw_only=True)
    mtime: int = field(default=0, kw_only=True)
    xattrs: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True)
    kind: ClassVar[str] = "dir"
    size: ClassVar[int] = 0


@dataclass(frozen=True, slots=True)
class Opaque(Dir):
    """A directory that hides every child of the same directory in lower layers (`.wh..wh..opq`).

    header=False is an opaque marker whose tar had no header for the directory
    itself, so the directory keeps the attributes it had below.
    """

    header: bool = field(default=True, kw_only=True)
    kind: ClassVar[str] = "opaque"


@dataclass(frozen=True, slots=True)
class Symlink:
    """A symbolic link; the target is stored as written, relative or absolute."""

    target: str
    mode: int = field(default=0o777, kw_only=True)
    uid: int = field(default=0, kw_only=True)
    gid: int = field(default=0, kw_only=True)
    mtime: int = field(default=0, kw_only=True)
    xattrs: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True)
    kind: ClassVar[str] = "symlink"

    @property
    def size(self) -> int:
        return len(self.target.encode("utf-8", "surrogateescape"))


@dataclass(frozen=True, slots=True)
class HardLink:
    """A second name for a regular file (tar typeflag '1'); target is an absolute path."""

    target: str
    mode: int = field(default=0o644, kw_only=True)
    uid: int = field(default=0, kw_only=True)
    gid: int = field(default=0, kw_only=True)
    mtime: int = field(default=0, kw_only=True)
    xattrs: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True)
    kind: ClassVar[str] = "hardlink"
    size: ClassVar[int] = 0


@dataclass(frozen=True, slots=True)
class Device:
    """A character or block device or a FIFO (tar typeflags '3', '4', '6')."""

    devtype: str = "char"
    major: int = 0
    minor: int = 0
    mode: int = field(default=0o666, kw_only=True)
    uid: int = field(default=0, kw_only=True)
    gid: int = field(default=0, kw_only=True)
    mtime: int = field(default=0, kw_only=True)
    xattrs: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True)
    kind: ClassVar[str] = "device"
    size: ClassVar[int] = 0

    def __post_init__(self):
        if self.devtype not in ("char", "block", "fifo"):
            raise ValueError(f"device type {self.devtype!r} is not 'char', 'block' or 'fifo'")


@dataclass(frozen=True, slots=True)
class Whiteout:
    """Deletes the same path in lower layers (`.wh.<name>`); never visible itself."""

    mode: int = field(default=0, kw_only=True)
    uid: int = field(default=0, kw_only=True)
    gid: int = field(default=0, kw_only=True)
    mtime: int = field(default=0, kw_only=True)
    xattrs: tuple[tuple[str, bytes], ...] = field(default=(), kw_only=True)
    kind: ClassVar[str] = "whiteout"
    size: ClassVar[int] = 0


Entry = Union[File, Dir, Opaque, Symlink, HardLink, Device, Whiteout]
ENTRY_TYPES = (File, Dir, Symlink, HardLink, Device, Whiteout)

DIR = Dir()
WHITEOUT = Whiteout()
OPAQUE = Opaque()


def is_dir(entry: object) -> bool:
    """True for Dir and Opaque.

    >>> is_dir(DIR), is_dir(OPAQUE), is_dir(File(b""))
    (True, True, False)
    """
    return isinstance(entry, Dir)


def meta(entry: Entry) -> tuple:
    """The metadata docker diff compares besides type and size: (mode, uid, gid, mtime)."""
    return (entry.mode, entry.uid, entry.gid, entry.mtime)


def as_dir(entry: Entry) -> Dir:
    """A plain Dir with the attributes of a Dir or Opaque.

    >>> as_dir(Opaque(mode=0o700))
    Dir(mode=448, uid=0, gid=0, mtime=0, xattrs=())
    """
    if type(entry) is Dir:
        return entry
    return Dir(mode=entry.mode, uid=entry.uid, gid=entry.gid, mtime=entry.mtime, xattrs=entry.xattrs)


def with_meta(entry: Entry, **changes) -> Entry:
    """A copy of entry with some metadata changed."""
    return replace(entry, **changes)
