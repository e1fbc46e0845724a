"""Layer <-> tar bytes: the canonical writer, a reader for any real layer tar, the whiteout codec, digests.

The writer is deterministic (entries sorted as a directory walk visits them,
mtimes as given, empty user and group names) and ends the archive the way Go's
archive/tar does, with two zero blocks and no padding to a 10 KiB record, so
the empty layer has Docker's well-known DiffID:

>>> Layer({}).diff_id
'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef'
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import zlib
from typing import Iterable, Iterator

from ..errors import LayerError, UnsafeArchiveError
from . import paths
from .content import BlobSlice, Inline
from .entries import Device, Dir, Entry, File, HardLink, Opaque, Symlink, Whiteout
from .layer import WHITEOUT_PREFIX, Layer

BLOCK = 512
END_OF_ARCHIVE = b"\0" * (2 * BLOCK)
OPAQUE_MARKER = ".wh..wh..opq"
META_PREFIX = ".wh..wh."
EMPTY_LAYER_DIFF_ID = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"


# -- digests --------------------------------------------------------------------------------
def sha256_digest(data: bytes) -> str:
    """The OCI digest string of some bytes.

    >>> sha256_digest(b"")
    'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
    """
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """(digest, length) of a stream of bytes."""
    h = hashlib.sha256()
    n = 0
    for chunk in chunks:
        h.update(chunk)
        n += len(chunk)
    return "sha256:" + h.hexdigest(), n


def chain_id(diff_ids: Iterable[str]) -> str:
    """The ChainID of a stack of layers (image-spec config.md).

    ChainID(L0) = DiffID(L0); ChainID(L0..Ln) = sha256(ChainID(L0..Ln-1) + " " + DiffID(Ln)).

    >>> a = "sha256:" + "a" * 64
    >>> chain_id([a]) == a
    True
    >>> chain_id([a, a]) == sha256_digest((a + " " + a).encode())
    True
    """
    current = None
    for diff_id in diff_ids:
        current = diff_id if current is None else sha256_digest(f"{current} {diff_id}".encode())
    if current is None:
        raise LayerError("a ChainID needs at least one DiffID: an image with no layers has none")
    return current


# -- writing -----------------------------------------------------------------------------------
def _info(name: str, entry: Entry, type_: bytes, size: int = 0, linkname: str = "") -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type = type_
    ti.mode = entry.mode & 0o7777
    ti.uid, ti.gid = entry.uid, entry.gid
    ti.uname = ti.gname = ""
    ti.mtime = entry.mtime
    ti.size = size
    ti.linkname = linkname
    if entry.xattrs:
        ti.pax_headers = {"SCHILY.xattr." + k: v.decode("utf-8", "surrogateescape")
                          for k, v in entry.xattrs}
    return ti


def _name(path: str, is_dir: bool = False) -> str:
    return "./" if path == "/" else paths.to_member(path, is_dir)


def members(layer: Layer) -> list[tuple[str, tarfile.TarInfo, Entry | None]]:
    """The tar members of a layer in canonical order: (name, header, entry); whiteouts encoded.

    >>> [m[0] for m in members(Layer.from_spec({"/d/": OPAQUE, "/d/x": "1", "/e": WHITEOUT}))]
    ['.wh.e', 'd/', 'd/.wh..wh..opq', 'd/x']
    """
    out: list[tuple[str, tarfile.TarInfo, Entry | None]] = []
    for path, entry in layer.entries.items():
        if isinstance(entry, Whiteout):
            parent, base = paths.split(path)
            name = _name(paths.join(parent, WHITEOUT_PREFIX + base))
            out.append((name, _info(name, entry, tarfile.REGTYPE), None))
        elif isinstance(entry, Dir):
            name = _name(path, True)
            if not (isinstance(entry, Opaque) and not entry.header):
                out.append((name, _info(name, entry, tarfile.DIRTYPE), entry))
            if isinstance(entry, Opaque):
                marker = _name(paths.join(path, OPAQUE_MARKER))
                mark = Whiteout(mode=entry.mode & 0o777, uid=entry.uid, gid=entry.gid, mtime=entry.mtime)
                out.append((marker, _info(marker, mark, tarfile.REGTYPE), None))
        elif isinstance(entry, File):
            name = _name(path)
            out.append((name, _info(name, entry, tarfile.REGTYPE, entry.size), entry))
        elif isinstance(entry, Symlink):
            name = _name(path)
            out.append((name, _info(name, entry, tarfile.SYMTYPE, linkname=entry.target), entry))
        elif isinstance(entry, HardLink):
            name = _name(path)
            out.append((name, _info(name, entry, tarfile.LNKTYPE, linkname=paths.to_member(entry.target)), entry))
        elif isinstance(entry, Device):
            name = _name(path)
            kind = {"char": tarfile.CHRTYPE, "block": tarfile.BLKTYPE, "fifo": tarfile.FIFOTYPE}[entry.devtype]
            ti = _info(name, entry, kind)
            ti.devmajor, ti.devminor = entry.major, entry.minor
            out.append((name, ti, entry))
    out.sort(key=lambda m: m[0].rstrip("/").split("/"))
    return out


def member_names(layer: Layer) -> list[str]:
    """The raw tar member names, as `tar -tf` would list them."""
    return [name for name, _, _ in members(layer)]


def canonical_chunks(layer: Layer) -> Iterator[bytes]:
    """The canonical tar of a layer, streamed."""
    for _, ti, entry in members(layer):
        yield ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")
        if isinstance(entry, File) and entry.size:
            yield from entry.content.chunks()
            pad = -entry.size % BLOCK
            if pad:
                yield b"\0" * pad
    yield END_OF_ARCHIVE


def layer_chunks(layer: Layer) -> Iterator[bytes]:
    """The layer's tar bytes: the original tar when it was read from one, else the canonical tar."""
    source = layer._source
    if source is None:
        yield from canonical_chunks(layer)
    elif isinstance(source, (bytes, bytearray)):
        yield bytes(source)
    else:
        yield from BlobSlice(source, 0, os.path.getsize(source)).chunks()


