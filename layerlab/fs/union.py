"""Union of layers: apply changesets base first (merge) and compute the changeset between two trees (diff).

The rules are SEMANTICS.md 1-10: whiteouts and opaque markers act on lower
layers only; a directory over a directory merges; any other replacement removes
the old path first; missing parents appear; symlinked parents resolve inside
the root; a whiteout of a missing path does nothing.
"""

from __future__ import annotations

from typing import Collection, Iterable

from ..errors import FilesystemError, LayerError
from . import paths
from .entries import Device, Dir, Entry, File, HardLink, Opaque, Symlink, Whiteout, as_dir
from .layer import Layer
from .snapshot import Shadowed, Snapshot, resolve


def merge(layers: Iterable[Layer]) -> Snapshot:
    """The merged view of layers applied base first.

    >>> base = Layer.from_spec({"/etc/motd": "hi", "/etc/old": "x"})
    >>> top = Layer.from_spec({"/etc/old": WHITEOUT, "/etc/new": "y"})
    >>> merge([base, top]).listdir("/etc")
    ['motd', 'new']
    """
    snap = Snapshot()
    applied = []
    for index, layer in enumerate(layers):
        apply_layer(snap, layer, index)
        applied.append(layer)
    snap._layers = tuple(applied)
    return snap


# -- applying one layer ------------------------------------------------------------------
def apply_layer(snap: Snapshot, layer: Layer, index: int) -> None:
    """Apply a changeset in place: deletions against the lower tree first, then additions."""
    entries = snap._entries
    for path, entry in layer.entries.items():
        if isinstance(entry, Whiteout):
            real = _real_path(entries, path, create=False)
            if real is not None and real in entries and real != "/":
                _remove(snap, real, index, "deleted")
        elif isinstance(entry, Opaque):
            real = _real_path(entries, path, create=False)
            if real is not None and isinstance(entries.get(real), Dir):
                for name in sorted(snap._children[real]):
                    _remove(snap, paths.join(real, name), index, "deleted")
    origin, children = snap._origin, snap._children
    for path, entry in layer.entries.items():
        cls = type(entry)
        if cls is Whiteout:
            continue
        # fast path: a new file, symlink or directory under an existing real directory
        cut = path.rfind("/")
        kids = children.get(path[:cut] or "/")
        if kids is not None and path not in entries and (cls is File or cls is Symlink or cls is Dir):
            entries[path] = entry
            origin[path] = index
            kids.add(path[cut + 1:])
            if cls is Dir:
                children[path] = set()
            continue
        if path == "/":
            entries["/"] = as_dir(entry)
            snap._origin["/"] = index
            continue
        real = _real_path(entries, path, create=True, snap=snap, index=index)
        _add(snap, real, entry, index, path)
    snap._sorted = None


def _real_path(entries: dict, path: str, *, create: bool, snap: Snapshot | None = None,
               index: int = 0) -> str | None:
    """Where a layer path lands: its parent resolved through symlinks inside the root (rule 3)."""
    parent, name = paths.split(path)
    if isinstance(entries.get(parent), Dir):
        return path
    try:
        real_parent = resolve(entries, parent)
    except FilesystemError as exc:
        if not create:
            return None
        raise LayerError(f"cannot apply {path!r}: {exc}; a lower layer has a non-directory where this "
                         "layer needs a parent directory") from None
    existing = entries.get(real_parent)
    if existing is None:
        if not create:
            return None
        _make_parents(snap, real_parent, index)
    elif not isinstance(existing, Dir):
        if not create:
            return None
        raise LayerError(f"cannot apply {path!r}: its parent {real_parent!r} is a {existing.kind} in a lower "
                         "layer, not a directory; the layer must replace it with a directory first")
    return paths.join(real_parent, name)


