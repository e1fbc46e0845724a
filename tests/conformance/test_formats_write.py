"""Images written by layerlab, checked by real tools: skopeo inspects and copies them, podman loads them,
and `umoci unpack` gives the root filesystem layerlab's merged view predicts."""

from __future__ import annotations

import json

import pytest

from layerlab.formats import load_image, save_docker_archive, save_oci_layout, unpack
from tests.formats.samples import rich_image

from .conftest import (hardlink_groups, snapshot_hardlink_groups, snapshot_tree, tree_diff, tree_of,
                       umoci_rootfs)

TAG = "app"

# (name, how layerlab writes it, the skopeo transport that reads it, layers stored uncompressed?)
ROWS = [
    ("docker-archive-oci", lambda img, p: save_docker_archive([(("app:latest",), img)], p), "docker-archive:{p}",
     True),
    ("docker-archive-legacy", lambda img, p: save_docker_archive([(("app:latest",), img)], p, layout="legacy"),
     "docker-archive:{p}", True),
    ("oci-dir", lambda img, p: save_oci_layout([((TAG,), img)], p), "oci:{p}:" + TAG, True),
    ("oci-dir-gzip", lambda img, p: save_oci_layout([((TAG,), img)], p, compression="gzip"), "oci:{p}:" + TAG,
     False),
    ("oci-tar", lambda img, p: save_oci_layout([((TAG,), img)], p, tar=True), "oci-archive:{p}:" + TAG, True),
]


@pytest.fixture(scope="module")
def image():
    return rich_image()


@pytest.fixture(params=ROWS, ids=[r[0] for r in ROWS])
def written(request, image, tmp_path):
    name, save, transport, plain = request.param
    path = tmp_path / (name + (".tar" if "tar" in name or "archive" in name else ""))
    save(image, path)
    return name, path, transport.format(p=path), plain


def test_skopeo_inspect_sees_our_layers_and_config(written, image, skopeo):
    name, path, transport, plain = written
    info = json.loads(skopeo("inspect", transport))
    assert len(info["Layers"]) == len(image.layers)
    if plain:
        assert info["Layers"] == image.diff_ids
    raw_config = skopeo("inspect", "--raw", "--config", transport).encode()
    assert raw_config == image.config_bytes()


def test_skopeo_copies_there_and_back(written, image, skopeo, tmp_path):
    name, path, transport, _ = written
    oci = tmp_path / "copy-oci"
    skopeo("copy", "-q", transport, f"oci:{oci}:{TAG}")
    copied = load_image(oci)
    assert copied == image
    assert json.loads(copied.config_bytes()) == json.loads(image.config_bytes())
    if name.startswith("docker-archive"):
        # Observed: converting a Docker manifest to OCI re-marshals the config in OCI field order, so the
        # same content gets another Image ID; OCI-to-OCI copies keep the exact bytes.
        assert copied.config_bytes() != image.config_bytes()
    else:
        assert copied.id == image.id
    back = tmp_path / "back.tar"
    skopeo("copy", "-q", f"oci:{oci}:{TAG}", f"docker-archive:{back}:app:latest")
    again = load_image(back)
    assert again == image and again.id == copied.id


def test_podman_loads_it_with_the_same_image_id(written, image, podman):
    name, path, _, _ = written
    out = podman("load", "-i", path)
    assert "Loaded image" in out, out
    ids = podman("images", "-q", "--no-trunc").split()
    assert image.id in ids, (out, ids)
    podman("rmi", "-f", image.id)


def test_umoci_unpack_equals_the_merged_view(written, image, skopeo, umoci, tmp_path):
    name, path, transport, _ = written
    layout = path
    if not name.startswith("oci-dir"):
        layout = tmp_path / "as-oci"
        skopeo("copy", "-q", transport, f"oci:{layout}:{TAG}")
    rootfs = umoci_rootfs(umoci, layout, TAG, tmp_path / "bundle")
    model = load_image(path).rootfs
    assert tree_diff(tree_of(rootfs), snapshot_tree(model)) == []
    assert hardlink_groups(rootfs) == snapshot_hardlink_groups(model) == {frozenset({"/bin/tool", "/bin/tool-link"})}


def test_layerlab_unpack_equals_umoci_unpack(image, umoci, tmp_path):
    layout = tmp_path / "oci"
    save_oci_layout([((TAG,), image)], layout)
    real = umoci_rootfs(umoci, layout, TAG, tmp_path / "bundle")
    ours = unpack(image, tmp_path / "ours").directory
    assert tree_diff(tree_of(real), tree_of(ours)) == []
    assert hardlink_groups(real) == hardlink_groups(ours)
