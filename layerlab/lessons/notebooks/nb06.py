"""Exercises of notebook 06 (docker diff and docker commit).

06.1 predicts the exact `docker diff` of one command; 06.2 predicts which files and whiteouts a commit's new
layer holds. Both models come from running the same commands in a fresh simulated engine.

>>> _check_diff("C /srv\\nC /srv/www\\nD /srv/www/old.html\\nC /var\\nA /var/log\\nA /var/log/app\\n"
...             "A /var/log/app/run.log").ok
True
>>> _check_diff(["A /var/log/app/run.log"]).ok
False
>>> _check_commit({"/status", "/srv/www/index.html", "/etc/.wh.motd"}).ok
True
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...engine import Engine
from ...fs import paths
from ...fs.entries import Dir, Opaque, Whiteout
from ...image.model import Image
from ..core import Feedback, exercise

SITE = """FROM busybox
RUN mkdir -p /srv/www && echo home > /srv/www/index.html && echo old > /srv/www/old.html && echo Welcome > /etc/motd
RUN dd if=/dev/zero of=/srv/www/intro.mp4 bs=1M count=2 2>/dev/null
CMD ["sh"]
"""
EX1_COMMAND = ("mkdir -p /var/log/app && echo started > /var/log/app/run.log && rm /srv/www/old.html "
               "&& chmod 644 /srv/www/index.html")
EX2_COMMAND = ("echo done > /reports/summary.txt && echo ok > /status && echo tmp > /tmp/scratch && rm /tmp/scratch "
               "&& chmod 644 /srv/www/index.html && rm /etc/motd")


def _site() -> Engine:
    eng = Engine()
    eng.build(SITE, tag="site")
    return eng


@lru_cache(maxsize=None)
def diff_model() -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """Exercise 06.1: (the docker diff lines, the paths that were copied up) of EX1_COMMAND in a fresh container."""
    eng = _site()
    c = eng.run("site", "sleep infinity", name="probe")
    eng.exec(c, EX1_COMMAND)
    return tuple(eng.diff(c)), tuple(sorted({u.path for u in c.rootfs.copy_ups}))


@lru_cache(maxsize=None)
def commit_model() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Exercise 06.2: (files and whiteout members of the committed layer, its directories, the volume's files)."""
    eng = _site()
    c = eng.run("site", "sleep infinity", name="worker", volumes={"reports": "/reports"})
    eng.exec(c, EX2_COMMAND)
    img = eng.commit(c, "site:worker")
    files, dirs = _layer_paths(img.layers[-1])
    volume = frozenset("/reports/" + p.rsplit("/", 1)[-1] for p, e in eng.host.walk(eng.volumes["reports"].mountpoint)
                       if not isinstance(e, Dir))
    return files, dirs, volume


def _layer_paths(layer) -> tuple[frozenset[str], frozenset[str]]:
    files, dirs = set(), set()
    for path, entry in layer.entries.items():
        if isinstance(entry, Whiteout):
            files.add(paths.join(paths.parent(path), ".wh." + paths.basename(path)))
        elif isinstance(entry, (Dir, Opaque)):
            dirs.add(path)
        else:
            files.add(path)
    return frozenset(files), frozenset(dirs)


# -- 06.1 --------------------------------------------------------------------------------------------------------
_LINE = re.compile(r"^\s*([ACD])\s+(/\S*)\s*$")


