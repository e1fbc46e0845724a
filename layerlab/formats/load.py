"""Load any image file: sniff what it is, then read it with the matching reader.

| what is at the path                                    | detect_format           |
|--------------------------------------------------------|-------------------------|
| a directory with `oci-layout`                          | "oci-dir"               |
| a tar with manifest.json and oci-layout + index.json   | "docker-archive-oci"    |
| a tar with manifest.json only                          | "docker-archive-legacy" |
| a tar with oci-layout + index.json only                | "oci-tar"               |
| any other tar (a filesystem)                           | "export"                |

A gzip-compressed archive (`docker save | gzip`) is decompressed to the cache first.
"""

from __future__ import annotations

import os

from ..errors import FormatError, NotFoundError
from ..image.model import Image
from . import mediatypes as mt
from .archive import DirSource, Source, TarSource, top_level_names
from .docker_archive import read_archive
from .export import read_export
from .oci import Loaded, read_layout
from .refs import matches
from .spool import DEFAULT_MAX_BYTES, Cache, cache_for, sniff, spool

FORMATS = ("docker-archive-legacy", "docker-archive-oci", "oci-dir", "oci-tar", "export")


def open_source(path, cache: Cache, max_bytes: int = DEFAULT_MAX_BYTES) -> Source:
    """A directory or an archive (decompressed to the cache when gzip or zstd)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return DirSource(path)
    if not os.path.isfile(path):
        raise NotFoundError(f"{path}: no such file or directory: give the path of an image archive or layout")
    with open(path, "rb") as f:
        head = f.read(8)
    if sniff(head) != "none":
        folder, name = os.path.split(os.path.realpath(path))
        spooled = spool(DirSource(folder).chunks(name), cache=cache, member=name, max_bytes=max_bytes)
        return TarSource(spooled.path, label=name)
    return TarSource(path)


def kind_of(source: Source) -> str:
    """The format name for an opened source (see the table above)."""
    names = top_level_names(source)
    oci = mt.OCI_LAYOUT_FILE in names and mt.OCI_INDEX_FILE in names
    if isinstance(source, DirSource):
        if mt.OCI_LAYOUT_FILE in names:
            return "oci-dir"
        if mt.DOCKER_MANIFEST_FILE in names:
            return "docker-archive-oci" if oci else "docker-archive-legacy"
        raise FormatError(f"{source.label} is a directory without oci-layout or manifest.json: it is neither an "
                          "OCI image layout nor an unpacked `docker save` archive")
    if mt.DOCKER_MANIFEST_FILE in names:
        return "docker-archive-oci" if oci else "docker-archive-legacy"
    if oci:
        return "oci-tar"
    return "export"


def detect_format(path, *, cache_dir=None) -> str:
    """What kind of image file a path holds: one of FORMATS."""
    return kind_of(open_source(path, cache_for(cache_dir)))


def _read(path, platform, cache_dir, max_bytes) -> list[Loaded]:
    cache = cache_for(cache_dir)
    source = open_source(path, cache, max_bytes)
    kind = kind_of(source)
    if kind in ("oci-dir", "oci-tar"):
        return read_layout(source, cache=cache, max_bytes=max_bytes, platform=platform)
    if kind.startswith("docker-archive"):
        return read_archive(source, cache=cache, max_bytes=max_bytes)
    target = source.path if isinstance(source, TarSource) else os.fspath(path)
    image = read_export(target, cache=cache, max_bytes=max_bytes)
    return [Loaded((), image, image.id)]


def load_images(path, *, platform=None, cache_dir=None, max_bytes: int = DEFAULT_MAX_BYTES
                ) -> list[tuple[tuple[str, ...], Image]]:
    """Every image in an archive or layout, with its tags, in the order the file lists them."""
    return [(loaded.tags, loaded.image) for loaded in _read(path, platform, cache_dir, max_bytes)]


def load_image(path, *, ref: str | None = None, platform=None, cache_dir=None,
               max_bytes: int = DEFAULT_MAX_BYTES) -> Image:
    """The image in an archive or layout; ref picks one when there are several (a tag such as 'app:v2').

    platform ('linux/arm64') picks from a multi-platform index; linux/amd64 by
    default. cache_dir keeps spooled blobs there instead of a temporary
    directory; max_bytes bounds how far one compressed blob may expand.
    """
    found = _read(path, platform, cache_dir, max_bytes)
    if not found:
        raise NotFoundError(f"{os.path.basename(os.fspath(path))} holds no image: its index lists none")
    if ref is not None:
        chosen = [f for f in found if matches(ref, f.tags) or f.manifest_digest == ref or f.image.id == ref]
        if not chosen:
            tags = sorted(t for f in found for t in f.tags)
            raise NotFoundError(f"no image tagged {ref!r} in {os.path.basename(os.fspath(path))} (it holds: "
                                f"{', '.join(tags) or 'untagged images only'})")
        return chosen[0].image
    if len(found) > 1:
        tags = ", ".join(" ".join(f.tags) or f.image.short_id for f in found)
        raise FormatError(f"{os.path.basename(os.fspath(path))} holds {len(found)} images ({tags}): pass ref= to "
                          "choose one, or use load_images()")
    return found[0].image
