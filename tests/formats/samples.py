"""Sample images for format tests: small, but with every case a format must carry."""

from __future__ import annotations

from layerlab import DIR, OPAQUE, WHITEOUT, Dir, File, HardLink, Layer, Symlink
from layerlab.image import HistoryEntry, Image, ImageConfig


def rich_image() -> Image:
    """Whiteouts, an opaque dir, a hard link, a symlink, a setuid file, a file replaced by a directory, owners."""
    base = Layer.from_spec({
        "/bin/": DIR,
        "/bin/tool": File("tool v1\n", mode=0o755),
        "/etc/motd": "hello\n",
        "/d/a": "a\n",
        "/d/sub/b": "b\n",
        "/keep": "keep\n",
        "/gone": "gone\n",
        "/olddir/x": "x\n",
        "/rep": "I was a file\n",
        "/home/u/": Dir(mode=0o750, uid=1000, gid=1000),
        "/home/u/notes": File("mine\n", mode=0o600, uid=1000, gid=1000),
    }, created_by="ADD rootfs.tar /")
    top = Layer.from_spec({
        "/gone": WHITEOUT,
        "/olddir": WHITEOUT,
        "/d/": OPAQUE,
        "/d/new": "new\n",
        "/bin/tool": File("tool v2\n", mode=0o4755),
        "/bin/tool-link": HardLink("/bin/tool"),
        "/etc/motd.link": Symlink("motd"),
        "/rep/": DIR,
        "/rep/inside": "now a dir\n",
        "/tmp/": Dir(mode=0o1777),
    }, created_by="RUN change things")
    history = (HistoryEntry("ADD rootfs.tar /"), HistoryEntry("RUN change things"),
               HistoryEntry("ENV A=b", empty_layer=True))
    return Image(layers=(base, top), config=ImageConfig(env=("PATH=/bin", "A=b"), cmd=("/bin/sh",)),
                 history=history)


def small_image(text: str = "hi\n") -> Image:
    """One layer, one file."""
    return Image(layers=(Layer.from_spec({"/etc/motd": text}, created_by="COPY motd /etc/"),),
                 history=(HistoryEntry("COPY motd /etc/"),))
