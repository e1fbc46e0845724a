"""The OCI image layout (image-spec image-layout.md): `oci-layout`, `index.json` and `blobs/sha256/`.

Reading walks index.json: a manifest is an image; an image index (a
multi-platform image, or Docker's manifest list) is resolved to the platform
asked for, linux/amd64 by default. Tags are the `org.opencontainers.image.ref.name`
annotations (`io.containerd.image.name` wins when Docker 25 wrote both).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass

from ..errors import FormatError
from ..image.model import Image
from . import mediatypes as mt
from .archive import Source
from .blobs import blob_name, check_digest, image_from_config, load_layer, read_config
from .gojson import go_json, parse_json
from .refs import DEFAULT_PLATFORM, Platform, familiar, full, split_tag
from .spool import DEFAULT_MAX_BYTES, Cache
from .writer import tar_directory, write_blob_bytes, write_layer_blob

MAX_INDEX_DEPTH = 4


@dataclass(frozen=True)
class Loaded:
    """One image read from a source: its tags, the Image, and the digest of its manifest."""

    tags: tuple[str, ...]
    image: Image
    manifest_digest: str


# -- reading ------------------------------------------------------------------------------
def read_layout(source: Source, *, cache: Cache, max_bytes: int = DEFAULT_MAX_BYTES,
                platform: "str | Platform | None" = None) -> list[Loaded]:
    """Every image an OCI layout's index.json names, grouped by manifest, in index order."""
    layout = parse_json(source.read(mt.OCI_LAYOUT_FILE, "OCI layout marker"), mt.OCI_LAYOUT_FILE,
                        "the OCI layout marker")
    version = layout.get("imageLayoutVersion")
    if not isinstance(version, str) or not version.startswith("1."):
        raise FormatError(f"{source.label}: oci-layout says imageLayoutVersion {version!r}; layerlab reads "
                          "version 1.x layouts (image-spec image-layout.md)")
    index = parse_json(source.read(mt.OCI_INDEX_FILE, "OCI index"), mt.OCI_INDEX_FILE, "the OCI image index")
    wanted = Platform.parse(platform) if platform is not None else None
    order: list[str] = []
    tags: dict[str, list[str]] = {}
    images: dict[str, Image] = {}
    for i, desc in enumerate(_descriptors(index, mt.OCI_INDEX_FILE)):
        origin = f"{mt.OCI_INDEX_FILE} manifests[{i}]"
        digest, manifest = _resolve(source, desc, origin, wanted, 0)
        if digest not in images:
            images[digest] = _image(source, digest, manifest, cache, max_bytes)
            order.append(digest)
            tags[digest] = []
        tag = _tag_of(desc)
        if tag and tag not in tags[digest]:
            tags[digest].append(tag)
    return [Loaded(tuple(tags[d]), images[d], d) for d in order]


def _descriptors(index: dict, origin: str) -> list[dict]:
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not all(isinstance(d, dict) for d in manifests):
        raise FormatError(f"{origin} has no 'manifests' list of descriptors (image-spec image-index.md)")
    return manifests


def _tag_of(desc: dict) -> str:
    notes = desc.get("annotations")
    if not isinstance(notes, dict):
        return ""
    name = notes.get(mt.ANNOTATION_IMAGE_NAME)
    if isinstance(name, str) and name:
        return familiar(name)
    ref = notes.get(mt.ANNOTATION_REF_NAME)
    if not isinstance(ref, str) or not any(ch in ref for ch in ":/"):
        return ""  # a bare ref.name such as "latest" is only a tag: it names no repository
    return ref


def _blob_json(source: Source, desc: dict, origin: str, what: str) -> tuple[str, dict]:
    digest = check_digest(desc.get("digest"), origin)
    name = blob_name(digest)
    raw = read_config(source, name, digest, origin)
    size = desc.get("size")
    if isinstance(size, int) and size != len(raw):
        raise FormatError(f"{name} is {len(raw)} bytes but {origin} says {size}: the blob was replaced")
    return digest, parse_json(raw, name, what)


def _resolve(source: Source, desc: dict, origin: str, wanted: Platform | None, depth: int) -> tuple[str, dict]:
    """Follow a descriptor to an image manifest, choosing a platform in an image index."""
    if depth > MAX_INDEX_DEPTH:
        raise FormatError(f"{origin} nests image indexes more than {MAX_INDEX_DEPTH} deep: refusing it")
    media = desc.get("mediaType")
    digest, doc = _blob_json(source, desc, origin, "manifest or index")
    if media is None:
        media = doc.get("mediaType") or (mt.OCI_INDEX if "manifests" in doc else mt.OCI_MANIFEST)
    if media in mt.INDEX_TYPES:
        return _resolve(source, _choose(doc, blob_name(digest), wanted), f"{blob_name(digest)} (chosen platform)",
                        wanted, depth + 1)
    if media not in mt.MANIFEST_TYPES:
        raise FormatError(f"{origin} points at a {media!r}, which is not an image manifest or index: the layout "
                          "holds something other than a container image (an artifact?)")
    return digest, doc


def _choose(index: dict, origin: str, wanted: Platform | None) -> dict:
    """The manifest of an image index that fits the platform (linux/amd64 unless told)."""
    want = wanted or DEFAULT_PLATFORM
    offered = []
    for desc in _descriptors(index, origin):
        plat = Platform.from_json(desc.get("platform"))
        if plat is None or plat.os == "unknown":
            continue  # attestations and other non-runnable entries
        offered.append(str(plat))
        if want.accepts(plat):
            return desc
    raise FormatError(f"{origin} is a multi-platform image without a {want} variant (it has: "
                      f"{', '.join(offered) or 'none'}); pass platform='os/arch' to choose one")


