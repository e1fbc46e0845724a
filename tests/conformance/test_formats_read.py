"""Images made by buildah and podman, read by layerlab: the merged view equals `umoci unpack` of the same
image and the history equals the real config's (created_by, empty_layer)."""

from __future__ import annotations

import json

import pytest

from layerlab.formats import detect_format, load_image, load_images
from layerlab.image.model import HistoryEntry

from .conftest import (hardlink_groups, snapshot_hardlink_groups, snapshot_tree, tree_diff, tree_of,
                       umoci_rootfs)

DOCKERFILE = """\
FROM localhost/base:latest
RUN mkdir -p /d/sub /gone && echo a > /d/a && echo b > /d/sub/b && echo keep > /keep && echo x > /f \\
    && echo file > /rep && echo g > /gone/g
RUN rm -rf /d && mkdir /d && echo new > /d/n && rm /keep && rm -rf /gone && chmod 4755 /f && ln /f /hl \\
    && ln -s /f /sl && rm /rep && mkdir /rep && echo in > /rep/in
ENV FOO=bar
CMD ["/bin/sh"]
"""


def real_history(layout) -> list[HistoryEntry]:
    """The history of the image in an OCI layout, straight from its config JSON (not through layerlab)."""
    index = json.loads((layout / "index.json").read_text())
    blobs = layout / "blobs" / "sha256"
    manifest = json.loads((blobs / index["manifests"][0]["digest"].split(":")[1]).read_text())
    config = json.loads((blobs / manifest["config"]["digest"].split(":")[1]).read_text())
    return [(h.get("created_by", ""), bool(h.get("empty_layer", False))) for h in config["history"]]


def history_of(image) -> list:
    return [(h.created_by, h.empty_layer) for h in image.history]


def assert_same_rootfs(rootfs, image):
    assert tree_diff(tree_of(rootfs), snapshot_tree(image.rootfs)) == []
    assert hardlink_groups(rootfs) == snapshot_hardlink_groups(image.rootfs)


def check_our_story(image):
    """The Dockerfile's effects, as a learner would check them."""
    snap = image.rootfs
    assert snap.listdir("/d") == ["n"]
    assert not snap.exists("/keep") and not snap.exists("/gone")
    assert snap.stat("/f").mode == 0o4755 and snap.stat("/f").nlink == 2
    assert snap.readlink("/sl") == "/f" and snap.read("/rep/in") == b"in\n"


@pytest.fixture(scope="module", params=["vfs", "overlay"])
def built_by_buildah(request, buildah, buildah_overlay, busybox_base, tools_root):
    tool = buildah if request.param == "vfs" else buildah_overlay
    busybox_base.load_into(tool) if request.param != "vfs" else None
    work = tools_root / f"bud-{request.param}"
    (work / "ctx").mkdir(parents=True)
    (work / "ctx" / "Dockerfile").write_text(DOCKERFILE)
    tool("bud", "--layers", "--isolation", "chroot", "-q", "-f", work / "ctx" / "Dockerfile", "-t", "app",
         work / "ctx")
    tool("push", "-q", "app", f"oci:{work / 'oci'}:latest")
    tool("push", "-q", "app", f"docker-archive:{work / 'app.tar'}:app:latest")
    return request.param, work


def test_buildah_oci_layout_matches_umoci(built_by_buildah, umoci):
    driver, work = built_by_buildah
    image = load_image(work / "oci")
    assert_same_rootfs(umoci_rootfs(umoci, work / "oci", "latest", work / "bundle"), image)
    assert history_of(image) == real_history(work / "oci")
    check_our_story(image)


def test_buildah_docker_archive_equals_its_oci_layout(built_by_buildah):
    driver, work = built_by_buildah
    assert detect_format(work / "app.tar") == "docker-archive-legacy"
    [(tags, image)] = load_images(work / "app.tar")
    assert "localhost/app:latest" in tags
    from_oci = load_image(work / "oci")
    assert image == from_oci and image.id == from_oci.id
    assert history_of(image) == real_history(work / "oci")


def test_buildah_drivers_write_whiteouts_differently(built_by_buildah):
    driver, work = built_by_buildah
    image = load_image(work / "oci")
    rebuilt = image.layers[2]  # the RUN that removes and recreates /d
    if driver == "overlay":
        assert "/d" in rebuilt.opaques, "overlay records rm -rf d && mkdir d as an opaque directory"
    else:
        assert "/d" not in rebuilt.opaques and {"/d/a", "/d/sub"} <= set(rebuilt.whiteouts)


@pytest.fixture(scope="module")
def built_by_podman(podman, busybox_base, tools_root):
    busybox_base.load_into(podman)
    work = tools_root / "podman-build"
    (work / "ctx").mkdir(parents=True)
    (work / "ctx" / "Dockerfile").write_text(DOCKERFILE)
    podman("build", "--layers", "--isolation", "chroot", "-q", "-f", work / "ctx" / "Dockerfile", "-t", "papp",
           work / "ctx")
    podman("save", "--format", "docker-archive", "-o", work / "docker.tar", "papp")
    podman("save", "--format", "oci-dir", "-o", work / "oci-dir", "papp")
    podman("save", "--format", "oci-archive", "-o", work / "oci.tar", "papp")
    return work


@pytest.mark.parametrize("name,kind", [("docker.tar", "docker-archive-legacy"), ("oci-dir", "oci-dir"),
                                       ("oci.tar", "oci-tar")])
def test_podman_save_formats_load_and_match_umoci(built_by_podman, name, kind, skopeo, umoci):
    work = built_by_podman
    assert detect_format(work / name) == kind
    image = load_image(work / name)
    layout = work / f"as-oci-{name}"
    if not layout.exists():
        transport = {"docker.tar": "docker-archive:{}", "oci-dir": "oci:{}", "oci.tar": "oci-archive:{}"}[name]
        skopeo("copy", "-q", transport.format(work / name), f"oci:{layout}:t")
    assert_same_rootfs(umoci_rootfs(umoci, layout, "t", work / f"bundle-{name}"), image)
    assert history_of(image) == real_history(layout)
    check_our_story(image)
