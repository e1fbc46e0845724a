"""From stored blobs to model values: a layer blob to a Layer, a config blob to an Image.

Every digest is checked against the bytes actually read: the manifest digest
over the stored (maybe compressed) blob, the DiffID over the uncompressed tar.
"""

from __future__ import annotations

import os
import re
import tarfile
import zlib

from ..errors import DigestMismatchError, FormatError, LayerError, LayerlabError
from ..fs.content import BlobSlice
from ..fs.entries import File
from ..fs.layer import Layer
from ..fs.tarcodec import read_layer
from ..image.model import Image
from .archive import DirSource, Source
from .gojson import parse_json
from .spool import DEFAULT_MAX_BYTES, Cache, Spooled, hash_region, sniff, spool

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAR_ERRORS = (tarfile.TarError, EOFError, ValueError, OverflowError, UnicodeError, RecursionError,
               KeyError, IndexError, zlib.error)


def check_digest(digest, origin: str) -> str:
    """A 'sha256:<64 hex>' digest string, or a FormatError naming where the bad one was written.

    >>> check_digest("sha256:" + "0" * 64, "index.json")[:10]
    'sha256:000'
    """
    if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
        raise FormatError(f"{origin} has digest {digest!r}: layerlab reads sha256 digests written as "
                          "'sha256:' and 64 lowercase hex digits")
    return digest


def blob_name(digest: str) -> str:
    """Where the OCI image layout stores a blob.

    >>> blob_name("sha256:" + "ab" * 32)[:16]
    'blobs/sha256/aba'
    """
    return "blobs/sha256/" + digest.split(":", 1)[1]


def mismatch(member: str, actual: str, expected: str, who: str) -> DigestMismatchError:
    return DigestMismatchError(f"{member} hashes to {actual}, but {who} says {expected}: the blob was changed or "
                               "corrupted after it was written; get the image again")


def read_config(source: Source, name: str, expected: str | None, who: str) -> bytes:
    """The exact config bytes, checked against the digest that names them."""
    raw = source.read(name, "image config")
    if expected is not None:
        from ..fs.tarcodec import sha256_digest
        actual = sha256_digest(raw)
        if actual != expected:
            raise mismatch(name, actual, expected, who)
    return raw


def load_layer(source: Source, name: str, *, cache: Cache, max_bytes: int = DEFAULT_MAX_BYTES,
               expected_digest: str | None = None, expected_size: int | None = None,
               expected_diff_id: str | None = None, who: str = "the manifest") -> Layer:
    """Read a layer blob into a Layer whose file content stays on disk."""
    label = f"{source.label}: {name}"
    path, offset, size = source.location(name)
    if expected_size is not None and size != expected_size:
        raise FormatError(f"{label} is {size} bytes, but {who} says {expected_size}: the blob is truncated or "
                          "was replaced; get the image again")
    st = os.stat(path)
    key = (path, offset, size, st.st_mtime_ns, st.st_ino)
    spooled = cache.known.get(key)
    if spooled is None or not os.path.exists(spooled.path):
        if isinstance(source, DirSource) and sniff(source.head(name)) == "none":
            digest = hash_region(path, offset, size)  # read in place: nothing to spool
            spooled = Spooled(path, digest, size, digest, size, "none")
        else:
            spooled = spool(source.chunks(name), cache=cache, member=label, max_bytes=max_bytes)
        cache.known[key] = spooled
    if expected_digest is not None and spooled.digest != expected_digest:
        raise mismatch(label, spooled.digest, expected_digest, who)
    if expected_diff_id is not None and spooled.diff_id != expected_diff_id:
        raise mismatch(f"{label} (uncompressed)", spooled.diff_id, expected_diff_id,
                       "the image config's rootfs.diff_ids")
    return layer_from_tar(spooled.path, spooled.diff_id, spooled.size, label)


def layer_from_tar(path: str, diff_id: str, size: int, label: str) -> Layer:
    """Decode an uncompressed layer tar on disk; its DiffID is already known from spooling or hashing."""
    try:
        layer = read_layer(path, name=label)
    except LayerlabError:
        raise
    except _TAR_ERRORS as exc:
        raise LayerError(f"{label} is not a readable layer tar ({type(exc).__name__}: {exc}); the blob is "
                         "corrupt") from None
    for p, entry in layer.entries.items():
        content = entry.content if isinstance(entry, File) else None
        if isinstance(content, BlobSlice) and content.offset + content.size > size:
            raise LayerError(f"{label}: tar member for {p!r} is truncated: it claims {content.size} bytes but the "
                             "tar ends first; the layer blob is incomplete")
    layer._diff_id, layer._tar_size = diff_id, size  # hashed while spooling: spare a second pass
    return layer


def image_from_config(raw: bytes, layers, member: str) -> Image:
    """An Image from exact config bytes and its layers, after checking the config's shape and diff_ids."""
    data = parse_json(raw, member, "image config")
    rootfs = data.get("rootfs")
    if not isinstance(rootfs, dict) or not isinstance(rootfs.get("diff_ids", []), list):
        raise FormatError(f"{member} (image config) has no rootfs.diff_ids list: it is not an image config")
    expected = rootfs.get("diff_ids") or []
    for i, layer in enumerate(layers):
        want = expected[i] if i < len(expected) else None
        if want != layer.diff_id:
            raise FormatError(
                f"{member}: rootfs.diff_ids[{i}] is {want!r} but layer {i} hashes to {layer.diff_id}: the config "
                "and the layer blobs disagree (image-spec config.md); the archive was tampered with or mixed up")
    if len(expected) != len(layers):
        raise FormatError(f"{member} lists {len(expected)} diff_ids for {len(layers)} layers: the config and the "
                          "manifest disagree")
    history = data.get("history") or []
    if not isinstance(history, list) or not all(isinstance(h, dict) for h in history):
        raise FormatError(f"{member}: 'history' must be a list of objects (image-spec config.md)")
    for key in ("config", "container_config"):
        if data.get(key) is not None and not isinstance(data.get(key), dict):
            raise FormatError(f"{member}: {key!r} must be an object")
    try:
        return Image.from_config(raw, layers)
    except LayerlabError:
        raise
    except (TypeError, ValueError, AttributeError) as exc:
        raise FormatError(f"{member} (image config) has a field of an unexpected type ({exc})") from None
