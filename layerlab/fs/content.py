"""File content: inline bytes, deterministic synthetic bytes, or a slice of a blob on disk.

A 500 MB file in a base image costs a few dozen bytes until someone reads it.
Two contents are equal when their bytes are equal, whatever their form.
"""

from __future__ import annotations

import hashlib
import os
from typing import Iterator

CHUNK = 1 << 20


class Content:
    """The bytes of a regular file, read on demand."""

    __slots__ = ("_sha256",)
    size: int

    def chunks(self, bufsize: int = CHUNK) -> Iterator[bytes]:
        """Yield the bytes in order, at most bufsize at a time."""
        raise NotImplementedError

    def read(self, limit: int | None = None) -> bytes:
        """All the bytes (or the first limit bytes)."""
        want = self.size if limit is None else min(limit, self.size)
        out = bytearray()
        for chunk in self.chunks():
            out += chunk
            if len(out) >= want:
                break
        return bytes(out[:want])

    @property
    def sha256(self) -> str:
        """The hex sha256 of the bytes, computed once."""
        try:
            return self._sha256
        except AttributeError:
            h = hashlib.sha256()
            for chunk in self.chunks():
                h.update(chunk)
            self._sha256 = h.hexdigest()
            return self._sha256

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Content):
            return NotImplemented
        return self.size == other.size and self.sha256 == other.sha256

    def __hash__(self) -> int:
        return hash(self.size)


class Inline(Content):
    """Bytes held in memory.

    >>> Inline(b"hi\\n").read(), Inline(b"hi\\n").size
    (b'hi\\n', 3)
    """

    __slots__ = ("data", "size")

    def __init__(self, data: bytes):
        self.data = bytes(data)
        self.size = len(self.data)

    def chunks(self, bufsize: int = CHUNK) -> Iterator[bytes]:
        for i in range(0, self.size, bufsize):
            yield self.data[i:i + bufsize]

    def read(self, limit: int | None = None) -> bytes:
        return self.data if limit is None else self.data[:limit]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Inline):
            return self.data == other.data
        return Content.__eq__(self, other)

    __hash__ = Content.__hash__

    def __repr__(self) -> str:
        shown = self.data if self.size <= 40 else self.data[:37] + b"..."
        return f"Inline({shown!r})"


_BLOCK = 8192


class Synthetic(Content):
    """size bytes generated from a seed: the same seed always gives the same bytes, none are stored.

    >>> a = Synthetic(500_000_000, "python3.12/libpython")
    >>> a.size, len(a.read(10)), a == Synthetic(500_000_000, "python3.12/libpython")
    (500000000, 10, True)
    """

    __slots__ = ("size", "seed")

    def __init__(self, size: int, seed: str):
        if size < 0:
            raise ValueError(f"synthetic content size {size} is negative")
        self.size = int(size)
        self.seed = str(seed)

    def _block(self) -> bytes:
        return hashlib.shake_256(self.seed.encode("utf-8", "surrogateescape")).digest(_BLOCK)

    def chunks(self, bufsize: int = CHUNK) -> Iterator[bytes]:
        block = self._block()
        reps = max(1, bufsize // _BLOCK)
        big = block * reps
        left = self.size
        while left > 0:
            piece = big if left >= len(big) else big[:left]
            yield piece
            left -= len(piece)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Synthetic) and self.size == other.size and self.seed == other.seed:
            return True
        return Content.__eq__(self, other)

    __hash__ = Content.__hash__

    def __repr__(self) -> str:
        return f"Synthetic({self.size}, {self.seed!r})"


class BlobSlice(Content):
    """size bytes at offset in a file on disk: how a loaded image's files are read lazily."""

    __slots__ = ("path", "offset", "size")

    def __init__(self, path: str | os.PathLike, offset: int, size: int, sha256: str | None = None):
        self.path = os.fspath(path)
        self.offset = int(offset)
        self.size = int(size)
        if sha256 is not None:
            self._sha256 = sha256

    def chunks(self, bufsize: int = CHUNK) -> Iterator[bytes]:
        from ..errors import FormatError

        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                left = self.size
                while left > 0:
                    data = f.read(min(bufsize, left))
                    if not data:
                        raise FormatError(
                            f"blob {os.path.basename(self.path)!r} ends before the {self.size} bytes "
                            f"at offset {self.offset}: the file was truncated or changed on disk")
                    left -= len(data)
                    yield data
        except OSError as exc:
            raise FormatError(f"cannot read layer content from {os.path.basename(self.path)!r}: {exc.strerror}; "
                              "was the image file moved or deleted after loading?") from None

    def __repr__(self) -> str:
        return f"BlobSlice({os.path.basename(self.path)!r}, offset={self.offset}, size={self.size})"


def as_content(value: "bytes | str | Content") -> Content:
    """Accept str (UTF-8), bytes or a Content.

    >>> as_content("hi").read()
    b'hi'
    """
    if isinstance(value, Content):
        return value
    if isinstance(value, str):
        return Inline(value.encode("utf-8"))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return Inline(bytes(value))
    raise TypeError(f"file content must be bytes, str or Content, not {type(value).__name__}")
