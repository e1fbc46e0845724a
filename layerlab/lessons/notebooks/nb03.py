"""Exercises of notebook 03 (deleting files: whiteouts and opaque directories).

Every checker computes the right answer from the model (a build in a fresh Engine), so the
feedback quotes the same numbers the learner sees in the notebook.

>>> from layerlab import lessons
>>> lessons.check("03.1", 52_428_800).ok
True
>>> lessons.check("03.1", 0).message.startswith("That is the misconception")
True
>>> lessons.check("03.3", {"overlay2": 1, "vfs": 4}).ok
True
"""

from __future__ import annotations

from functools import lru_cache

from ...engine import Engine
from ...errors import LayerlabError
from ...fs.tarcodec import member_names
from ...tables import human_size
from ..answers import near, require_bytes, words
from ..core import Feedback, exercise

# -- 03.1: the size of an image after RUN rm ---------------------------------------------------------------------
GHOST_DOCKERFILE = ("FROM busybox\n"
                    "RUN mkdir /data && dd if=/dev/zero of=/data/blob bs=1M count=50\n"
                    "RUN rm /data/blob\n")


@lru_cache(maxsize=None)
def ghost_model() -> tuple[int, int, int]:
    """(bytes the image adds to busybox, busybox's size, the blob's size) for GHOST_DOCKERFILE."""
    eng = Engine()
    img = eng.build(GHOST_DOCKERFILE, tag="ghost")
    base = eng.resolve_image("busybox")
    return img.size - base.size, base.size, img.layers[-2].size


@exercise("03.1", hints=[
    "Count what each layer holds: the RUN with dd holds the blob; what does the RUN with rm hold?",
    "A deletion is recorded as a whiteout: an empty file named .wh.blob. Does it take any bytes away from the "
    "layer below?",
    "The layers below never change. 50 MiB is 50 × 1,048,576 bytes."])
def _size_after_rm(answer):
    added, base, blob = ghost_model()
    got = require_bytes(answer)
    shown = f"{got:,} bytes ({human_size(got)})"
    if near(got, added, 0.05):
        return Feedback.right(
            f"Yes: the image adds {added:,} bytes ({human_size(added)}) to busybox, exactly the blob.",
            "The dd layer still holds the whole blob; the rm layer holds one empty whiteout, .wh.blob.",
            "The merged view hides /data/blob, but every pull still downloads it.")
    if got < 0.05 * added:
        return Feedback.wrong(
            f"That is the misconception: {shown} would mean the rm gave the bytes back.",
            "Layers are immutable: the rm layer can only add a whiteout on top, it cannot edit the dd layer below.",
            f"The dd layer holds {blob:,} bytes whatever a later layer does.")
    if near(got, 2 * added, 0.05):
        return Feedback.wrong(
            f"{shown} is twice the blob: the rm layer copies nothing.",
            "A whiteout is an empty file (0 bytes): it records the deletion, it does not copy the deleted file.")
    if near(got, added + base, 0.05):
        return Feedback.wrong(
            f"{shown} is the whole image, busybox included ({human_size(base)}). The question asks what the "
            "Dockerfile adds on top of busybox.")
    return Feedback.wrong(
        f"{shown} is not it.",
        "Add up the layers the Dockerfile makes: the dd layer and the rm layer (busybox's own layer does not count).")


# -- 03.2: the member names of an overlay2 layer ------------------------------------------------------------------
APP_DOCKERFILE = ("FROM busybox\n"
                  "RUN mkdir -p /app/cache && echo 'debug: true' > /app/config.yml && echo 1 > /app/cache/a.bin "
                  "&& echo 2 > /app/cache/b.bin\n"
                  "RUN rm -rf /app/cache && mkdir /app/cache && rm /app/config.yml\n")


@lru_cache(maxsize=None)
def app_members(driver: str = "overlay2") -> tuple[str, ...]:
    """The tar member names of the last layer of APP_DOCKERFILE built on `driver`."""
    eng = Engine(driver=driver)
    img = eng.build(APP_DOCKERFILE, tag="app")
    return tuple(member_names(img.layers[-1]))


def _names(answer) -> set[str]:
    """Member names from a list, tuple or set of strings, or one string with a name per line or word."""
    items = words(answer)
    if items is None:
        raise LayerlabError(f"answer with a list of member names such as ['app/', 'app/x'] (you gave {answer!r})")
    out = set()
    for item in items:
        name = item
        while name.startswith("./"):
            name = name[2:]
        name = name.lstrip("/").rstrip("/")
        if name:
            out.add(name)
    return out


@exercise("03.2", hints=[
    "List what the step changed: /app/config.yml is gone, /app/cache was removed and made again (empty).",
    "A deleted file becomes a whiteout next to where it was: dir/.wh.name. overlay2 records a directory that was "
    "removed and recreated as opaque: one marker dir/.wh..wh..opq.",
    "The directories that hold a change are members too (with a trailing '/'): which two are they?"])