def _image(source: Source, digest: str, manifest: dict, cache: Cache, max_bytes: int) -> Image:
    where = blob_name(digest)
    config = manifest.get("config")
    layers = manifest.get("layers")
    if not isinstance(config, dict) or not isinstance(layers, list) or not all(isinstance(d, dict) for d in layers):
        raise FormatError(f"{where} is not an image manifest: it needs a 'config' descriptor and a 'layers' list "
                          "(image-spec manifest.md)")
    config_digest = check_digest(config.get("digest"), f"{where} config")
    if config.get("mediaType") not in (None, *mt.CONFIG_TYPES):
        raise FormatError(f"{where}: config has media type {config.get('mediaType')!r}, not an image config: "
                          "this manifest describes an artifact, not a container image")
    raw = read_config(source, blob_name(config_digest), config_digest, f"{where} config")
    diff_ids = _diff_ids(raw, blob_name(config_digest))
    loaded = []
    for i, desc in enumerate(layers):
        origin = f"{where} layers[{i}]"
        layer_digest = check_digest(desc.get("digest"), origin)
        media = desc.get("mediaType", mt.OCI_LAYER)
        if not mt.compression_of(media):
            raise FormatError(f"{origin} has media type {media!r}, which is not a layer layerlab can read "
                              "(tar, tar+gzip or tar+zstd)")
        size = desc.get("size") if isinstance(desc.get("size"), int) else None
        loaded.append(load_layer(source, blob_name(layer_digest), cache=cache, max_bytes=max_bytes,
                                 expected_digest=layer_digest, expected_size=size,
                                 expected_diff_id=diff_ids[i] if i < len(diff_ids) else None, who=origin))
    return image_from_config(raw, loaded, blob_name(config_digest))


def _diff_ids(raw: bytes, name: str) -> list:
    data = parse_json(raw, name, "image config")
    rootfs = data.get("rootfs")
    ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
    return ids if isinstance(ids, list) else []


# -- writing ------------------------------------------------------------------------------
def manifest_bytes(image: Image, config: tuple[str, int], layers: list[tuple[str, int, str]],
                   layer_media: str) -> bytes:
    """The OCI image manifest of an image, as Go would marshal it."""
    return go_json({
        "schemaVersion": 2,
        "mediaType": mt.OCI_MANIFEST,
        "config": {"mediaType": mt.OCI_CONFIG, "digest": config[0], "size": config[1]},
        "layers": [{"mediaType": layer_media, "digest": d, "size": s} for d, s, _ in layers],
    })


@dataclass(frozen=True)
class Written:
    """What write_layout stored for one image: manifest, config and layer descriptors."""

    tags: tuple[str, ...]
    image: Image
    manifest: tuple[str, int]
    config: tuple[str, int]
    layers: tuple[tuple[str, int, str], ...]


def write_layout(images, directory: str, *, compression: str = "none", docker: bool = False) -> list[Written]:
    """Write images into an OCI layout directory; docker=True annotates tags the way Docker 25's save does."""
    if compression not in ("none", "gzip"):
        raise FormatError(f"compression {compression!r} is not 'none' or 'gzip'")
    blobs = os.path.join(directory, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    media = mt.layer_type(compression)
    stored: dict[tuple[int, str], tuple[str, int, str]] = {}
    written, entries = [], []
    for tags, image in images:
        layers = []
        for layer in image.layers:
            key = (id(layer), compression)
            if key not in stored:
                stored[key] = write_layer_blob(blobs, layer, compression)
            layers.append(stored[key])
        config = write_blob_bytes(blobs, image.config_bytes())
        manifest = write_blob_bytes(blobs, manifest_bytes(image, config, layers, media))
        written.append(Written(tuple(tags), image, manifest, config, tuple(layers)))
        base = {"mediaType": mt.OCI_MANIFEST, "digest": manifest[0], "size": manifest[1]}
        if docker:
            base["platform"] = {"architecture": image.architecture, "os": image.os}
        for tag in tags or ():
            if docker:
                name = full(tag)
                notes = {mt.ANNOTATION_IMAGE_NAME: name, mt.ANNOTATION_REF_NAME: split_tag(name)[1]}
            else:
                notes = {mt.ANNOTATION_REF_NAME: tag}
            entries.append({**base, "annotations": dict(sorted(notes.items()))})
        if not tags:
            entries.append(base)
    with open(os.path.join(directory, mt.OCI_LAYOUT_FILE), "wb") as f:
        f.write(go_json({"imageLayoutVersion": mt.OCI_LAYOUT_VERSION}))
    index = {"schemaVersion": 2, "mediaType": mt.OCI_INDEX, "manifests": entries}
    with open(os.path.join(directory, mt.OCI_INDEX_FILE), "wb") as f:
        f.write(go_json(index))
    return written


def save_oci_layout(images, path, *, tar: bool = False, compression: str = "none") -> None:
    """Write images as an OCI image layout: a directory, or a tar of one (what `skopeo copy oci-archive:` makes).

    images is a sequence of (tags, Image); each tag becomes an `org.opencontainers.image.ref.name`.
    """
    path = os.fspath(path)
    images = [(tuple(tags or ()), image) for tags, image in images]
    if not tar:
        if os.path.exists(os.path.join(path, mt.OCI_INDEX_FILE)):
            raise FormatError(f"{os.path.basename(path)} already holds an OCI layout: write to a new directory")
        write_layout(images, path, compression=compression)
        return
    work = tempfile.mkdtemp(prefix=".layerlab-save-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        write_layout(images, work, compression=compression)
        tar_directory(work, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
