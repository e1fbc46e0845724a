"""Writing blobs and archives deterministically: fixed gzip header (mtime 0, no file name), tars with
sorted members, owner 0:0 and mtime 0, so the same images always give the same bytes."""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import tarfile

from ..fs.layer import Layer


class HashingWriter:
    """A file wrapper that hashes and counts what goes through it."""

    def __init__(self, f):
        self.f = f
        self.h = hashlib.sha256()
        self.size = 0

    def write(self, data) -> int:
        self.h.update(data)
        self.size += len(data)
        return self.f.write(data)

    def flush(self) -> None:
        self.f.flush()

    @property
    def digest(self) -> str:
        return "sha256:" + self.h.hexdigest()


def write_blob_bytes(blobs_dir: str, data: bytes) -> tuple[str, int]:
    """Store bytes as blobs/sha256/<hex>; returns (digest, size)."""
    digest = hashlib.sha256(data).hexdigest()
    path = os.path.join(blobs_dir, digest)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return "sha256:" + digest, len(data)


def write_layer_blob(blobs_dir: str, layer: Layer, compression: str) -> tuple[str, int, str]:
    """Store a layer as a blob, plain or gzip; returns (digest of the stored bytes, size, diff_id)."""
    tmp = os.path.join(blobs_dir, ".layer.part")
    with open(tmp, "wb") as f:
        stored = HashingWriter(f)
        if compression == "gzip":
            plain, plain_size = hashlib.sha256(), 0
            with gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=stored, mtime=0) as gz:
                for chunk in _chunks(layer):
                    plain.update(chunk)
                    plain_size += len(chunk)
                    gz.write(chunk)
            diff_id = "sha256:" + plain.hexdigest()
        elif compression == "none":
            for chunk in _chunks(layer):
                stored.write(chunk)
            diff_id, plain_size = stored.digest, stored.size
        else:
            raise ValueError(f"compression {compression!r} is not 'none' or 'gzip'")
    os.replace(tmp, os.path.join(blobs_dir, stored.digest.split(":", 1)[1]))
    if layer._diff_id is None:  # now known: spare another pass over the content
        layer._diff_id, layer._tar_size = diff_id, plain_size
    return stored.digest, stored.size, diff_id


def _chunks(layer: Layer):
    from ..fs.tarcodec import layer_chunks
    return layer_chunks(layer)


def tar_directory(directory: str, out_path: str) -> None:
    """Archive a directory's contents, members sorted, owner 0:0, mtime 0 (like Docker's saved archives)."""
    with open(out_path, "wb") as f, tarfile.open(fileobj=f, mode="w", format=tarfile.PAX_FORMAT,
                                                 encoding="utf-8", errors="surrogateescape") as tf:
        for rel in _walk_sorted(directory):
            full = os.path.join(directory, rel)
            st = os.lstat(full)
            ti = tarfile.TarInfo(rel + ("/" if stat.S_ISDIR(st.st_mode) else ""))
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            ti.mtime = 0
            if stat.S_ISDIR(st.st_mode):
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                tf.addfile(ti)
            elif stat.S_ISLNK(st.st_mode):
                ti.type, ti.mode, ti.linkname = tarfile.SYMTYPE, 0o777, os.readlink(full)
                tf.addfile(ti)
            else:
                ti.type, ti.mode, ti.size = tarfile.REGTYPE, 0o644, st.st_size
                with open(full, "rb") as src:
                    tf.addfile(ti, src)


def _walk_sorted(directory: str) -> list[str]:
    """Every path below directory, relative, parents before children, names in byte order."""
    out = []
    for root, dirs, files in os.walk(directory):
        base = os.path.relpath(root, directory)
        for name in dirs + files:
            out.append(name if base == "." else f"{base}/{name}".replace(os.sep, "/"))
    return sorted(out, key=lambda p: p.split("/"))
