"""Snapshot: the merged, read-only tree a container sees, with the provenance of every path.

A Snapshot is made by `merge(layers)` (see union.py); it never changes after
that. Lookups follow symlinks the way the kernel does, but inside the root:
an absolute target or a '..' that climbs past '/' stays in the image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..errors import FilesystemError, SymlinkLoopError
from . import paths
from .content import Content
from .entries import Dir, Entry, File, HardLink, Symlink

MAXSYMLINKS = 40  # Linux's limit before ELOOP


@dataclass(frozen=True, slots=True)
class Stat:
    """What stat(2) says of a path: kind, permission bits, owner, size, mtime, link target, origin."""

    path: str
    kind: str
    mode: int
    uid: int
    gid: int
    size: int
    mtime: int
    target: str | None
    origin: int
    nlink: int = 1


@dataclass(frozen=True, slots=True)
class Shadowed:
    """A file still shipped in a lower layer but invisible in the merged view.

    how is 'deleted' (a whiteout or opaque marker hid it) or 'replaced' (a later
    layer wrote the same path).
    """

    path: str
    layer: int
    size: int
    by: int
    how: str


class Snapshot:
    """The merged view of a stack of layers.

    >>> from layerlab.fs.layer import Layer
    >>> from layerlab.fs.union import merge
    >>> snap = merge([Layer.from_spec({"/etc/motd": "hi\\n"}), Layer.from_spec({"/etc/issue": "x"})])
    >>> snap.read("/etc/motd"), snap.listdir("/etc"), snap.origin("/etc/issue")
    (b'hi\\n', ['issue', 'motd'], 1)
    """

    __slots__ = ("_entries", "_origin", "_children", "_linked_by", "_shadowed", "_layers", "_sorted")

    def __init__(self):
        self._entries: dict[str, Entry] = {"/": Dir()}
        self._origin: dict[str, int] = {"/": -1}
        self._children: dict[str, set[str]] = {"/": set()}
        self._linked_by: dict[str, set[str]] = {}
        self._shadowed: list[Shadowed] = []
        self._layers: tuple = ()
        self._sorted: list[str] | None = None

    def _copy(self) -> "Snapshot":
        new = Snapshot()
        new._entries = dict(self._entries)
        new._origin = dict(self._origin)
        new._children = {k: set(v) for k, v in self._children.items()}
        new._linked_by = {k: set(v) for k, v in self._linked_by.items()}
        new._shadowed = list(self._shadowed)
        new._layers = self._layers
        return new

    # -- applying ------------------------------------------------------------------------
    def apply(self, layer) -> "Snapshot":
        """A new snapshot with one more layer on top.

        >>> from layerlab.fs.layer import Layer
        >>> from layerlab.fs.union import merge
        >>> merge([Layer.from_spec({"/a": "1"})]).apply(Layer.from_spec({"/a": WHITEOUT})).exists("/a")
        False
        """
        from .union import apply_layer
        new = self._copy()
        apply_layer(new, layer, len(self._layers))
        new._layers = self._layers + (layer,)
        return new

    @property
    def layers(self) -> tuple:
        """The layers merged, base first."""
        return self._layers

    # -- lookups -------------------------------------------------------------------------
    def resolve(self, path: str, *, follow_symlinks: bool = True) -> str:
        """The real path a lookup reaches, following symlinks inside the root.

        >>> from layerlab.fs.layer import Layer
        >>> from layerlab.fs.union import merge
        >>> merge([Layer.from_spec({"/usr/lib/x": "1", "/lib": Symlink("usr/lib")})]).resolve("/lib/x")
        '/usr/lib/x'
        """
        return resolve(self._entries, paths.normalize(path), follow_symlinks=follow_symlinks)

    def entry(self, path: str) -> Entry:
        """The raw entry at path, not following a final symlink (like lstat)."""
        real = self.resolve(path, follow_symlinks=False)
        try:
            return self._entries[real]
        except KeyError:
            raise FilesystemError(f"{path}: No such file or directory", path, "ENOENT") from None

    def get(self, path: str) -> Entry | None:
        """The raw entry at a normalized real path, or None (no symlink resolution)."""
        return self._entries.get(path)

    def exists(self, path: str) -> bool:
        """True when a lookup that follows symlinks finds something."""
        try:
            return self.resolve(path) in self._entries
        except (FilesystemError, SymlinkLoopError):
            return False

    def lexists(self, path: str) -> bool:
        """True when the path itself exists (a dangling symlink counts)."""
        try:
            return self.resolve(path, follow_symlinks=False) in self._entries
        except (FilesystemError, SymlinkLoopError):
            return False

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.lexists(path)

    def file(self, path: str) -> File:
        """The regular file a path reaches (through symlinks and hard links)."""
        real = self.resolve(path)
        entry = self._entries.get(real)
        if entry is None:
            raise FilesystemError(f"{path}: No such file or directory", path, "ENOENT")
        if isinstance(entry, HardLink):
            entry = self._entries[entry.target]
        if isinstance(entry, Dir):
            raise FilesystemError(f"{path}: Is a directory", path, "EISDIR")
        if not isinstance(entry, File):
            raise FilesystemError(f"{path}: not a regular file ({entry.kind})", path, "EINVAL")
        return entry

    def content(self, path: str) -> Content:
        """The Content of the regular file a path reaches."""
        return self.file(path).content

    def read(self, path: str) -> bytes:
        """The bytes of the file a path reaches."""
        return self.file(path).content.read()

    def readlink(self, path: str) -> str:
        """The target of a symlink, as stored."""
        entry = self.entry(path)
        if not isinstance(entry, Symlink):
            raise FilesystemError(f"{path}: Invalid argument (not a symlink)", path, "EINVAL")
        return entry.target

    def listdir(self, path: str = "/") -> list[str]:
        """The names in a directory, sorted."""
        real = self.resolve(path)
        entry = self._entries.get(real)
        if entry is None:
            raise FilesystemError(f"{path}: No such file or directory", path, "ENOENT")
        if not isinstance(entry, Dir):
            raise FilesystemError(f"{path}: Not a directory", path, "ENOTDIR")
        return sorted(self._children[real])

    def stat(self, path: str, *, follow_symlinks: bool = True) -> Stat:
        """Kind, mode, owner, size, mtime and origin of a path (follows symlinks unless told not to)."""
        real = self.resolve(path, follow_symlinks=follow_symlinks)
        entry = self._entries.get(real)
        if entry is None:
            raise FilesystemError(f"{path}: No such file or directory", path, "ENOENT")
        origin = self._origin[real]
        if isinstance(entry, HardLink):
            primary = entry.target
            entry = self._entries[primary]
        else:
            primary = real
        nlink = 1 + len(self._linked_by.get(primary, ()))
        if isinstance(entry, Dir):
            nlink = 2 + sum(1 for c in self._children[real] if isinstance(self._entries[paths.join(real, c)], Dir))
        target = entry.target if isinstance(entry, Symlink) else None
        return Stat(real, entry.kind if entry.kind != "opaque" else "dir", entry.mode, entry.uid, entry.gid,
                    entry.size, entry.mtime, target, origin, nlink)

    def lstat(self, path: str) -> Stat:
        """stat() without following a final symlink."""
        return self.stat(path, follow_symlinks=False)

    def origin(self, path: str) -> int:
        """The index (base = 0) of the layer that supplies a path; -1 for the implicit root."""
        real = self.resolve(path, follow_symlinks=False)
        try:
            return self._origin[real]
        except KeyError:
            raise FilesystemError(f"{path}: No such file or directory", path, "ENOENT") from None

    def paths(self) -> list[str]:
        """Every visible path but the root, sorted as a directory walk visits them."""
        if self._sorted is None:
            self._sorted = sorted((p for p in self._entries if p != "/"), key=paths.sort_key)
        return self._sorted

    def walk(self, top: str = "/") -> Iterator[tuple[str, Entry]]:
        """(path, entry) for every visible path below top (the root itself excluded), sorted."""
        top = paths.normalize(top)
        for p in self.paths():
            if top == "/" or p.startswith(top + "/"):
                yield p, self._entries[p]

    def children(self, path: str) -> Iterator[tuple[str, Entry]]:
        """(path, entry) of the direct children of a real directory path, sorted."""
        for name in sorted(self._children.get(path, ())):
            child = paths.join(path, name)
            yield child, self._entries[child]

    def links_to(self, path: str) -> list[str]:
        """The other names of a regular file (its hard links)."""
        return sorted(self._linked_by.get(path, ()))

    def shadowed(self) -> tuple[Shadowed, ...]:
        """Files still shipped in lower layers but hidden: why deleting never shrinks an image."""
        return tuple(self._shadowed)

    @property
    def size(self) -> int:
        """Bytes of visible content (files once per inode, plus symlink targets)."""
        return sum(e.size for e in self._entries.values() if isinstance(e, (File, Symlink)))

    def __len__(self) -> int:
        return len(self._entries) - 1

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Snapshot):
            return NotImplemented
        return self._entries == other._entries

    def __hash__(self):
        return hash(len(self._entries))

    def __repr__(self) -> str:
        return f"<Snapshot: {len(self)} paths from {len(self._layers)} layers, {self.size} B>"


def resolve(entries, path: str, *, follow_symlinks: bool = True, _hops: list | None = None,
            shortcut: bool = True) -> str:
    """Follow symlinks in a normalized path inside the root; the last part only when asked.

    `entries` is anything with `get(path) -> Entry | None` (a dict of a tree, or a mount table's
    lookup). A missing component ends the walk: the rest is appended as is, so the caller
    can tell 'not found' from the returned path.
    """
    if path == "/":
        return path
    if shortcut and isinstance(entries.get(paths.parent(path)), Dir):  # stored paths have real parent dirs
        if not follow_symlinks or not isinstance(entries.get(path), Symlink):
            return path
    hops = _hops if _hops is not None else [0]
    parts = path.strip("/").split("/")
    current = "/"
    for i, part in enumerate(parts):
        candidate = paths.join(current, part)
        entry = entries.get(candidate)
        last = i == len(parts) - 1
        if entry is None:
            return paths.normalize(candidate + "/" + "/".join(parts[i + 1:])) if not last else candidate
        if isinstance(entry, Symlink) and (not last or follow_symlinks):
            hops[0] += 1
            if hops[0] > MAXSYMLINKS:
                raise SymlinkLoopError(f"{path}: Too many levels of symbolic links (ELOOP): the symlinks "
                                       f"form a loop or a chain longer than {MAXSYMLINKS}")
            base = "/" if entry.target.startswith("/") else current
            target = paths.normalize(paths.join(base, entry.target) if not entry.target.startswith("/")
                                     else entry.target)
            current = resolve(entries, target, follow_symlinks=True, _hops=hops, shortcut=shortcut)
            continue
        if not last and not isinstance(entry, Dir):
            raise FilesystemError(f"{path}: Not a directory ({candidate} is a {entry.kind})", path, "ENOTDIR")
        current = candidate
    return current


from .entries import WHITEOUT  # noqa: E402  (doctest name)
