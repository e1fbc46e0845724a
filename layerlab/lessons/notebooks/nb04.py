"""Exercises of notebook 04 (the container's own layers: init, read-write, copy-on-write).

The checkers run the commands of the question in a fresh Engine, so the feedback quotes the
model's own numbers.

>>> from layerlab import lessons
>>> lessons.check("04.1", 8_192_000).ok
True
>>> lessons.check("04.2", "210MB").ok
True
"""

from __future__ import annotations

from functools import lru_cache

from ...engine import Engine
from ...tables import human_size
from ..answers import near, require_bytes
from ..core import Feedback, exercise

# -- 04.1: bytes copied up by one command ----------------------------------------------------------------------------
SVC_DOCKERFILE = ("FROM busybox\n"
                  "RUN mkdir -p /srv/data && dd if=/dev/zero of=/srv/data/index.db bs=1k count=8000 "
                  "&& dd if=/dev/zero of=/srv/data/access.log bs=1k count=3000\n")
SVC_COMMAND = "touch /srv/data/index.db && cat /srv/data/access.log > /dev/null && echo started > /srv/data/pid"


@lru_cache(maxsize=None)
def svc_model() -> dict:
    """What SVC_COMMAND copies up, and the sizes of the files it touches, reads and writes."""
    eng = Engine()
    eng.build(SVC_DOCKERFILE, tag="svc")
    c = eng.run("svc", "sleep infinity", name="svc")
    record = eng.exec(c, SVC_COMMAND)
    view = c.view()
    return {"copied": record.copied_bytes, "index": view.stat("/srv/data/index.db").size,
            "log": view.stat("/srv/data/access.log").size, "pid": view.stat("/srv/data/pid").size,
            "rw": c.size}


@exercise("04.1", hints=[
    "Go through the three commands one at a time: which of them change a file that lives in an image layer?",
    "touch changes only the mtime, but a metadata change is still a change: the kernel must copy the file up first.",
    "Reading a lower file copies nothing, and a brand-new file is written into the upper layer, not copied up."])
def _copied(answer):
    m = svc_model()
    got = require_bytes(answer)
    expected, index, log, pid = m["copied"], m["index"], m["log"], m["pid"]
    if got == expected or (near(got, expected, 0.03) and not isinstance(answer, int)):
        return Feedback.right(
            f"Yes: {expected:,} bytes ({human_size(expected)}), the whole index.db, copied up by touch.",
            "touch only sets the mtime, yet overlayfs copies the WHOLE file into the upper layer first (rule 13).",
            "cat reads access.log straight from the image layer (free); pid is a new file, written, not copied up.")
    if got == 0:
        return Feedback.wrong(
            "0 would mean touch is free. It changes only the mtime, but the image layer is read-only: overlayfs "
            f"copies the whole file up first ({index:,} bytes) and changes the copy.")
    if got in (index + log, index + log + pid):
        return Feedback.wrong(
            f"You counted access.log ({log:,} bytes) too: reading a lower file copies nothing. Only a write or a "
            "metadata change triggers a copy-up.")
    if got == index + pid:
        return Feedback.wrong(
            f"Close: the {pid} bytes of pid are written into the read-write layer, but they are a new file, not a "
            "copy of a lower one. They count in `docker ps -s` SIZE, not in the copy-up.")
    if got == log:
        return Feedback.wrong(
            "That is the file that was read. Reads are free; which file was changed (even if only its metadata)?")
    if near(got, index, 0.03):
        return Feedback.wrong("Nearly: give the exact bytes. index.db is dd bs=1k count=8000, that is "
                              "8000 × 1024 bytes.")
    return Feedback.wrong(
        f"{got:,} bytes is not it.",
        f"The image holds index.db ({index:,} B) and access.log ({log:,} B). Which one does the command change?")


# -- 04.2: docker ps -s SIZE after chown + chmod of two hard-linked names -------------------------------------------
MODEL_DOCKERFILE = ("FROM busybox\n"
                    "RUN mkdir /opt && dd if=/dev/zero of=/opt/model.bin bs=1M count=100 "
                    "&& ln /opt/model.bin /opt/model.link\n"
                    'CMD ["sh"]\n')
MODEL_COMMAND = "chown 1000 /opt/model.bin && chmod 600 /opt/model.link"


@lru_cache(maxsize=None)
def model_sizes() -> dict:
    """SIZE (read-write layer), virtual size and the file size after MODEL_COMMAND."""
    eng = Engine()
    eng.build(MODEL_DOCKERFILE, tag="model")
    c = eng.run("model", name="ml")
    eng.exec(c, MODEL_COMMAND)
    return {"size": c.size, "virtual": c.virtual_size, "file": c.view().stat("/opt/model.bin").size,
            "image": c.image.size}


@exercise("04.2", hints=[
    "SIZE counts the bytes in the read-write layer only; chown and chmod are metadata changes.",
    "A metadata change to a lower file copies the whole file up. How many names are changed?",
    "model.bin and model.link are one inode in the image, but Docker mounts overlay with index=off: copying one "
    "name up breaks the link (rule 11), so the other name is still a lower file."])
def _ps_size(answer):
    m = model_sizes()
    got = require_bytes(answer)
    expected, one, virtual = m["size"], m["file"], m["virtual"]
    if near(got, expected, 0.02):
        return Feedback.right(
            f"Yes: {human_size(expected)} ({expected:,} bytes): two whole copies of the {human_size(one)} file.",
            "chown copies model.bin up; that breaks the hard link (index=off, rule 11), so chmod on model.link "
            "copies the same bytes up a second time.",
            f"docker ps -s prints: {human_size(expected)} (virtual {human_size(virtual)}).")
    if near(got, one, 0.02):
        return Feedback.wrong(
            f"{human_size(got)} is one copy. The two names share one inode in the image, but the copy-up of "
            "model.bin gives it a new inode in the upper layer: model.link is still the lower file, and chmod "
            "copies it up again (rule 11).")
    if got < 0.01 * expected:
        return Feedback.wrong(
            "That is the misconception 'chmod is free'. A metadata change to a file in an image layer copies the "
            f"whole file up ({human_size(one)} each time).")
    if near(got, virtual, 0.02) or got > expected * 1.2:
        return Feedback.wrong(
            f"{human_size(got)} looks like the virtual size: SIZE counts only the read-write layer, not the image "
            f"({human_size(m['image'])}) below it.")
    return Feedback.wrong(f"{human_size(got)} is not it. How many whole copies of the {human_size(one)} file end "
                          "up in the read-write layer?")