# -- reading -----------------------------------------------------------------------------------
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DEFAULT_MAX_EXPANSION = 8 << 30


def decompress(data: bytes, *, max_bytes: int = DEFAULT_MAX_EXPANSION, name: str = "layer") -> bytes:
    """Gunzip bytes when they are gzip, refusing to expand past max_bytes (a decompression bomb)."""
    from ..errors import LimitExceededError

    if data[:2] != GZIP_MAGIC:
        if data[:4] == ZSTD_MAGIC:
            raise LayerError(f"{name} is zstd-compressed: load it through layerlab.load_image, which reads "
                             "zstd when the 'zstandard' package is installed (pip install zstandard)")
        return data
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    view = memoryview(data)
    try:
        for i in range(0, len(data), 1 << 16):
            out += d.decompress(view[i:i + (1 << 16)], max_bytes + 1 - len(out))
            if len(out) > max_bytes:
                break
        else:
            out += d.flush()
    except zlib.error as exc:
        raise LayerError(f"{name} is not valid gzip ({exc}): the blob is corrupt or truncated") from None
    if len(out) > max_bytes:
        raise LimitExceededError(f"{name} expands past {max_bytes} bytes when decompressed: refusing it as a "
                                 "possible decompression bomb; raise max_bytes if you trust it")
    if not d.eof:
        raise LayerError(f"{name} is truncated: the gzip stream ends before its checksum; the blob is incomplete")
    return bytes(out)


def _xattrs(ti: tarfile.TarInfo) -> tuple:
    found = [(k[len("SCHILY.xattr."):], v.encode("utf-8", "surrogateescape"))
             for k, v in ti.pax_headers.items() if k.startswith("SCHILY.xattr.")]
    return tuple(sorted(found))


def _entry_for(ti: tarfile.TarInfo, tf: tarfile.TarFile, data: bytes | None, path_source: str | None) -> Entry:
    meta = dict(mode=ti.mode & 0o7777, uid=ti.uid, gid=ti.gid, mtime=int(ti.mtime), xattrs=_xattrs(ti))
    if ti.isdir():
        return Dir(**meta)
    if ti.issym():
        return Symlink(ti.linkname, **meta)
    if ti.islnk():  # an absolute link target is taken relative to the root, as Docker's extractor does
        return HardLink(paths.from_member(ti.linkname.lstrip("/")), **meta)
    if ti.ischr() or ti.isblk() or ti.isfifo():
        devtype = "char" if ti.ischr() else "block" if ti.isblk() else "fifo"
        return Device(devtype, ti.devmajor, ti.devminor, **meta)
    if ti.isreg():
        if ti.sparse is not None:
            content = Inline(tf.extractfile(ti).read())
        elif data is not None:
            end = ti.offset_data + ti.size
            if end > len(data):
                raise LayerError(f"tar member {ti.name!r} is truncated: it claims {ti.size} bytes but the "
                                 "archive ends first")
            content = Inline(data[ti.offset_data:end])
        else:
            content = BlobSlice(path_source, ti.offset_data, ti.size)
        return File(content, **meta)
    raise LayerError(f"tar member {ti.name!r} has type {ti.type!r}, which a layer cannot hold "
                     "(regular file, directory, symlink, hard link, device or FIFO)")