def _diff_lines(answer) -> set[tuple[str, str]] | str:
    """The answer as a set of (kind, path), or a message saying why it is not a diff."""
    if isinstance(answer, str):
        items = [line for line in answer.splitlines() if line.strip()]
    elif isinstance(answer, (list, tuple, set, frozenset)):
        items = list(answer)
    else:
        return (f"Give the diff as lines such as \"C /etc\" (one string, or a list of lines), not "
                f"{type(answer).__name__}.")
    out = set()
    for item in items:
        if isinstance(item, (tuple, list)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            kind, path = item[0].strip().upper(), item[1].strip()
        elif isinstance(item, str):
            m = _LINE.match(item)
            if not m:
                return (f"I could not read {item!r} as a diff line: write a letter A, C or D, a space and an "
                        "absolute path, such as \"A /tmp/x\".")
            kind, path = m.group(1), m.group(2)
        else:
            return f"I could not read {item!r} as a diff line such as \"C /etc\"."
        if kind not in ("A", "C", "D") or not path.startswith("/"):
            return f"{kind} {path}: a line is A, C or D followed by an absolute path."
        out.add((kind, paths.normalize(path)))
    return out


def _check_diff(answer) -> Feedback:
    model, copied = diff_model()
    expected = set(model)
    got = _diff_lines(answer)
    if isinstance(got, str):
        return Feedback.wrong(got)
    if got == expected:
        return Feedback.right(
            f"Yes: all {len(expected)} lines.",
            "/srv, /srv/www and /var are C only because something below them changed (rule 16).",
            "/var/log and /var/log/app are A: they did not exist in the image, so every new path is listed.",
            "/srv/www/index.html is not listed: chmod 644 on a 644 file copies it up, but its stat is unchanged "
            "(rule 17).")
    by_path = {p: k for k, p in expected}
    changed = [p for _, p in expected]
    details = []
    for kind, path in sorted(expected - got, key=lambda kp: paths.sort_key(kp[1])):
        if any(kp[1] == path for kp in got):
            continue  # reported below as a wrong letter
        if kind == "C" and any(paths.is_under(other, path) and other != path for other in changed):
            details.append(f"missing C {path}: every ancestor of a changed path is reported as C (rule 16).")
        elif kind == "A":
            details.append(f"missing A {path}: it did not exist before the command, and docker diff lists every "
                           "added path, directories included.")
        else:
            details.append(f"missing {kind} {path}.")
    for kind, path in sorted(got - expected, key=lambda kp: paths.sort_key(kp[1])):
        if path in by_path:
            right = by_path[path]
            why = {"A": "it did not exist in the image", "C": "it existed before and still exists",
                   "D": "it existed before and is gone"}[right]
            details.append(f"{path} is {right}, not {kind}: {why}.")
        elif path == "/":
            details.append("docker diff never lists / itself.")
        elif path in copied:
            details.append(f"{kind} {path} is not in the diff: chmod 644 left the mode at 644, so the copied-up "
                           "file has the same stat as before; docker diff compares stat, not 'was it copied up' "
                           "(rule 17).")
        elif any(paths.is_under(path, p) and k == "D" for k, p in expected):
            details.append(f"{kind} {path}: nothing below a deleted path is listed.")
        elif kind == "D" and not any(paths.is_under(path, p) for p in by_path):
            details.append(f"D {path}: that path was never there, so there is nothing to delete.")
        else:
            details.append(f"{kind} {path}: nothing changed at {path}.")
    right = len(got & expected)
    return Feedback.wrong(f"{right} of your {len(got)} lines are right; the diff has {len(expected)} lines.",
                          *details)


exercise("06.1", hints=[
    "Take each part of the command in turn and write what it adds (A), changes (C) or deletes (D).",
    "Then add a C line for every directory above a changed path (but never for /).",
    "chmod 644 on a file that is already 644: is its stat (mode, owner, size, mtime) any different afterwards?",
])(_check_diff)


# -- 06.2 --------------------------------------------------------------------------------------------------------
def _commit_paths(answer) -> set[str] | str:
    if isinstance(answer, Image):
        files, _ = _layer_paths(answer.layers[-1]) if answer.layers else (frozenset(), frozenset())
        return set(files)
    if isinstance(answer, str):
        items = [w for w in re.split(r"[\s,;]+", answer) if w]
        # "D /etc/motd" written in a string arrives as two words: glue them back
        glued, i = [], 0
        while i < len(items):
            if items[i] in ("A", "C", "D") and i + 1 < len(items):
                glued.append(f"{items[i]} {items[i + 1]}")
                i += 2
            else:
                glued.append(items[i])
                i += 1
        items = glued
    elif isinstance(answer, (list, tuple, set, frozenset)):
        items = list(answer)
    else:
        return (f"Give a set of paths such as {{\"/status\", \"/etc/.wh.motd\"}}, not {type(answer).__name__}.")
    out = set()
    for item in items:
        if isinstance(item, (tuple, list)) and len(item) == 2:
            item = f"{item[0]} {item[1]}"
        if not isinstance(item, str):
            return f"I could not read {item!r} as a path."
        item = item.strip().strip("'\"")
        m = _LINE.match(item)
        if m:
            kind, path = m.group(1), m.group(2)
            if kind == "D":
                path = paths.normalize(path)
                item = paths.join(paths.parent(path), ".wh." + paths.basename(path))
            else:
                item = path
        if not item.startswith("/"):
            item = "/" + item
        out.add(paths.normalize(item))
    return out


def _check_commit(answer) -> Feedback:
    files, dirs, volume = commit_model()
    got = _commit_paths(answer)
    if isinstance(got, str):
        return Feedback.wrong(got)
    ignored = sorted(got & dirs)
    got -= dirs
    note = ([f"(directories such as {', '.join(ignored)} are in the layer too; the question leaves them out)"]
            if ignored else [])
    if got == files:
        return Feedback.right(
            f"Yes: the new layer holds {', '.join(sorted(files))}.",
            "/srv/www/index.html is there although docker diff never listed it: chmod copied it up, and commit "
            "takes the upperdir (rule 17).",
            "/etc/.wh.motd is how the layer records the deletion of a lower file.",
            "Nothing of /tmp/scratch: it was created and deleted in the same layer, so no whiteout is needed.",
            "/reports/summary.txt stayed in the volume on the host; init files such as /etc/hosts are not in the "
            "read-write layer.", *note)
    details = []
    for path in sorted(files - got):
        if path.endswith("/.wh.motd"):
            if "/etc/motd" in got:
                details.append("the deletion of /etc/motd is stored as the whiteout /etc/.wh.motd, not as "
                               "/etc/motd.")
            else:
                details.append("missing /etc/.wh.motd: `rm /etc/motd` deletes a file of a lower layer, so the new "
                               "layer must carry a whiteout for it.")
        elif path == "/srv/www/index.html":
            details.append("missing /srv/www/index.html: chmod, even to the same mode, copies the whole file up; "
                           "commit stores everything in the upperdir (rule 17).")
        else:
            details.append(f"missing {path}: the command wrote it outside any volume.")
    for path in sorted(got - files):
        if path == "/etc/motd":
            continue  # explained above
        if path in volume or path.startswith("/reports/"):
            details.append(f"{path} is in the volume `reports`, on the host: commit leaves volume content out.")
        elif path in ("/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/.dockerenv", "/dev/console",
                      "/etc/mtab"):
            details.append(f"{path} belongs to the init layer (and the hosts files are bind-mounted): commit takes "
                           "only the read-write layer.")
        elif "scratch" in path:
            details.append("/tmp/scratch was created and deleted in the same read-write layer: no file, and no "
                           "whiteout either (there is nothing below to hide).")
        elif path.rsplit("/", 1)[-1].startswith(".wh."):
            details.append(f"{path}: no lower file was deleted there.")
        else:
            details.append(f"{path} is not in the new layer.")
    return Feedback.wrong(f"{len(got & files)} of your {len(got)} paths are right; the layer holds "
                          f"{len(files)} files and whiteouts.", *details, *note)


exercise("06.2", hints=[
    "Go through the command part by part: where does each write land - the read-write layer or the volume?",
    "A file created and deleted again in the same layer leaves nothing behind; a deleted LOWER file leaves a whiteout.",
    "chmod copies a lower file up even when the mode does not change, and commit takes every copied-up file.",
])(_check_commit)
