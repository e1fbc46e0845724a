"""Small hand-made models for the view tests: every byte and every name is chosen here, so exact text holds."""

from __future__ import annotations

from layerlab import DIR, OPAQUE, WHITEOUT, HistoryEntry, Image, Layer, Mount, merge
from layerlab.fs.worktree import WorkTree
from layerlab.runtime.container import make_container

VOLUME_DATA = "/var/lib/docker/volumes/vol1/_data"


def tiny_image() -> Image:
    """Two layers and a config-only step: a base with /etc and /bin, then an app layer."""
    return Image(
        layers=(Layer.from_spec({"/etc/motd": "hi\n", "/etc/issue": "Debian\n", "/bin/sh": "#!"},
                                created_by="/bin/sh -c #(nop) ADD file:" + "ab" * 32 + " in / "),
                Layer.from_spec({"/app/run.sh": "echo hi\n"}, created_by="COPY run.sh /app/ # buildkit")),
        history=(HistoryEntry("/bin/sh -c #(nop) ADD file:" + "ab" * 32 + " in / "),
                 HistoryEntry("COPY run.sh /app/ # buildkit", comment="buildkit.dockerfile.v0"),
                 HistoryEntry('CMD ["/app/run.sh"]', empty_layer=True, comment="buildkit.dockerfile.v0")))


def whiteout_image() -> Image:
    """A layer that deletes a file and makes a directory opaque."""
    return Image(
        layers=(Layer.from_spec({"/etc/motd": "hi\n", "/opt/old": "1", "/usr/bin/tool": "x" * 2000},
                                created_by="ADD base.tar /"),
                Layer.from_spec({"/etc/motd": WHITEOUT, "/opt/": OPAQUE, "/opt/new": "22"},
                                created_by="RUN rm /etc/motd && rm -rf /opt && mkdir /opt && echo 22 > /opt/new")),
        history=(HistoryEntry("ADD base.tar /"),
                 HistoryEntry("RUN rm /etc/motd && rm -rf /opt && mkdir /opt && echo 22 > /opt/new")))


def many_layer_image(n: int = 40) -> Image:
    """n one-file layers, each from a COPY, with a config-only step every fifth step."""
    layers, history = [], []
    for i in range(n):
        layers.append(Layer.from_spec({f"/files/f{i:02d}": "x" * (i + 1)}, created_by=f"COPY f{i:02d} /files/"))
        history.append(HistoryEntry(f"COPY f{i:02d} /files/"))
        if i % 5 == 4:
            history.append(HistoryEntry(f"ENV STEP={i}", empty_layer=True))
    return Image(layers=tuple(layers), history=tuple(history))


def tiny_container(image: Image | None = None):
    """A container of tiny_image with a volume at /data holding 'out', after: write /etc/conf, rm /etc/motd,
    chmod /etc/issue (a copy-up)."""
    image = image or tiny_image()
    host = WorkTree(merge([Layer.from_spec({VOLUME_DATA + "/": DIR, "/var/lib/docker/containers/": DIR})]))
    c = make_container(id="c" * 64, name="test_box", image=image, image_ref="app", config=image.config,
                       hostname="cccccccccccc", created=0, host=host,
                       mounts=[Mount("volume", "vol1", "/data", VOLUME_DATA)], clock=lambda: 5)
    c.rootfs.write("/etc/conf", b"x\n")
    c.rootfs.unlink("/etc/motd")
    c.rootfs.chmod("/etc/issue", 0o600)
    host.write(VOLUME_DATA + "/out", b"hi\n")
    return c
