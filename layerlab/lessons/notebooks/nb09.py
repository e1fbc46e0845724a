"""Exercises of notebook 09 (storage drivers): upperdir after a delete, the vfs bill, aufs whiteout files."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from ...engine import Engine
from ..core import Feedback, exercise

SITE = ('FROM busybox\nRUN mkdir -p /srv/www && echo a > /srv/www/a.html && echo b > /srv/www/b.html\n'
        'COPY app.conf /etc/app.conf\nCMD ["sh"]\n')
SITE_CONTEXT = {"app.conf": "port=80\n"}
QUIZ_COMMAND = "rm /srv/www/a.html && echo B > /srv/www/b.html"

NGINX = ("FROM busybox\nRUN mkdir -p /etc/nginx/conf.d && echo a > /etc/nginx/conf.d/a.conf && "
         "echo b > /etc/nginx/conf.d/b.conf && echo m > /etc/nginx/nginx.conf\n")
NGINX_COMMAND = "rm -rf /etc/nginx/conf.d"


# -- the models the checkers compare with (built the way the notebook builds them) -------------------------
@lru_cache(maxsize=None)
def upperdir_model() -> dict[str, str]:
    """{path: 'whiteout' | 'file' | 'dir'} of the overlay2 upperdir after QUIZ_COMMAND in a container of SITE."""
    eng = Engine()
    eng.build(SITE, SITE_CONTEXT, tag="site")
    c = eng.run("site", "sh", name="quiz")
    eng.exec(c, QUIZ_COMMAND)
    upper = eng.storage(c).dir("upperdir")
    kinds = {"char": "whiteout", "file": "file", "dir": "dir", "symlink": "symlink"}
    return {"/" + e.path: kinds.get(e.kind, e.kind) for e in upper.entries}


@lru_cache(maxsize=None)
def ratio_model() -> tuple[float, int, int]:
    """(vfs/overlay2 ratio, vfs directories, image layers) for busybox + a two-RUN image + five containers."""
    eng = Engine()
    eng.build("FROM busybox\nRUN echo 1 > /one\nRUN echo 2 > /two\n", tag="app")
    for i in range(5):
        eng.create("app", name=f"app{i}")
    vfs, overlay2 = eng.disk_usage("vfs"), eng.disk_usage("overlay2")
    return vfs.ratio(overlay2), len(vfs.layers), len(eng.resolve_image("app").layers)


@lru_cache(maxsize=None)
def aufs_model() -> tuple[set[str], set[str]]:
    """(whiteout files, aufs metadata names) in the aufs rw branch after NGINX_COMMAND."""
    eng = Engine()
    eng.build(NGINX, tag="nginx")
    c = eng.run("nginx", "sh", name="proxy")
    eng.exec(c, NGINX_COMMAND)
    rw = eng.storage(c, driver="aufs").dir("rw")
    whiteouts = {e.path for e in rw.whiteouts}
    meta = {e.path for e in rw.entries if e.marking and e.marking not in ("whiteout", "opaque")}
    return whiteouts, meta


# -- answer forms -------------------------------------------------------------------------------------------
def _path(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError
    p = text.strip().strip("'\"")
    for prefix in ("upperdir/", "diff/", "rw/"):
        if p.startswith(prefix):
            p = p[len(prefix):]
    return "/" + p.strip("/")


_KINDS = {
    "whiteout": "whiteout", "wh": "whiteout", "char": "whiteout", "c": "whiteout", "chardev": "whiteout",
    "char device": "whiteout", "character device": "whiteout", "character": "whiteout", "0/0": "whiteout",
    "c 0/0": "whiteout", "char 0/0": "whiteout", "device": "whiteout", "deleted": "whiteout", "delete": "whiteout",
    "file": "file", "regular": "file", "regular file": "file", "-": "file", "copy": "file", "copied up": "file",
    "copy-up": "file", "copy up": "file", "copied-up": "file", "modified": "file",
    "dir": "dir", "directory": "dir", "d": "dir",
}


def _kind(text: Any) -> str | None:
    return _KINDS.get(str(text).strip().lower()) if text is not None else None


def _paths(answer: Any) -> list[str] | None:
    if isinstance(answer, str):
        items: Iterable = [p for p in answer.replace(",", " ").split() if p]
    elif isinstance(answer, (list, tuple, set, frozenset)):
        items = answer
    else:
        return None
    try:
        return [_path(p) for p in items]
    except TypeError:
        return None


# -- 09.1 -----------------------------------------------------------------------------------------------------
@exercise("09.1", hints=[
    "Only the read-write layer changes: everything the command touches lands in upperdir (the image layers are "
    "read-only lowerdirs).",
    "Writing to a file of a lower layer copies the WHOLE file up first (SEMANTICS 13). Deleting a lower file "
    "cannot remove it from the lowerdir, so overlayfs writes something in its place.",
    "overlay2 marks a deleted path with a character device 0/0 under the path's own name: no `.wh.` prefix.",
])
def _upperdir(answer):
    model = upperdir_model()
    want = {p: k for p, k in model.items() if k != "dir"}
    dirs = sorted(p for p, k in model.items() if k == "dir")
    if isinstance(answer, dict):
        try:
            got = {_path(p): k for p, k in answer.items()}
        except TypeError:
            return Feedback.wrong("Use paths as the keys, such as '/srv/www/a.html'.")
        kinds = {p: _kind(k) for p, k in got.items()}
        bad_kind = [p for p, k in kinds.items() if k is None]
        if bad_kind:
            return Feedback.wrong(f"I cannot read the kind {got[bad_kind[0]]!r} for {bad_kind[0]}: say 'whiteout' "
                                  "(a character device 0/0), 'file' or 'dir'.")
        kinds = {p: k for p, k in kinds.items() if k != "dir" or p not in dirs}
        return _judge_paths(set(kinds), want, dirs, kinds)
    paths = _paths(answer)
    if paths is None:
        return Feedback.wrong("Answer with a dict {path: kind}, such as {'/srv/www/a.html': 'whiteout'}, or with a "
                              "list of the paths in upperdir.")
    return _judge_paths({p for p in paths if p not in dirs}, want, dirs, None)


def _judge_paths(got: set[str], want: dict[str, str], dirs: list[str], kinds: dict[str, str] | None) -> Feedback:
    details = []
    aufs_style = sorted(p for p in got if "/.wh." in p)
    for p in aufs_style:
        details.append(f"{p} is how aufs writes a whiteout; overlay2 keeps the name and writes a character device "
                       "0/0 there")
    got = {p.replace("/.wh.", "/") for p in got}
    missing = sorted(set(want) - got)
    extra = sorted(got - set(want))
    for p in missing:
        if want[p] == "whiteout":
            details.append(f"{p} is missing: the delete cannot touch the lowerdir, so upperdir records it as a "
                           "whiteout (c 0/0)")
        else:
            details.append(f"{p} is missing: writing to a lower file copies the whole file up into upperdir first")
    for p in extra:
        details.append(f"{p} is not there: the command did not write it")
    if kinds is not None:
        for p in sorted(set(want) & got):
            if kinds.get(p) and kinds[p] != want[p]:
                said = "a whiteout" if kinds[p] == "whiteout" else f"a {kinds[p]}"
                is_ = "a whiteout (character device 0/0)" if want[p] == "whiteout" else "a regular file (the copy-up)"
                details.append(f"{p} is {is_}, not {said}")
    if details:
        return Feedback.wrong("Not quite. Compare with what overlayfs must do for each change:", *details)
    what = {"whiteout": "a character device 0/0: the whiteout", "file": "the whole file, copied up"}
    shown = " and ".join(f"{p} ({what.get(k, k)})" for p, k in sorted(want.items()))
    return Feedback.right(f"Yes: upperdir holds {shown}, plus their parent directories {', '.join(dirs)}.")


# -- 09.2 -----------------------------------------------------------------------------------------------------
@exercise("09.2", hints=[
    "aufs writes a whiteout as an empty file named `.wh.<name>` in the same directory as the deleted name.",
    "A deleted directory needs ONE whiteout, at the directory's own name: its children vanish with it.",
    "`.wh..wh..opq` is for a directory that is removed AND recreated; here /etc/nginx/conf.d is simply gone.",
])
def _aufs(answer):
    whiteouts, meta = aufs_model()
    want = {"/" + p for p in whiteouts}
    paths = _paths(answer)
    if paths is None:
        return Feedback.wrong("Answer with the path of the whiteout file (a string) or a list of paths, relative to "
                              "the branch, such as 'etc/.wh.something'.")
    got = {p for p in paths if p.lstrip("/") not in meta}
    if got == want:
        only = next(iter(want)).lstrip("/")
        return Feedback.right(f"Yes: one empty file, {only}, hard-linked to .wh..wh.aufs. The two .conf files need no "
                              "whiteout of their own: they vanish with the directory.")
    details = []
    for p in sorted(got - want):
        if p.endswith("/.wh..wh..opq"):
            details.append(f"{p} would make the directory opaque, which is for a directory removed and recreated; "
                           "here it is gone")
        elif "/conf.d/.wh." in p:
            details.append(f"{p}: no whiteout per child is needed, the directory's own whiteout hides everything "
                           "under it")
        elif "/.wh." not in p:
            details.append(f"{p} is overlay2's form (a character device under the same name); aufs writes "
                           "a file named .wh.<name>")
        else:
            details.append(f"{p} is not there")
    for p in sorted(want - got):
        details.append("missing: the whiteout for /etc/nginx/conf.d sits in its parent directory, /etc/nginx")
    return Feedback.wrong("Not quite.", *details)


# -- 09.3 -----------------------------------------------------------------------------------------------------
def _number(answer: Any) -> float | None:
    if isinstance(answer, bool):
        return None
    if isinstance(answer, (int, float)):
        return float(answer)
    if isinstance(answer, str):
        text = answer.strip().lower().rstrip("x×").replace("times", "").strip()
        try:
            return float(text)
        except ValueError:
            return None
    return None


@exercise("09.3", hints=[
    "Count directories, not bytes: every layer directory vfs keeps is a full copy of the merged tree up to that "
    "layer, about the size of busybox (4.26 MB). overlay2 stores busybox once and the rest is a few bytes.",
    "Image directories: busybox's one layer, plus the two RUN layers of app (shared by every container).",
    "Each container adds TWO directories under vfs: its init layer and its read-write layer, both full copies.",
])
def _ratio(answer):
    value = _number(answer)
    ratio, dirs, layers = ratio_model()
    if value is None:
        return Feedback.wrong("Answer with a number, such as 4 or 4.0 (how many times the vfs total is the overlay2 "
                              "total).")
    if value <= 0:
        return Feedback.wrong("A ratio of disk sizes is a positive number.")
    if abs(value - ratio) / ratio <= 0.08:
        return Feedback.right(f"Yes: about {ratio:.1f}. vfs keeps {dirs} directories ({layers} image layers + 2 per "
                              f"container for 5 containers), each a full copy of about 4.26 MB; overlay2 keeps "
                              "busybox once and a few bytes per upper layer.")
    details = [f"vfs keeps {dirs} directories, each a full copy of the tree (about 4.26 MB)"]
    if abs(value - 1) < 0.5:
        details.insert(0, "vfs has no union filesystem: it cannot share the base between layers")
    elif abs(value - (layers + 5)) < 0.5:
        details.insert(0, "you counted one directory per container: each has an init layer AND a read-write layer")
    elif abs(value - 5) < 0.5 or abs(value - 6) < 0.5:
        details.insert(0, "the image layers count too: vfs stores each of them as a full copy")
    elif value > ratio:
        details.insert(0, "the containers share the image layers' directories: count each directory once")
    else:
        details.insert(0, "count every directory: image layers once, and two per container")
    return Feedback.wrong(f"Not {value:g}.", *details)
