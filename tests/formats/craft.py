"""Hand-made archives for security tests: tars with exactly the members a test wants, good or evil."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def tar_of(*members, end: bool = True) -> bytes:
    """A tar from (name, data) or (name, data, options) rows; options set TarInfo fields (type, linkname...)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as tf:
        for row in members:
            name, data = row[0], row[1]
            ti = tarfile.TarInfo(name)
            for key, value in (row[2] if len(row) > 2 else {}).items():
                setattr(ti, key, value)
            if ti.type in (tarfile.REGTYPE, tarfile.AREGTYPE):
                ti.size = len(data)
                tf.addfile(ti, io.BytesIO(data))
            else:
                tf.addfile(ti)
    return buf.getvalue()


def config_for(layers: list[bytes], **extra) -> bytes:
    data = {"architecture": "amd64", "os": "linux", "config": {},
            "rootfs": {"type": "layers", "diff_ids": [sha(l) for l in layers]},
            "history": [{"created_by": f"layer {i}"} for i in range(len(layers))]}
    data.update(extra)
    return json.dumps(data).encode()


def docker_archive(layers: list[bytes], *, config: bytes | None = None, layer_names=None, extra=(),
                   manifest=None) -> bytes:
    """A legacy-style `docker save` tar holding the given raw layer tars."""
    config = config if config is not None else config_for(layers)
    names = layer_names or [f"l{i}/layer.tar" for i in range(len(layers))]
    cname = hashlib.sha256(config).hexdigest() + ".json"
    manifest = manifest if manifest is not None else [{"Config": cname, "RepoTags": ["evil:latest"],
                                                       "Layers": names}]
    rows = [(cname, config), *zip(names, layers), ("manifest.json", json.dumps(manifest).encode()), *extra]
    return tar_of(*rows)


def oci_layout_tar(layers: list[bytes], *, config: bytes | None = None, index: bytes | None = None,
                   media: str = "application/vnd.oci.image.layer.v1.tar", drop=(),
                   manifest_media: str = "application/vnd.oci.image.manifest.v1+json",
                   config_media: str = "application/vnd.oci.image.config.v1+json") -> bytes:
    """An OCI layout tar holding the given raw (maybe compressed) layer blobs."""
    import gzip
    plain = [gzip.decompress(l) if l[:2] == b"\x1f\x8b" else l for l in layers]
    config = config if config is not None else config_for(plain)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": manifest_media,
                           "config": {"mediaType": config_media,
                                      "digest": sha(config), "size": len(config)},
                           "layers": [{"mediaType": media, "digest": sha(l), "size": len(l)}
                                      for l in layers]}).encode()
    index = index if index is not None else json.dumps(
        {"schemaVersion": 2, "manifests": [{"mediaType": manifest_media,
                                            "digest": sha(manifest), "size": len(manifest),
                                            "annotations": {"org.opencontainers.image.ref.name": "t"}}]}).encode()
    blobs = [(f"blobs/sha256/{sha(b)[7:]}", b) for b in [config, manifest, *layers] if sha(b) not in drop]
    return tar_of(("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index), *blobs)