def _members(answer):
    expected = {m.rstrip("/") for m in app_members("overlay2")}
    vfs = {m.rstrip("/") for m in app_members("vfs")}
    got = _names(answer)
    if not got:
        return Feedback.wrong("Your list is empty. Even a deletion leaves members in the tar: whiteouts.")
    if got == expected:
        return Feedback.right(
            "Yes: " + ", ".join(app_members("overlay2")) + ".",
            "One whiteout for the deleted file, one opaque marker for the recreated directory, and the two "
            "directories that hold them.")
    details = []
    extra, missing = sorted(got - expected), sorted(expected - got)
    per_file = [m for m in extra if m in vfs]
    if per_file:
        details.append(f"{', '.join(per_file)}: one whiteout per deleted child is the vfs form. overlay2 sees a "
                       "directory removed and made again in one step and writes one opaque marker instead.")
    live = [m for m in extra if m in ("app/config.yml", "app/cache/a.bin", "app/cache/b.bin")]
    if live:
        details.append(f"{', '.join(live)}: a deleted file is not in the tar under its own name; its whiteout is.")
    if "app/.wh.cache" in extra:
        details.append("app/.wh.cache: /app/cache still exists after the step, so it is not whited out; it is "
                       "made opaque, which hides the old children and keeps the directory.")
    other = [m for m in extra if m not in per_file and m not in live and m != "app/.wh.cache"]
    if other:
        details.append(f"{', '.join(other)}: not in this layer's tar.")
    for m in missing:
        if m == "app/cache/.wh..wh..opq":
            if not per_file:
                details.append("Something must hide a.bin and b.bin, the old children of /app/cache: what does "
                               "overlay2 write?")
        elif m == "app/.wh.config.yml":
            details.append("/app/config.yml was deleted: where is its whiteout?")
        else:
            details.append(f"{m}/: the directory that holds a change is a member of the tar too.")
    return Feedback.wrong(f"Not quite: you listed {len(got)} member(s), the layer has {len(expected)}.", *details)


# -- 03.3: opaque marker or one whiteout per child ----------------------------------------------------------------
CACHE_DOCKERFILE = ("FROM busybox\n"
                    "RUN mkdir -p /var/cache/app/img && for f in a b c; do echo $f > /var/cache/app/$f.dat; done "
                    "&& echo x > /var/cache/app/img/1.png && echo y > /var/cache/app/img/2.png\n"
                    "RUN rm -rf /var/cache/app && mkdir /var/cache/app\n")


@lru_cache(maxsize=None)
def cache_whiteouts(driver: str) -> tuple[str, ...]:
    """The `.wh.` members of the last layer of CACHE_DOCKERFILE built on `driver`."""
    eng = Engine(driver=driver)
    img = eng.build(CACHE_DOCKERFILE, tag="cache")
    return tuple(m for m in member_names(img.layers[-1]) if m.rsplit("/", 1)[-1].startswith(".wh."))


def _pair(answer) -> tuple[int, int]:
    if isinstance(answer, dict):
        keys = {str(k).lower(): v for k, v in answer.items()}
        if "overlay2" not in keys or "vfs" not in keys:
            raise LayerlabError("answer with {'overlay2': n, 'vfs': m}: both drivers need a count")
        pair = (keys["overlay2"], keys["vfs"])
    elif isinstance(answer, (list, tuple)) and len(answer) == 2:
        pair = tuple(answer)
    else:
        raise LayerlabError("answer with {'overlay2': n, 'vfs': m} (or a pair (n, m), overlay2 first)")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in pair):
        raise LayerlabError("each count is a whole number of tar members, such as 0, 1 or 5")
    return pair


@exercise("03.3", hints=[
    "overlay2 writes one marker for a directory removed and recreated in one step. Its name starts with .wh. too.",
    "vfs compares the trees before and after and writes one whiteout per deleted child of /var/cache/app.",
    "A whiteout of a directory deletes it recursively (rule 5): how many whiteouts does img/ need?"])
def _drivers(answer):
    o_expected, v_expected = len(cache_whiteouts("overlay2")), len(cache_whiteouts("vfs"))
    o, v = _pair(answer)
    if (o, v) == (o_expected, v_expected):
        return Feedback.right(
            f"Yes: overlay2 writes {o_expected} member ({', '.join(cache_whiteouts('overlay2'))}); vfs writes "
            f"{v_expected} ({', '.join(m.rsplit('/', 1)[-1] for m in cache_whiteouts('vfs'))}).",
            "Both layers give the same merged view: consumers must accept either form (rule 7).")
    details = []
    if o != o_expected:
        if o == 0:
            details.append("overlay2: the opaque marker .wh..wh..opq is a member whose name starts with .wh.")
        elif o == v_expected or o > o_expected:
            details.append("overlay2: the directory was removed and made again in one step, so overlay2 marks it "
                           "opaque with ONE marker instead of whiting out each child.")
        else:
            details.append(f"overlay2: {o} is not it.")
    if v != v_expected:
        if v == v_expected + 2:
            details.append("vfs: img/ is whited out once; a directory's whiteout deletes everything under it "
                           "(rule 5), so 1.png and 2.png need no whiteouts of their own.")
        elif v == 1:
            details.append("vfs: the vfs differ does not write opaque markers; it lists each deleted child.")
        elif v == v_expected - 1:
            details.append("vfs: a deleted directory (img/) needs its own whiteout too.")
        else:
            details.append(f"vfs: {v} is not it. Count the children of /var/cache/app before the step.")
    return Feedback.wrong("Not quite.", *details)
