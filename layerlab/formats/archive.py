"""Where an image's files live: a directory or a tar archive, read by member name without extracting.

Member names are relative POSIX paths. A name that is absolute or climbs out
with '..' is refused, whether it is a tar member or a path written inside
manifest.json; symlinks between members (legacy `docker save` links duplicate
layers as `<id>/layer.tar -> ../<other>/layer.tar`) resolve inside the archive.

>>> clean_name("./blobs/sha256/ab", "index.json")
'blobs/sha256/ab'
"""

from __future__ import annotations

import os
import posixpath
import tarfile
from dataclasses import dataclass
from typing import Iterator

from ..errors import FormatError, LayerlabError, UnsafeArchiveError
from .gojson import MAX_JSON_BYTES

CHUNK = 1 << 20
MAX_LINK_HOPS = 40
_READ_ERRORS = (tarfile.TarError, EOFError, ValueError, OverflowError, UnicodeError, RecursionError)


def clean_name(name: str, origin: str) -> str:
    """A member name made relative and canonical; refuses absolute names and '..' (origin says who wrote it)."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise FormatError(f"{origin} names the member {name!r}, which is not a usable file name")
    if name.startswith("/"):
        raise UnsafeArchiveError(f"{origin} names {name!r}, an absolute path: names inside an image archive are "
                                 "relative to its root; refusing the archive")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"{origin} names {name!r}, which climbs out of the archive with '..': refusing "
                                 "the archive (a crafted archive could read files outside it)")
    return "/".join(parts)


@dataclass(frozen=True)
class Member:
    """One file of a source: its kind ('file', 'dir', 'symlink', 'hardlink', 'other'), data offset and size."""

    name: str
    kind: str
    offset: int
    size: int
    linkname: str = ""


class Source:
    """Files of an image source, by relative name."""

    label: str = ""

    def member(self, name: str) -> Member | None:
        raise NotImplementedError

    def names(self) -> list[str]:
        raise NotImplementedError

    def location(self, name: str) -> tuple[str, int, int]:
        """(file on disk, offset, size) holding the bytes of a regular member, after links."""
        raise NotImplementedError

    def exists(self, name: str) -> bool:
        try:
            self.location(name)
        except FormatError:
            return False
        return True

    def chunks(self, name: str, bufsize: int = CHUNK) -> Iterator[bytes]:
        """The bytes of a member, streamed."""
        path, offset, size = self.location(name)
        with open(path, "rb") as f:
            f.seek(offset)
            left = size
            while left > 0:
                data = f.read(min(bufsize, left))
                if not data:
                    raise FormatError(f"{self.label}: member {name!r} ends early: the archive is truncated")
                left -= len(data)
                yield data

    def head(self, name: str, n: int = 8) -> bytes:
        path, offset, size = self.location(name)
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read(min(n, size))

    def read(self, name: str, what: str, limit: int = MAX_JSON_BYTES) -> bytes:
        """A small member (JSON) in memory; refuses one bigger than limit."""
        path, offset, size = self.location(name)
        if size > limit:
            raise FormatError(f"{self.label}: {name} ({what}) is {size} bytes, more than the {limit} a "
                              "document of this kind can need; refusing it")
        return b"".join(self.chunks(name))


class DirSource(Source):
    """An image layout unpacked in a directory (an OCI layout written by `skopeo copy oci:DIR`)."""

    def __init__(self, root: str | os.PathLike):
        self.root = os.path.realpath(os.fspath(root))
        self.label = os.path.basename(self.root) or self.root

    def _path(self, name: str) -> str:
        name = clean_name(name, self.label)
        path = os.path.join(self.root, *name.split("/")) if name else self.root
        real = os.path.realpath(path)
        if real != self.root and not real.startswith(self.root + os.sep):
            raise UnsafeArchiveError(f"{self.label}: {name!r} is a symlink that leads outside the layout "
                                     "directory; refusing to read it")
        return real

    def member(self, name: str) -> Member | None:
        path = self._path(name)
        try:
            st = os.stat(path)
        except OSError:
            return None
        import stat as stat_
        kind = "file" if stat_.S_ISREG(st.st_mode) else "dir" if stat_.S_ISDIR(st.st_mode) else "other"
        return Member(clean_name(name, self.label), kind, 0, st.st_size)

    def names(self) -> list[str]:
        return sorted(os.listdir(self.root))

    def location(self, name: str) -> tuple[str, int, int]:
        m = self.member(name)
        if m is None:
            raise FormatError(f"{self.label}: {name} is missing: the layout is incomplete (a blob named by a "
                              "manifest or index was never written or was deleted)")
        if m.kind != "file":
            raise FormatError(f"{self.label}: {name} is a {m.kind}, not a regular file")
        return self._path(name), 0, m.size


class TarSource(Source):
    """An image archive read in place: one pass over the headers, then members read by offset."""

    def __init__(self, path: str | os.PathLike, label: str | None = None):
        self.path = os.fspath(path)
        self.label = label or os.path.basename(self.path)
        self._members: dict[str, Member] = {}
        self._index()

    def _index(self) -> None:
        total = os.path.getsize(self.path)
        try:
            with open(self.path, "rb") as f, tarfile.open(fileobj=f, mode="r:", encoding="utf-8",
                                                         errors="surrogateescape") as tf:
                while True:
                    ti = tf.next()
                    if ti is None:
                        break
                    tf.members.clear()
                    self._add(ti, total)
        except LayerlabError:
            raise
        except _READ_ERRORS as exc:
            raise FormatError(f"{self.label} is not a readable tar archive ({exc}): it is truncated, "
                              "corrupt, or not an image archive at all") from None

    def _add(self, ti: tarfile.TarInfo, total: int) -> None:
        name = clean_name(ti.name, f"{self.label} has a tar member that")
        if not name:
            return
        if ti.isreg():
            if ti.sparse is not None:
                raise FormatError(f"{self.label}: member {ti.name!r} is a GNU sparse file; image archives never "
                                  "hold one: the archive was not written by an image tool")
            kind = "file"
        else:
            kind = ("dir" if ti.isdir() else "symlink" if ti.issym() else "hardlink" if ti.islnk() else "other")
        if kind == "file" and ti.offset_data + ti.size > total:
            raise FormatError(f"{self.label}: member {ti.name!r} is truncated: it claims {ti.size} bytes but the "
                              "archive ends first; copy or download it again")
        if name in self._members:
            if kind == "dir" and self._members[name].kind == "dir":
                return
            raise FormatError(f"{self.label}: member {ti.name!r} appears twice: which copy counts is ambiguous, "
                              "and tools disagree; refusing the archive")
        self._members[name] = Member(name, kind, ti.offset_data, ti.size if kind == "file" else 0, ti.linkname)

    def names(self) -> list[str]:
        return list(self._members)

    def member(self, name: str) -> Member | None:
        return self._members.get(clean_name(name, self.label))

    def location(self, name: str) -> tuple[str, int, int]:
        m = self._follow(clean_name(name, self.label), name)
        return self.path, m.offset, m.size

    def _follow(self, name: str, asked: str) -> Member:
        for _ in range(MAX_LINK_HOPS):
            m = self._members.get(name)
            if m is None:
                raise FormatError(f"{self.label}: {asked} is missing from the archive: the manifest or index "
                                  "names a file that was never written; the archive is incomplete")
            if m.kind == "file":
                return m
            if m.kind == "symlink":
                base = posixpath.dirname(name) if not m.linkname.startswith("/") else ""
                target = posixpath.normpath(posixpath.join(base, m.linkname.lstrip("/")))
                if target == ".." or target.startswith("../"):
                    raise UnsafeArchiveError(f"{self.label}: member {name!r} is a symlink to {m.linkname!r}, "
                                             "which leads outside the archive; refusing it")
                name = clean_name(target, f"{self.label}: symlink {name!r}")
            elif m.kind == "hardlink":
                name = clean_name(m.linkname, f"{self.label}: hard link {name!r}")
            else:
                raise FormatError(f"{self.label}: {asked} is a {m.kind}, not a regular file")
        raise FormatError(f"{self.label}: {asked} goes through more than {MAX_LINK_HOPS} links (a loop)")


def top_level_names(source: Source) -> set[str]:
    """The names at the root of a source ('manifest.json', 'index.json', ...)."""
    return {n.split("/", 1)[0] for n in source.names()}