def _make_parents(snap: Snapshot, directory: str, index: int) -> None:
    """Create missing directories (rule 3): 0755 root:root, like the extractor's MkdirAll."""
    missing = []
    while directory not in snap._entries:
        missing.append(directory)
        directory = paths.parent(directory)
    if not isinstance(snap._entries[directory], Dir):
        raise LayerError(f"cannot create {missing[-1]!r}: {directory!r} is a {snap._entries[directory].kind}")
    for d in reversed(missing):
        _link_in(snap, d, Dir(), index)


def _link_in(snap: Snapshot, path: str, entry: Entry, index: int) -> None:
    snap._entries[path] = entry
    snap._origin[path] = index
    parent, name = paths.split(path)
    snap._children[parent].add(name)
    if isinstance(entry, Dir):
        snap._children.setdefault(path, set())


def _add(snap: Snapshot, real: str, entry: Entry, index: int, layer_path: str) -> None:
    entries = snap._entries
    existing = entries.get(real)
    if isinstance(entry, Dir):
        if isinstance(existing, Dir):
            if not (isinstance(entry, Opaque) and not entry.header):
                entries[real] = as_dir(entry)
                snap._origin[real] = index
            return
        if existing is not None:
            _remove(snap, real, index, "replaced")
        _link_in(snap, real, as_dir(entry), index)
        return
    if existing is not None:
        _remove(snap, real, index, "replaced")
    if isinstance(entry, HardLink):
        entry = _hard_link(snap, real, entry, layer_path)
        if isinstance(entry, HardLink):
            _join_inode(snap, real, entry.target, index)
            return
    _link_in(snap, real, entry, index)


def _join_inode(snap: Snapshot, name: str, primary: str, index: int) -> None:
    """Add a name to a hard-linked inode; the first name in walk order holds the File."""
    entries = snap._entries
    file = entries[primary]
    group = snap._linked_by.pop(primary, set()) | {name, primary}
    first = min(group, key=paths.sort_key)
    link = HardLink(first, mode=file.mode, uid=file.uid, gid=file.gid, mtime=file.mtime, xattrs=file.xattrs)
    _link_in(snap, name, link, index)
    entries[first] = file
    for other in group - {first}:
        entries[other] = link
    snap._linked_by[first] = group - {first}


def _hard_link(snap: Snapshot, real: str, entry: HardLink, layer_path: str) -> Entry:
    """Point a hard link at the inode's primary name, or copy a linked symlink or device (rule 11)."""
    try:
        target = resolve(snap._entries, entry.target, follow_symlinks=False)
    except FilesystemError:
        target = None
    found = snap._entries.get(target) if target else None
    if found is None:
        raise LayerError(f"hard link {layer_path!r} points at {entry.target!r}, which does not exist in this "
                         "or a lower layer: the link target must come first")
    if isinstance(found, HardLink):
        target, found = found.target, snap._entries[found.target]
    if isinstance(found, Dir):
        raise LayerError(f"hard link {layer_path!r} points at directory {entry.target!r}: directories cannot "
                         "be hard-linked")
    if isinstance(found, (Symlink, Device)):
        return found
    if target == real:
        raise LayerError(f"hard link {layer_path!r} points at itself")
    return HardLink(target, mode=entry.mode, uid=entry.uid, gid=entry.gid, mtime=entry.mtime, xattrs=entry.xattrs)


def _remove(snap: Snapshot, path: str, index: int, how: str) -> None:
    """Remove a path and everything below it, recording the files it hides."""
    parent, name = paths.split(path)
    snap._children[parent].discard(name)
    _drop(snap, path, index, how)


def _drop(snap: Snapshot, path: str, index: int, how: str) -> None:
    entry = snap._entries.pop(path)
    origin = snap._origin.pop(path)
    if isinstance(entry, Dir):
        for child in sorted(snap._children.pop(path)):  # sorted: shadowed() lists files in walk order
            _drop(snap, paths.join(path, child), index, how)
    elif isinstance(entry, HardLink):
        links = snap._linked_by.get(entry.target)
        if links is not None:
            links.discard(path)
            if not links:
                del snap._linked_by[entry.target]
    elif isinstance(entry, File):
        if path in snap._linked_by:
            _promote(snap, path, entry)
        elif entry.size:
            snap._shadowed.append(Shadowed(path, origin, entry.size, index, how))


