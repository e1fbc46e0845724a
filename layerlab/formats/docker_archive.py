"""What `docker save` writes and `docker load` reads: manifest.json, configs, layer tars, repositories.

Two layouts exist. Docker up to 24 ("legacy") stores each layer as
`<v1id>/layer.tar` beside `<v1id>/VERSION` and `<v1id>/json`, and each config as
`<hex>.json`. Docker 25+ stores an OCI image layout (`oci-layout`, `index.json`,
`blobs/sha256/`, uncompressed layers) and keeps manifest.json and
repositories pointing into `blobs/`. `docker load` reads only manifest.json,
so this reader reads both layouts (and the containers/image variant written by
`skopeo`, `podman` and `buildah`, with `<diffid>.tar` layers).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile

from ..errors import FormatError
from ..fs.tarcodec import chain_id
from ..image.model import EPOCH, Image
from . import mediatypes as mt
from .archive import Source, clean_name
from .blobs import image_from_config, load_layer, read_config
from .gojson import go_json, parse_json
from .oci import Loaded, write_layout
from .refs import familiar, split_tag
from .spool import DEFAULT_MAX_BYTES, Cache
from .writer import tar_directory

_HEX_NAME = re.compile(r"(?:blobs/sha256/)?([0-9a-f]{64})(?:\.json)?")
_BLOB_NAME = re.compile(r"blobs/sha256/([0-9a-f]{64})")


# -- reading ------------------------------------------------------------------------------
def read_archive(source: Source, *, cache: Cache, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Loaded]:
    """Every image manifest.json lists, the way `docker load` reads it (either layout)."""
    if source.member(mt.DOCKER_MANIFEST_FILE) is None:
        raise FormatError(f"{source.label} has no manifest.json: it is not an archive written by `docker save` "
                          "(a pre-2016 archive holds only 'repositories'; re-save it with a newer Docker)")
    items = parse_json(source.read(mt.DOCKER_MANIFEST_FILE, "docker manifest"), mt.DOCKER_MANIFEST_FILE,
                       "the list of saved images", kind=list)
    out = []
    for i, item in enumerate(items):
        origin = f"manifest.json[{i}]"
        if not isinstance(item, dict):
            raise FormatError(f"{origin} is not an object with Config, RepoTags and Layers")
        config_name, layer_names, tags = item.get("Config"), item.get("Layers"), item.get("RepoTags") or []
        if not isinstance(config_name, str) or not isinstance(layer_names, list) \
                or not all(isinstance(n, str) for n in layer_names) \
                or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise FormatError(f"{origin} needs Config (a file name), Layers (a list of file names) and RepoTags "
                              "(a list of names): the archive was not written by `docker save`")
        config_name = clean_name(config_name, f"{origin} Config")
        named = _HEX_NAME.fullmatch(config_name)
        raw = read_config(source, config_name, "sha256:" + named.group(1) if named else None,
                          f"its file name ({origin} Config)")
        data = parse_json(raw, config_name, "image config")
        rootfs = data.get("rootfs")
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
        diff_ids = diff_ids if isinstance(diff_ids, list) else []
        layers = []
        for j, name in enumerate(layer_names):
            name = clean_name(name, f"{origin} Layers[{j}]")
            blob = _BLOB_NAME.fullmatch(name)
            layers.append(load_layer(source, name, cache=cache, max_bytes=max_bytes,
                                     expected_digest="sha256:" + blob.group(1) if blob else None,
                                     expected_diff_id=diff_ids[j] if j < len(diff_ids) else None,
                                     who=f"its file name ({origin} Layers[{j}])"))
        image = image_from_config(raw, layers, config_name)
        out.append(Loaded(tuple(tags), image, image.id))
    return out


# -- writing ------------------------------------------------------------------------------
ZERO_CONTAINER_CONFIG = {
    "Hostname": "", "Domainname": "", "User": "", "AttachStdin": False, "AttachStdout": False,
    "AttachStderr": False, "Tty": False, "OpenStdin": False, "StdinOnce": False, "Env": None, "Cmd": None,
    "Image": "", "Volumes": None, "WorkingDir": "", "Entrypoint": None, "OnBuild": None, "Labels": None,
}
"""An empty container.Config as Go marshals it: what the `json` of a lower layer carries."""


def _v1_image(config: dict | None) -> dict:
    """The fields of Docker's V1Image (struct order, omitempty as Go applies it), from an image config."""
    c = config or {}
    out: dict = {}
    if c.get("comment"):
        out["comment"] = c["comment"]
    out["created"] = c.get("created", EPOCH)
    if c.get("container"):
        out["container"] = c["container"]
    out["container_config"] = c.get("container_config") or ZERO_CONTAINER_CONFIG
    for key in ("docker_version", "author"):
        if c.get(key):
            out[key] = c[key]
    if c.get("config") is not None:
        out["config"] = c["config"]
    for key in ("architecture", "variant"):
        if c.get(key):
            out[key] = c[key]
    return out


