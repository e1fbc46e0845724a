"""`docker diff`: what changed in a container's read-write layer, judged by stat (SEMANTICS 14-16).

- The read-write layer is compared with the init layer below it, not with the image.
- A: absent before; D: absent after (children of a directory that became a
  file are not listed); C: mode, type, uid or gid differ, or, for
  non-directories, size or mtime. A directory's size and mtime alone do not count.
- Every ancestor of a changed path is reported as C.

>>> from layerlab.fs.union import merge
>>> from layerlab.fs.layer import Layer
>>> from layerlab.fs.worktree import WorkTree
>>> tree = WorkTree(merge([Layer.from_spec({"/etc/motd": "hi", "/etc/conf": "x"})]), clock=lambda: 5)
>>> tree.unlink("/etc/motd")
>>> tree.mkdir("/tmp")
>>> tree.chmod("/etc/conf", 0o644)      # copied up, yet stat is unchanged: not listed (rule 17)
>>> [str(c) for c in changes(tree)]
['C /etc', 'D /etc/motd', 'A /tmp']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fs import paths
from ..fs.entries import Dir, Entry, File, HardLink, Opaque, Whiteout
from ..fs.snapshot import Snapshot


@dataclass(frozen=True, order=True)
class Change:
    """One line of `docker diff`."""

    path: str
    kind: str  # "A", "C" or "D"

    def __str__(self) -> str:
        return f"{self.kind} {self.path}"

    def as_tuple(self) -> tuple[str, str]:
        return (self.kind, self.path)


def _stat_differs(before: Entry, after: Entry, lower: Snapshot, upper: Snapshot, path: str) -> bool:
    if type(before) is not type(after) and not (isinstance(before, Dir) and isinstance(after, Dir)):
        b, a = _effective(before, lower), _effective(after, upper)
        if type(b) is not type(a):
            return True
        before, after = b, a
    if (before.mode, before.uid, before.gid) != (after.mode, after.uid, after.gid):
        return True
    if isinstance(after, Dir):
        return False
    b, a = _effective(before, lower), _effective(after, upper)
    return (b.size, b.mtime) != (a.size, a.mtime) or getattr(b, "target", None) != getattr(a, "target", None)


def _effective(entry: Entry, snap: Snapshot) -> Entry:
    if isinstance(entry, HardLink):
        return snap.get(entry.target) or entry
    return entry


def changes(tree, lower: Snapshot | None = None) -> list[Change]:
    """The docker diff of a WorkTree against its lower tree (or against another lower snapshot), sorted."""
    lower = lower if lower is not None else tree.lower
    upper = tree.snapshot() if hasattr(tree, "snapshot") else tree
    lo, up = lower._entries, upper._entries
    found: dict[str, str] = {}
    candidates: list[str] = []
    for path, entry in tree.upper.items():
        candidates.append(path)
        if isinstance(entry, Opaque) or (isinstance(entry, Dir) and path in lo and not isinstance(lo[path], Dir)):
            candidates += [p for p, _ in lower.walk(path)]
        if isinstance(entry, Dir) and path not in lo:
            candidates += [p for p, _ in upper.walk(path)]
    for path in sorted(set(candidates), key=paths.sort_key):
        before, after = lo.get(path), up.get(path)
        if before is None and after is not None:
            found[path] = "A"
        elif before is not None and after is None:
            parent = paths.parent(path)
            if isinstance(up.get(parent), Dir) or parent == "/":
                found[path] = "D"
        elif before is not None and _stat_differs(before, after, lower, upper, path):
            found[path] = "C"
    for path in list(found):
        for anc in paths.ancestors(path):
            if anc == "/":
                break
            found.setdefault(anc, "C")
    return sorted(Change(p, k) for p, k in found.items())