def _promote(snap: Snapshot, path: str, file: File) -> None:
    """The primary name of a hard-linked file went away: the inode lives on under its next name."""
    names = sorted(snap._linked_by.pop(path), key=paths.sort_key)
    names = [n for n in names if n in snap._entries]
    if not names:
        return
    heir, rest = names[0], names[1:]
    snap._entries[heir] = file
    link = HardLink(heir, mode=file.mode, uid=file.uid, gid=file.gid, mtime=file.mtime, xattrs=file.xattrs)
    for other in rest:
        snap._entries[other] = link
    if rest:
        snap._linked_by[heir] = set(rest)


# -- diff --------------------------------------------------------------------------------
def diff(lower: Snapshot, upper: Snapshot, *, opaque: bool | Collection[str] = False,
         created_by: str = "") -> Layer:
    """The changeset that turns lower into upper: merge(lower.layers + [diff]) == upper.

    Deleted paths become explicit whiteouts (one per topmost deleted path, as a
    naive differ such as vfs emits them). opaque=True instead marks a directory
    opaque when none of its lower children survives unchanged and at least one
    was deleted (how overlay2 records `rm -rf d && mkdir d`); a collection of
    directory paths marks exactly those. Ancestors of every change are included,
    as real layer tars carry them.

    >>> a = merge([Layer.from_spec({"/d/x": "1", "/d/y": "2"})])
    >>> b = merge([Layer.from_spec({"/d/z": "3"})])
    >>> sorted(diff(a, b).entries)
    ['/d', '/d/x', '/d/y', '/d/z']
    >>> sorted((p, e.kind) for p, e in diff(a, b, opaque=True).entries.items())
    [('/d', 'opaque'), ('/d/z', 'file')]
    """
    lo, up = lower._entries, upper._entries
    changed: dict[str, Entry] = {}
    for path in upper.paths():
        entry = up[path]
        before = lo.get(path)
        if before is None or not _same(before, entry, lower, upper, path):
            changed[path] = entry
    deleted = [p for p in lower.paths() if p not in up and isinstance(up.get(paths.parent(p)), Dir)
               and isinstance(lo.get(paths.parent(p)), Dir)]
    opaque_dirs = _opaque_dirs(lower, upper, changed, deleted, opaque)
    out: dict[str, Entry] = dict(changed)
    for path in deleted:
        if not any(paths.is_under(path, d) and path != d for d in _ancestors_in(path, opaque_dirs)):
            out[path] = Whiteout()
    for d in opaque_dirs:
        e = up[d]
        out[d] = Opaque(mode=e.mode, uid=e.uid, gid=e.gid, mtime=e.mtime, xattrs=e.xattrs)
        for p, child in upper.walk(d):
            out[p] = child
    # an inode any of whose names changed is written again under all its names (rule 11)
    for primary, names in upper._linked_by.items():
        if primary in out or any(n in out for n in names):
            out[primary] = up[primary]
            for name in names:
                out[name] = up[name]
    for path in list(out):
        for anc in paths.ancestors(path):
            if anc == "/":
                break
            if anc in out:
                continue
            out[anc] = up[anc]
    if up["/"] != lo["/"]:
        out["/"] = up["/"]
    return Layer(out, created_by=created_by)