def v1_layers(image: Image) -> list[tuple[str, bytes]]:
    """(v1 id, `<id>/json` bytes) per layer, computed as moby's v1.CreateID does for `docker save`."""
    import json
    config = json.loads(image.config_bytes())
    out = []
    parent = ""
    diff_ids = image.diff_ids
    for i in range(len(diff_ids)):
        top = i == len(diff_ids) - 1
        v1 = _v1_image(config) if top else {"created": EPOCH, "container_config": ZERO_CONTAINER_CONFIG}
        keyed = dict(v1, layer_id=chain_id(diff_ids[:i + 1]))
        if parent:
            keyed["parent"] = "sha256:" + parent
        v1_id = hashlib.sha256(go_json(keyed, sort_keys=True)).hexdigest()
        body = {"id": v1_id}
        if parent:
            body["parent"] = parent
        body.update(v1)
        body["os"] = image.os
        out.append((v1_id, go_json(body)))
        parent = v1_id
    return out


def save_docker_archive(images, path, *, layout: str = "oci") -> None:
    """Write what `docker save` writes: layout='oci' (Docker 25+) or 'legacy' (Docker <= 24).

    images is a sequence of (tags, Image); tags are names such as 'app:latest'
    (a missing tag means ':latest', as Docker reads it).
    """
    if layout not in ("oci", "legacy"):
        raise FormatError(f"layout {layout!r} is not 'oci' (Docker 25+) or 'legacy' (Docker <= 24)")
    images = [(tuple(familiar(t) for t in (tags or ())), image) for tags, image in images]
    for tags, image in images:
        if not image.layers:
            raise FormatError(f"image {tags[0] if tags else image.short_id} has no layers: `docker save` refuses "
                              "it ('empty export - not implemented'); save it as an OCI layout instead")
    path = os.fspath(path)
    work = tempfile.mkdtemp(prefix=".layerlab-save-", dir=os.path.dirname(os.path.abspath(path)))
    try:
        (_write_oci if layout == "oci" else _write_legacy)(images, work)
        tar_directory(work, path)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _repositories(repos: dict, tags, top: str) -> None:
    for tag in tags:
        name, t = split_tag(tag)
        repos.setdefault(name, {})[t] = top


def _write_oci(images, work: str) -> None:
    written = write_layout(images, work, compression="none", docker=True)
    manifest, repos = [], {}
    for w in written:
        manifest.append({"Config": "blobs/sha256/" + w.config[0].split(":", 1)[1],
                         "RepoTags": list(w.tags) or None,
                         "Layers": ["blobs/sha256/" + d.split(":", 1)[1] for d, _, _ in w.layers]})
        _repositories(repos, w.tags, w.layers[-1][2].split(":", 1)[1])
    _write_docker_files(work, manifest, repos)


def _write_legacy(images, work: str) -> None:
    manifest, repos = [], {}
    saved: dict[str, str] = {}  # diff_id -> first <v1id>/layer.tar written for it
    for tags, image in images:
        names = []
        for (v1_id, body), layer in zip(v1_layers(image), image.layers):
            name = f"{v1_id}/layer.tar"
            names.append(name)
            folder = os.path.join(work, v1_id)
            if os.path.isdir(folder):
                continue
            os.makedirs(folder)
            with open(os.path.join(folder, "VERSION"), "wb") as f:
                f.write(b"1.0")
            with open(os.path.join(folder, "json"), "wb") as f:
                f.write(body)
            if layer.diff_id in saved:
                os.symlink("../" + saved[layer.diff_id], os.path.join(folder, "layer.tar"))
            else:
                with open(os.path.join(folder, "layer.tar"), "wb") as f:
                    layer.write_tar(f)
                saved[layer.diff_id] = name
        config_name = image.id.split(":", 1)[1] + ".json"
        with open(os.path.join(work, config_name), "wb") as f:
            f.write(image.config_bytes())
        manifest.append({"Config": config_name, "RepoTags": list(tags) or None, "Layers": names})
        _repositories(repos, tags, names[-1].split("/", 1)[0])
    _write_docker_files(work, manifest, repos)


def _write_docker_files(work: str, manifest: list, repos: dict) -> None:
    with open(os.path.join(work, mt.DOCKER_MANIFEST_FILE), "wb") as f:
        f.write(go_json(manifest, newline=True))
    if repos:
        with open(os.path.join(work, mt.REPOSITORIES_FILE), "wb") as f:
            f.write(go_json(repos, sort_keys=True, newline=True))
