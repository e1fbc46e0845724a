"""Spooling: a blob that cannot be read in place is written once, uncompressed, to a cache directory.

Layers then read file content from the spooled tar by offset (BlobSlice), so a
1 GB image costs disk, not memory. Decompression streams in bounded chunks and
stops at max_bytes (a decompression bomb is refused, not expanded).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import zlib
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..errors import FormatError, LayerError, LimitExceededError

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DEFAULT_MAX_BYTES = 8 << 30
"""The default expansion limit of one compressed blob (8 GiB); pass max_bytes= to change it."""


def sniff(head: bytes) -> str:
    """'gzip', 'zstd' or 'none', from a blob's first bytes.

    >>> sniff(b"\\x1f\\x8b\\x08\\x00"), sniff(b"usr/"), sniff(b"\\x28\\xb5\\x2f\\xfd")
    ('gzip', 'none', 'zstd')
    """
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head[:4] == ZSTD_MAGIC:
        return "zstd"
    return "none"


class Cache:
    """A directory for spooled blobs: the caller's (kept) or a temporary one (removed at exit)."""

    def __init__(self, directory: str | os.PathLike | None = None):
        if directory is None:
            self.path = tempfile.mkdtemp(prefix="layerlab-blobs-")
            atexit.register(shutil.rmtree, self.path, True)
        else:
            self.path = os.fspath(directory)
            os.makedirs(self.path, exist_ok=True)
        self.known: dict[str, "Spooled"] = {}

    def temp(self):
        """A new file in the cache, open for writing."""
        return tempfile.NamedTemporaryFile(dir=self.path, prefix="spool-", suffix=".part", delete=False)


_DEFAULT: Cache | None = None


def default_cache() -> Cache:
    """The process-wide temporary cache, created on first use and removed when Python exits."""
    global _DEFAULT
    if _DEFAULT is None or not os.path.isdir(_DEFAULT.path):
        _DEFAULT = Cache()
    return _DEFAULT


def cache_for(cache_dir) -> Cache:
    """The cache a loader uses: a Cache, a directory to keep spooled blobs in, or None (temporary)."""
    if isinstance(cache_dir, Cache):
        return cache_dir
    return default_cache() if cache_dir is None else Cache(cache_dir)


@dataclass(frozen=True)
class Spooled:
    """An uncompressed tar on disk, with the digests of what was read (stored) and written (diff_id)."""

    path: str
    diff_id: str
    size: int
    digest: str
    stored_size: int
    compression: str


def spool(chunks: Iterable[bytes], *, cache: Cache, member: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Spooled:
    """Write a blob (gzip, zstd or plain) to the cache uncompressed, hashing both sides in one pass."""
    stored = hashlib.sha256()
    counted = [0]

    def tapped() -> Iterator[bytes]:
        for chunk in chunks:
            stored.update(chunk)
            counted[0] += len(chunk)
            yield chunk

    source = tapped()
    first = next(source, b"")
    compression = sniff(first)
    stream = _prepend(first, source)
    if compression == "gzip":
        out = _gunzip(stream, member)
    elif compression == "zstd":
        out = _unzstd(stream, member)
    else:
        out = stream
    h = hashlib.sha256()
    size = 0
    f = cache.temp()
    try:
        with f:
            for piece in out:
                size += len(piece)
                if size > max_bytes and compression != "none":
                    raise LimitExceededError(
                        f"{member} expands past {max_bytes} bytes when decompressed: refusing it as a possible "
                        "decompression bomb; pass a larger max_bytes= if you trust this image")
                h.update(piece)
                f.write(piece)
        diff_id = "sha256:" + h.hexdigest()
        final = os.path.join(cache.path, "sha256-" + h.hexdigest() + ".tar")
        os.replace(f.name, final)
    except BaseException:
        try:
            os.unlink(f.name)
        except OSError:
            pass
        raise
    return Spooled(final, diff_id, size, "sha256:" + stored.hexdigest(), counted[0], compression)


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _gunzip(chunks: Iterable[bytes], member: str) -> Iterator[bytes]:
    """Decompress a (possibly multi-member) gzip stream in bounded pieces."""
    d = None
    carry = b""
    seen = False
    try:
        for chunk in chunks:
            data = carry + chunk if carry else chunk
            carry = b""
            while data:
                if d is None:
                    if len(data) < 2:
                        carry = data
                        break
                    if data[:2] != GZIP_MAGIC:
                        raise LayerError(f"{member} has bytes after the end of its gzip stream that are not gzip: "
                                         "the blob is corrupt")
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    seen = True
                while True:
                    out = d.decompress(data, CHUNK)
                    if out:
                        yield out
                    if d.eof:
                        data = d.unused_data
                        d = None
                        break
                    data = d.unconsumed_tail
                    if not data and len(out) < CHUNK:
                        break
        if d is not None:
            while True:
                out = d.decompress(b"", CHUNK)
                if not out:
                    break
                yield out
            if not d.eof:
                raise LayerError(f"{member} is a truncated gzip stream: it ends before the compressed data does; "
                                 "copy or download the image again")
        if carry or not seen:
            raise LayerError(f"{member} ends in the middle of a gzip header: the blob is truncated")
    except zlib.error as exc:
        raise LayerError(f"{member} is not valid gzip ({exc}): the blob is corrupt") from None


class _ChunkReader:
    """A read()-able view of an iterator of chunks (what zstandard's stream_reader wants)."""

    def __init__(self, chunks: Iterable[bytes]):
        self._it = iter(chunks)
        self._buf = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buf) < n:
            chunk = next(self._it, None)
            if chunk is None:
                break
            self._buf += chunk
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out


def zstandard_module():
    """The optional zstandard module, or a LayerlabError that says how to get it."""
    try:
        import zstandard
    except ImportError:
        return None
    return zstandard


def _unzstd(chunks: Iterable[bytes], member: str) -> Iterator[bytes]:
    zstd = zstandard_module()
    if zstd is None:
        raise FormatError(f"{member} is zstd-compressed (application/vnd.oci.image.layer.v1.tar+zstd); reading "
                          "it needs the optional 'zstandard' package: pip install zstandard")
    reader = zstd.ZstdDecompressor().stream_reader(_ChunkReader(chunks), read_across_frames=True)
    try:
        while True:
            out = reader.read(CHUNK)
            if not out:
                break
            yield out
    except zstd.ZstdError as exc:
        raise LayerError(f"{member} is not valid zstd ({exc}): the blob is corrupt or truncated") from None


def hash_region(path: str, offset: int, size: int) -> str:
    """The sha256 digest of size bytes at offset in a file."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        f.seek(offset)
        left = size
        while left > 0:
            data = f.read(min(CHUNK, left))
            if not data:
                raise FormatError(f"{os.path.basename(path)} ends before its {size} bytes: it is truncated")
            h.update(data)
            left -= len(data)
    return "sha256:" + h.hexdigest()