def naive_diff(lower: Snapshot, upper: Snapshot, *, created_by: str = "") -> Layer:
    """The changeset Docker's naive differ writes (the vfs driver): go-archive ChangesDirs + ExportChanges.

    A path is written when it is new or its stat changed (type, mode, uid, gid,
    rdev, and for non-directories size or mtime - never content alone), every
    topmost deleted path becomes a whiteout, and changed paths bring their
    parent directories. Hard links survive only among the names written: an
    untouched lower name of the inode stays out, so the new name becomes a
    plain file in the layer.

    >>> a = merge([Layer.from_spec({"/t": "data"})])
    >>> b = merge([Layer.from_spec({"/t": "data", "/h": HardLink("/t")})])
    >>> [(p, e.kind) for p, e in naive_diff(a, b).entries.items()]
    [('/h', 'file')]
    """
    lo, up = lower._entries, upper._entries
    out: dict[str, Entry] = {}
    for path in upper.paths():
        before = lo.get(path)
        if before is None or stat_differs(before, up[path], lower, upper):
            out[path] = up[path]
    for path in lower.paths():
        parent = paths.parent(path)
        if path not in up and isinstance(up.get(parent), Dir) and isinstance(lo.get(parent), Dir):
            out[path] = Whiteout()
    for path in list(out):
        for anc in paths.ancestors(path):
            if anc == "/" or anc in out:
                break
            out[anc] = up[anc]
    if up["/"] != lo["/"]:
        out["/"] = up["/"]
    for primary, names in upper._linked_by.items():
        written = [n for n in sorted([primary, *names], key=paths.sort_key) if n in out]
        if written and primary not in out:
            out[written[0]] = up[primary]
            for other in written[1:]:
                out[other] = HardLink(written[0], mode=up[primary].mode, uid=up[primary].uid, gid=up[primary].gid,
                                      mtime=up[primary].mtime, xattrs=up[primary].xattrs)
    return Layer(out, created_by=created_by)


def stat_differs(before: Entry, after: Entry, lower: Snapshot, upper: Snapshot) -> bool:
    """Docker's statDifferent: type, mode, uid, gid, rdev; for non-directories also size and mtime."""
    if isinstance(before, HardLink):
        before = lower._entries.get(before.target, before)
    if isinstance(after, HardLink):
        after = upper._entries.get(after.target, after)
    if type(before) is not type(after) and not (isinstance(before, Dir) and isinstance(after, Dir)):
        return True
    if (before.mode, before.uid, before.gid) != (after.mode, after.uid, after.gid):
        return True
    if isinstance(after, Dir):
        return False
    if isinstance(after, Device) and (before.devtype, before.major, before.minor) != (
            after.devtype, after.major, after.minor):
        return True
    if isinstance(after, Symlink) and before.target != after.target:
        return True
    return (before.size, before.mtime) != (after.size, after.mtime)


def _same(before: Entry, after: Entry, lower: Snapshot, upper: Snapshot, path: str) -> bool:
    if type(before) is not type(after):
        return False
    if isinstance(after, HardLink):
        return before == after and lower._entries.get(before.target) == upper._entries.get(after.target)
    return before == after


def _ancestors_in(path: str, dirs: set[str]) -> list[str]:
    return [a for a in paths.ancestors(path) if a in dirs]


def _opaque_dirs(lower: Snapshot, upper: Snapshot, changed: dict, deleted: list[str],
                 opaque: bool | Collection[str]) -> set[str]:
    if opaque is False:
        return set()
    lo, up = lower._entries, upper._entries
    if opaque is True:
        candidates = {paths.parent(p) for p in deleted}
        chosen = set()
        for d in candidates:
            if not isinstance(lo.get(d), Dir) or not isinstance(up.get(d), Dir):
                continue
            survivors = [c for c in lower._children[d]
                         if paths.join(d, c) in up and paths.join(d, c) not in changed]
            if not survivors:
                chosen.add(d)
        return chosen
    chosen = {paths.normalize(d) for d in opaque}
    for d in chosen:
        if not isinstance(up.get(d), Dir):
            raise LayerError(f"cannot mark {d!r} opaque: it is not a directory in the upper tree")
    return chosen


from .entries import WHITEOUT  # noqa: E402  (doctest name)
