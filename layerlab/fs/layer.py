"""Layer: an immutable changeset, the unit an image is made of.

Entries are keyed by absolute path. A Whiteout at a path deletes it from lower
layers; an Opaque directory hides the lower children of that directory.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Iterable, Iterator, Mapping

from ..errors import LayerError, PathError
from . import paths
from .entries import ENTRY_TYPES, Dir, Entry, File, HardLink, Opaque, Symlink, Whiteout, is_dir

WHITEOUT_PREFIX = ".wh."


def _check_name(path: str) -> None:
    name = paths.basename(path)
    if name.startswith(WHITEOUT_PREFIX):
        raise LayerError(
            f"path {path!r} starts with '.wh.': no path in an image filesystem may (rule 9, "
            "image-spec layer.md); to delete a file use a Whiteout entry at the file's own path")


def _normalize_links(entries: dict) -> None:
    """Within one layer, make the first name of each hard-linked inode (in walk order) the file itself.

    A tar extractor meets names in order, so the file must come before its links.
    """
    groups: dict[str, list[str]] = {}
    for path, entry in entries.items():
        if not isinstance(entry, HardLink) or entry.target not in entries:
            continue
        seen = {path}
        target = entry.target
        while isinstance(entries.get(target), HardLink) and entries[target].target in entries:
            if target in seen:
                raise LayerError(f"hard links {sorted(seen)} point at each other in a loop: one of them must "
                                 "be a regular file")
            seen.add(target)
            target = entries[target].target
        found = entries[target]
        if isinstance(found, (Dir, Whiteout)):
            raise LayerError(f"hard link {path!r} points at {target!r}, a {found.kind}: only files can be "
                             "hard-linked")
        if isinstance(found, HardLink):
            continue  # the chain leaves the layer: it resolves against lower layers
        groups.setdefault(target, []).append(path)
    for primary, names in groups.items():
        found = entries[primary]
        if not isinstance(found, File):
            for name in names:
                entries[name] = found  # a hard link to a symlink or device is another one of those
            continue
        everyone = sorted([primary, *names], key=paths.sort_key)
        first = everyone[0]
        entries[first] = found
        for name in everyone[1:]:
            entries[name] = HardLink(first, mode=found.mode, uid=found.uid, gid=found.gid,
                                     mtime=found.mtime, xattrs=found.xattrs)


class Layer:
    """An immutable changeset with the instruction that created it.

    >>> layer = Layer.from_spec({"/etc/motd": "hi\\n", "/tmp/": DIR, "/etc/old": WHITEOUT})
    >>> sorted(layer.entries)
    ['/etc/motd', '/etc/old', '/tmp']
    >>> layer.size
    3
    """

    __slots__ = ("_entries", "created_by", "comment", "_source", "_diff_id", "_tar_size")

    def __init__(self, entries: Mapping[str, Entry] | Iterable[tuple[str, Entry]] = (),
                 created_by: str = "", comment: str = "", *, _source=None, _trusted: bool = False):
        items = entries.items() if isinstance(entries, Mapping) else entries
        if _trusted:
            checked = dict(items)
        else:
            checked = {}
            for path, entry in items:
                if not isinstance(entry, ENTRY_TYPES):
                    raise LayerError(f"entry for {path!r} is a {type(entry).__name__}, not a File, Dir, "
                                     "Symlink, HardLink, Device, Whiteout or Opaque")
                norm = paths.normalize(path)
                if norm in checked:
                    raise LayerError(f"path {norm!r} appears twice in one layer: a layer tar never holds "
                                     "the same path twice (image-spec layer.md)")
                if norm == "/" and not isinstance(entry, Dir):
                    raise LayerError(f"the root '/' can only be a directory, not a {entry.kind}")
                if norm != "/":
                    _check_name(norm)
                if isinstance(entry, HardLink):
                    target = paths.normalize(entry.target)
                    if target == norm:
                        raise LayerError(f"hard link {norm!r} points at itself")
                    if target != entry.target:
                        entry = HardLink(target, mode=entry.mode, uid=entry.uid, gid=entry.gid,
                                         mtime=entry.mtime, xattrs=entry.xattrs)
                checked[norm] = entry
            for norm, entry in checked.items():
                above = checked.get(paths.parent(norm)) if norm != "/" else None
                if above is not None and not isinstance(above, (Dir, Whiteout)):
                    raise LayerError(f"{norm!r} sits under {paths.parent(norm)!r}, which this layer makes a "
                                     f"{above.kind}: a path's parent must be a directory")
            if any(isinstance(e, HardLink) and e.target in checked for e in checked.values()):
                _normalize_links(checked)
        ordered = dict(sorted(checked.items(), key=lambda kv: paths.sort_key(kv[0])))
        self._entries = MappingProxyType(ordered)
        self.created_by = created_by
        self.comment = comment
        self._source = _source
        self._diff_id = None
        self._tar_size = None

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: Mapping[str, object], created_by: str = "", comment: str = "") -> "Layer":
        """Build a layer from {path: content-or-entry}; a trailing '/' marks a directory.

        >>> Layer.from_spec({"/opt/": OPAQUE, "/bin/sh": Symlink("busybox")}).entries["/opt"]
        Opaque(mode=493, uid=0, gid=0, mtime=0, xattrs=(), header=True)
        """
        entries = []
        for key, value in spec.items():
            if not isinstance(key, str):
                raise PathError(f"layer spec key {key!r} is not a path string")
            wants_dir = key.endswith("/") and key != "/"
            if isinstance(value, (str, bytes, bytearray)):
                entry: Entry = File(value)
            elif isinstance(value, ENTRY_TYPES):
                entry = value
            else:
                from .content import Content
                if isinstance(value, Content):
                    entry = File(value)
                else:
                    raise LayerError(f"layer spec value for {key!r} is a {type(value).__name__}: give text, "
                                     "bytes, or an entry such as DIR, WHITEOUT, OPAQUE, Symlink('target')")
            if wants_dir and not isinstance(entry, (Dir, Whiteout)):
                raise LayerError(f"layer spec key {key!r} ends with '/' (a directory) but its value is a "
                                 f"{entry.kind}: drop the '/' or use DIR")
            entries.append((key, entry))
        return cls(entries, created_by=created_by, comment=comment)

    @classmethod
    def from_tar(cls, data, created_by: str = "", comment: str = "", **options) -> "Layer":
        """Read a layer tar (bytes, a binary file object or a path); the inverse of to_tar()."""
        from .tarcodec import read_layer
        return read_layer(data, created_by=created_by, comment=comment, **options)

    # -- the changeset ------------------------------------------------------------------
    @property
    def entries(self) -> Mapping[str, Entry]:
        """Path -> entry, parents before children."""
        return self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, path: object) -> bool:
        return path in self._entries

    def __getitem__(self, path: str) -> Entry:
        return self._entries[paths.normalize(path)]

    def items(self):
        return self._entries.items()

    @property
    def is_empty(self) -> bool:
        """True when the changeset changes nothing."""
        return not self._entries

    @property
    def whiteouts(self) -> list[str]:
        """Paths this layer deletes from lower layers."""
        return [p for p, e in self._entries.items() if isinstance(e, Whiteout)]

    @property
    def opaques(self) -> list[str]:
        """Directories whose lower children this layer hides."""
        return [p for p, e in self._entries.items() if isinstance(e, Opaque)]

    @property
    def size(self) -> int:
        """Bytes of content, as `docker history` counts them: files plus symlink targets."""
        total = 0
        for e in self._entries.values():
            if isinstance(e, (File, Symlink)):
                total += e.size
        return total

    @property
    def file_count(self) -> int:
        """Entries that are not directories, whiteouts or opaque markers."""
        return sum(1 for e in self._entries.values() if not is_dir(e) and not isinstance(e, Whiteout))

    # -- bytes and identity ------------------------------------------------------------
    def to_tar(self) -> bytes:
        """The layer as tar bytes: the original bytes for a layer read from a tar, else canonical ones."""
        from .tarcodec import layer_chunks
        return b"".join(layer_chunks(self))

    def write_tar(self, fileobj) -> int:
        """Stream the tar into a binary file object; returns the bytes written."""
        from .tarcodec import layer_chunks
        n = 0
        for chunk in layer_chunks(self):
            fileobj.write(chunk)
            n += len(chunk)
        return n

    @property
    def diff_id(self) -> str:
        """sha256 of the uncompressed tar (image-spec config.md `rootfs.diff_ids`)."""
        if self._diff_id is None:
            from .tarcodec import digest_chunks, layer_chunks
            self._diff_id, self._tar_size = digest_chunks(layer_chunks(self))
        return self._diff_id

    @property
    def tar_size(self) -> int:
        """Length in bytes of the uncompressed tar."""
        if self._tar_size is None:
            self.diff_id
        return self._tar_size

    def with_history(self, created_by: str | None = None, comment: str | None = None) -> "Layer":
        """The same changeset with another created_by or comment."""
        out = Layer(self._entries, created_by if created_by is not None else self.created_by,
                    comment if comment is not None else self.comment, _source=self._source, _trusted=True)
        out._diff_id, out._tar_size = self._diff_id, self._tar_size
        return out

    # -- value semantics ---------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Layer):
            return NotImplemented
        return self is other or dict(self._entries) == dict(other._entries)

    def __hash__(self) -> int:
        return hash(tuple(self._entries))

    def __repr__(self) -> str:
        label = f" {self.created_by!r}" if self.created_by else ""
        return f"<Layer{label}: {len(self._entries)} entries, {self.size} B>"


from .entries import DIR, OPAQUE, WHITEOUT  # noqa: E402  (names used in doctests)