def read_layer(data, created_by: str = "", comment: str = "", *,
               max_bytes: int = DEFAULT_MAX_EXPANSION, name: str = "layer tar") -> Layer:
    """Decode a layer tar (bytes, binary file object, or path) into a Layer, validating every rule.

    >>> raw = Layer.from_spec({"/a/b": "x", "/a/c": WHITEOUT, "/a/": OPAQUE}).to_tar()
    >>> [(p, e.kind) for p, e in Layer.from_tar(raw).entries.items()]
    [('/a', 'opaque'), ('/a/b', 'file'), ('/a/c', 'whiteout')]
    """
    path_source = None
    if isinstance(data, (str, os.PathLike)):
        path_source = os.fspath(data)
        with open(path_source, "rb") as f:
            head = f.read(4)
        if head[:2] == GZIP_MAGIC or head[:4] == ZSTD_MAGIC:
            with open(path_source, "rb") as f:
                data = decompress(f.read(), max_bytes=max_bytes, name=name)
            path_source = None
        else:
            data = None
    elif hasattr(data, "read"):
        data = data.read()
    if data is not None:
        data = decompress(bytes(data), max_bytes=max_bytes, name=name)
    source = data if data is not None else path_source

    entries: dict[str, Entry] = {}
    whiteouts: set[str] = set()
    opaque: set[str] = set()
    try:
        fileobj = io.BytesIO(data) if data is not None else open(path_source, "rb")
        with fileobj, tarfile.open(fileobj=fileobj, mode="r:", encoding="utf-8",
                                   errors="surrogateescape") as tf:
            while True:
                ti = tf.next()
                if ti is None:
                    break
                tf.members.clear()
                _add_member(ti, tf, data, path_source, entries, whiteouts, opaque)
    except LayerError:
        raise
    except (tarfile.TarError, EOFError, ValueError, OverflowError) as exc:
        if data is not None and len(data) == 0:
            return Layer({}, created_by, comment, _source=b"")
        raise LayerError(f"{name} is not a readable tar ({exc}): the archive is truncated or corrupt") from None

    for path in opaque:
        existing = entries.get(path)
        if isinstance(existing, Dir):
            entries[path] = Opaque(mode=existing.mode, uid=existing.uid, gid=existing.gid,
                                   mtime=existing.mtime, xattrs=existing.xattrs)
        elif existing is None:
            entries[path] = Opaque(header=False)
        else:
            raise LayerError(f"{name}: {path!r} has an opaque marker but is a {existing.kind} in the same "
                             "layer; an opaque marker belongs inside a directory")
    for path in whiteouts:
        existing = entries.get(path)
        if existing is None:
            entries[path] = Whiteout()
        elif isinstance(existing, Dir) and not isinstance(existing, Opaque):
            # '.wh.d' next to 'd/' in one layer: lower d is gone, the new d stays (rule 6) = opaque d.
            entries[path] = Opaque(mode=existing.mode, uid=existing.uid, gid=existing.gid,
                                   mtime=existing.mtime, xattrs=existing.xattrs)
        # a whiteout next to a new file, symlink or link of the same name: the new entry replaces anyway
    return Layer(entries.items(), created_by, comment, _source=source)


def _add_member(ti, tf, data, path_source, entries, whiteouts, opaque) -> None:
    path = paths.from_member(ti.name)
    if path == "/":
        if ti.isdir():
            entries["/"] = _entry_for(ti, tf, data, path_source)
            return
        raise UnsafeArchiveError(f"tar member {ti.name!r} names the root but is not a directory")
    parent, base = paths.split(path)
    if base.startswith(WHITEOUT_PREFIX):
        if base == WHITEOUT_PREFIX:
            raise LayerError(f"tar member {ti.name!r} is a bare '.wh.': a whiteout must name what it "
                             "deletes (rule 4, image-spec layer.md)")
        if base == OPAQUE_MARKER:
            if parent in opaque:
                raise LayerError(f"tar member {ti.name!r} appears twice: a layer tar never holds the same "
                                 "path twice (rule 4)")
            opaque.add(parent)
            return
        if base.startswith(META_PREFIX):
            return  # AUFS metadata (.wh..wh.plnk, .wh..wh.aufs, .wh..wh.orph): not part of the image
        if not (ti.isreg() or ti.islnk()):
            raise LayerError(f"tar member {ti.name!r} is a {_kind(ti)} named like a whiteout: whiteouts are "
                             "empty regular files, and no path in an image may start with '.wh.' (rule 9)")
        target = paths.join(parent, base[len(WHITEOUT_PREFIX):])
        if target in whiteouts:
            raise LayerError(f"tar member {ti.name!r} appears twice: a layer tar never holds the same path "
                             "twice (rule 4)")
        whiteouts.add(target)
        return
    if path in entries:
        raise LayerError(f"tar member {ti.name!r} appears twice: a layer tar never holds the same path twice "
                         "(rule 4, image-spec layer.md); the archive is malformed")
    entries[path] = _entry_for(ti, tf, data, path_source)


def _kind(ti: tarfile.TarInfo) -> str:
    return "directory" if ti.isdir() else "symlink" if ti.issym() else "special file"


from .entries import OPAQUE, WHITEOUT  # noqa: E402  (names used in doctests)
