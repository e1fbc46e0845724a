"""WorkTree: a writable upper layer over a read-only Snapshot, following overlayfs's rules.

This is the one mutable thing in the model: a RUN step or a running container
writes into it. Any write or metadata change to a lower file copies the WHOLE
file up first (and is recorded, so a learner sees what chmod on a big file
costs); a deleted lower path becomes a whiteout; a directory made where a lower
one was deleted is opaque. `upper_layer()` is the upperdir as a changeset.

>>> from layerlab.fs.union import merge
>>> from layerlab.fs.layer import Layer
>>> tree = WorkTree(merge([Layer.from_spec({"/big": Synthetic(900_000_000, "big"), "/etc/motd": "hi"})]))
>>> tree.chmod("/big", 0o600)
>>> tree.unlink("/etc/motd")
>>> [(c.path, c.size) for c in tree.copy_ups]
[('/big', 900000000)]
>>> [(p, e.kind) for p, e in tree.upper_layer().entries.items()]
[('/big', 'file'), ('/etc', 'dir'), ('/etc/motd', 'whiteout')]
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterator

from ..errors import FilesystemError
from . import paths
from .content import Content, Inline, Synthetic, as_content
from .entries import Dir, Entry, File, HardLink, Opaque, Symlink, Whiteout, as_dir
from .layer import WHITEOUT_PREFIX, Layer
from .snapshot import Snapshot, Stat
from .union import _join_inode, _link_in, _remove, naive_diff


@dataclass(frozen=True, slots=True)
class CopyUp:
    """A lower file copied whole into the upper layer: which, how many bytes, and what caused it."""

    path: str
    size: int
    command: str
    reason: str


def _err(code: str, path: str, text: str) -> FilesystemError:
    return FilesystemError(f"{path}: {text}", path, code)


ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, EINVAL, EBUSY = (
    "No such file or directory", "Not a directory", "Is a directory", "File exists",
    "Directory not empty", "Invalid argument", "Device or resource busy")


class WorkTree:
    """A writable overlay over a lower Snapshot: the view a RUN step or a container writes to."""

    def __init__(self, lower: Snapshot, *, clock: Callable[[], int] | None = None, umask: int = 0o022):
        self.lower = lower
        self.clock = clock or (lambda: 0)
        self.umask = umask
        self.command = ""
        self.copy_ups: list[CopyUp] = []
        self._upper: dict[str, Entry] = {}
        self._view = lower._copy()
        self._view._layers = lower._layers
        self._top = len(lower._layers)  # origin index of upper entries

    # -- reading (the merged view) ---------------------------------------------------------
    def resolve(self, path: str, *, follow_symlinks: bool = True) -> str:
        return self._view.resolve(path, follow_symlinks=follow_symlinks)

    def entry(self, path: str) -> Entry:
        return self._view.entry(path)

    def exists(self, path: str) -> bool:
        return self._view.exists(path)

    def lexists(self, path: str) -> bool:
        return self._view.lexists(path)

    def is_dir(self, path: str) -> bool:
        try:
            return isinstance(self._view._entries.get(self.resolve(path)), Dir)
        except FilesystemError:
            return False

    def is_file(self, path: str) -> bool:
        try:
            entry = self._view._entries.get(self.resolve(path))
        except FilesystemError:
            return False
        return isinstance(entry, (File, HardLink))

    def read(self, path: str) -> bytes:
        return self._view.read(path)

    def content(self, path: str) -> Content:
        return self._view.content(path)

    def readlink(self, path: str) -> str:
        return self._view.readlink(path)

    def listdir(self, path: str = "/") -> list[str]:
        return self._view.listdir(path)

    def stat(self, path: str, *, follow_symlinks: bool = True) -> Stat:
        return self._view.stat(path, follow_symlinks=follow_symlinks)

    def lstat(self, path: str) -> Stat:
        return self._view.stat(path, follow_symlinks=False)

    def walk(self, top: str = "/") -> Iterator[tuple[str, Entry]]:
        return self._view.walk(top)

    def snapshot(self) -> Snapshot:
        """A frozen copy of the merged view as it is now."""
        snap = self._view._copy()
        snap._layers = self.lower._layers
        return snap

    @property
    def upper(self) -> dict[str, Entry]:
        """The upperdir: what this tree wrote, copied up or whited out (a read-only copy)."""
        return dict(self._upper)

    def in_upper(self, path: str) -> bool:
        """True when the path has been written, copied up or whited out here."""
        return paths.normalize(path) in self._upper

    def upper_layer(self, created_by: str = "") -> Layer:
        """The upperdir as a changeset, the way overlay2 tars it (copied-up files included)."""
        return Layer(self._upper.items(), created_by=created_by)

    def naive_layer(self, created_by: str = "") -> Layer:
        """The changeset Docker's naive differ (vfs) computes: stat-changed paths, one whiteout per deletion."""
        return naive_diff(self.lower, self._view, created_by=created_by)

    @property
    def copied_bytes(self) -> int:
        """Bytes copied up from lower layers so far."""
        return sum(c.size for c in self.copy_ups)

    # -- the overlay machinery ---------------------------------------------------------------
    def _now(self) -> int:
        return int(self.clock())

    def _in_lower(self, real: str) -> bool:
        return real in self.lower._entries

    def _parent_dir(self, path: str, op: str) -> tuple[str, str]:
        """Resolve the parent of path (following symlinks) and check it is an existing directory."""
        parent, name = paths.split(paths.normalize(path))
        real_parent = self.resolve(parent)
        entry = self._view._entries.get(real_parent)
        if entry is None:
            raise _err("ENOENT", path, ENOENT)
        if not isinstance(entry, Dir):
            raise _err("ENOTDIR", path, ENOTDIR)
        if name.startswith(WHITEOUT_PREFIX):
            raise FilesystemError(f"{path}: names starting with '.wh.' are reserved for whiteouts in image "
                                  "layers (rule 9); pick another name", path, "EINVAL")
        return real_parent, name

    def _copy_up_dirs(self, real: str) -> None:
        """Make sure real and its ancestors exist in the upperdir (metadata-only copy-up of dirs)."""
        missing = []
        d = real
        while d != "/" and d not in self._upper:
            missing.append(d)
            d = paths.parent(d)
        for d in reversed(missing):
            self._upper[d] = self._view._entries[d]
            self._view._origin[d] = self._top      # the upper's copy of a directory is the one the view shows

    def _touch_dir(self, real_dir: str) -> None:
        """A directory whose entries changed gets a new mtime (it lives in the upperdir from now on)."""
        if real_dir == "/":
            return
        self._copy_up_dirs(real_dir)
        entry = replace(self._view._entries[real_dir], mtime=self._now())
        self._view._entries[real_dir] = entry
        self._upper[real_dir] = Opaque(mode=entry.mode, uid=entry.uid, gid=entry.gid, mtime=entry.mtime,
                                       xattrs=entry.xattrs) if isinstance(self._upper[real_dir], Opaque) else entry

    def _set(self, real: str, entry: Entry) -> None:
        """Write an entry into both the upperdir and the merged view."""
        self._copy_up_dirs(paths.parent(real))
        view = self._view
        if real in view._entries:
            view._entries[real] = entry if not isinstance(entry, Opaque) else as_dir(entry)
            view._origin[real] = self._top
        else:
            _link_in(view, real, as_dir(entry) if isinstance(entry, Dir) else entry, self._top)
        self._upper[real] = entry
        view._sorted = None

    def _copy_up(self, real: str, reason: str) -> Entry:
        """Copy a lower file whole into the upperdir (breaking hard links: Docker mounts index=off)."""
        entry = self._view._entries[real]
        if real in self._upper:
            return entry
        if isinstance(entry, (File, HardLink)):
            file = self._break_link(real)
            self.copy_ups.append(CopyUp(real, file.size, self.command, reason))
            self._set(real, file)
            return file
        self._set(real, entry)
        return entry

    def _inode(self, real: str, reason: str) -> tuple[str, File]:
        """Copy a path up if needed and return (its inode's first name, the file): writes through any
        name of a hard-linked upper file reach every name."""
        self._copy_up(real, reason)
        entry = self._view._entries[real]
        if isinstance(entry, HardLink):
            return entry.target, self._view._entries[entry.target]
        return real, entry

    def _set_inode(self, primary: str, file: File) -> None:
        """Replace an inode's file and keep the metadata of its other names in step."""
        self._set(primary, file)
        for name in self._view._linked_by.get(primary, ()):
            link = HardLink(primary, mode=file.mode, uid=file.uid, gid=file.gid, mtime=file.mtime,
                            xattrs=file.xattrs)
            self._view._entries[name] = link
            self._upper[name] = link

    def _break_link(self, real: str) -> File:
        """Detach one name of a hard-linked lower inode in the view; return its file."""
        view = self._view
        entry = view._entries[real]
        if isinstance(entry, HardLink):
            primary = entry.target
            file = view._entries[primary]
            group = view._linked_by.get(primary)
            if group is not None:
                group.discard(real)
                if not group:
                    del view._linked_by[primary]
            view._entries[real] = file
            return file
        if real in view._linked_by:
            others = sorted(view._linked_by.pop(real), key=paths.sort_key)
            heir, rest = others[0], others[1:]
            view._entries[heir] = entry
            for other in rest:
                view._entries[other] = HardLink(heir, mode=entry.mode, uid=entry.uid, gid=entry.gid,
                                                mtime=entry.mtime)
            if rest:
                view._linked_by[heir] = set(rest)
        return entry

    def _delete(self, real: str) -> None:
        """Remove a path from the view; leave a whiteout when a lower layer still has it."""
        view = self._view
        for p in [p for p in self._upper if p.startswith(real + "/")]:
            del self._upper[p]
        entry = view._entries.get(real)
        if isinstance(entry, HardLink) or real in view._linked_by:
            group = set(view._linked_by.get(real, ()))
            self._break_link(real)
            for name in group:  # the inode lives on under another name: keep the upperdir in step
                if name in self._upper:
                    self._upper[name] = view._entries[name]
        _remove(view, real, self._top, "deleted")
        view._sorted = None
        if self._in_lower(real):
            self._copy_up_dirs(paths.parent(real))
            self._upper[real] = Whiteout(mtime=self._now())
        else:
            self._upper.pop(real, None)
        self._touch_dir(paths.parent(real))

    # -- writing -----------------------------------------------------------------------------
    def write(self, path: str, data: bytes | str | Content = b"", *, append: bool = False,
              mode: int = 0o666, uid: int = 0, gid: int = 0) -> None:
        """Write a file (open O_CREAT|O_TRUNC, or O_APPEND): copies a lower file up first."""
        real = self.resolve(path)
        entry = self._view._entries.get(real)
        if isinstance(entry, Dir):
            raise _err("EISDIR", path, EISDIR)
        data = as_content(data)
        if entry is None:
            real_parent, name = self._parent_dir(real, "write")
            self._set(real, File(data, mode=mode & ~self.umask, uid=uid, gid=gid, mtime=self._now()))
            self._touch_dir(real_parent)
            return
        if not isinstance(entry, (File, HardLink)):
            raise _err("EINVAL", path, f"cannot write to a {entry.kind}")
        primary, file = self._inode(real, "append" if append else "write")
        if append:
            if data.size == 0:
                new = file.content
            elif isinstance(file.content, Inline) and isinstance(data, Inline):
                new = Inline(file.content.data + data.data)
            else:
                new = Inline(file.content.read() + data.read())
        else:
            new = data
        self._set_inode(primary, replace(file, content=new, mtime=self._now()))

    def truncate(self, path: str, size: int) -> None:
        """Set a file's size (creating it when missing), as truncate(1) does, without allocating."""
        real = self.resolve(path)
        if not self.lexists(real):
            self.write(real, b"")
        if isinstance(self._view._entries.get(real), Dir):
            raise _err("EISDIR", path, EISDIR)
        primary, file = self._inode(real, "truncate")
        old = file.content
        if size <= old.size:
            new = Inline(old.read(size)) if size <= 1 << 20 else Synthetic(size, f"truncate:{real}:{old.sha256}")
        elif old.size == 0:
            new = Synthetic(size, "\0zeros") if size > 1 << 20 else Inline(b"\0" * size)
        else:
            new = Inline(old.read() + b"\0" * (size - old.size)) if size <= 1 << 20 else Synthetic(size, f"grow:{real}")
        self._set_inode(primary, replace(file, content=new, mtime=self._now()))

    def mkdir(self, path: str, mode: int = 0o777, *, parents: bool = False, uid: int = 0, gid: int = 0,
              exist_ok: bool = False) -> None:
        """Make a directory; over a deleted lower path it is opaque (hides what was below)."""
        norm = paths.normalize(path)
        if parents:
            for anc in reversed(paths.ancestors(norm)):
                if anc != "/" and not self.lexists(anc):
                    self.mkdir(anc, mode, uid=uid, gid=gid)
                elif anc != "/" and not self.is_dir(anc):
                    raise _err("ENOTDIR", anc, ENOTDIR)
        if self.lexists(norm):
            if (parents or exist_ok) and self.is_dir(norm):
                return
            raise _err("EEXIST", path, EEXIST)
        real_parent, name = self._parent_dir(norm, "mkdir")
        real = paths.join(real_parent, name)
        meta = dict(mode=mode & ~self.umask & 0o7777, uid=uid, gid=gid, mtime=self._now())
        over_whiteout = isinstance(self._upper.get(real), Whiteout)
        self._set(real, Opaque(**meta) if over_whiteout else Dir(**meta))
        self._touch_dir(real_parent)

    def unlink(self, path: str) -> None:
        """Remove a file, symlink or link (never a directory)."""
        real = self.resolve(path, follow_symlinks=False)
        entry = self._view._entries.get(real)
        if entry is None:
            raise _err("ENOENT", path, ENOENT)
        if isinstance(entry, Dir):
            raise _err("EISDIR", path, EISDIR)
        self._delete(real)

    def rmdir(self, path: str) -> None:
        """Remove an empty directory."""
        real = self.resolve(path, follow_symlinks=False)
        entry = self._view._entries.get(real)
        if entry is None:
            raise _err("ENOENT", path, ENOENT)
        if not isinstance(entry, Dir):
            raise _err("ENOTDIR", path, ENOTDIR)
        if real == "/":
            raise _err("EBUSY", path, EBUSY)
        if self._view._children[real]:
            raise _err("ENOTEMPTY", path, ENOTEMPTY)
        self._delete(real)

    def rmtree(self, path: str) -> None:
        """Remove a path and everything below it (rm -rf): one whiteout for a lower directory."""
        real = self.resolve(path, follow_symlinks=False)
        if real not in self._view._entries:
            raise _err("ENOENT", path, ENOENT)
        if real == "/":
            raise _err("EBUSY", path, "refusing to remove '/': it is the root of the container's filesystem")
        self._delete(real)

    def symlink(self, target: str, path: str, *, uid: int = 0, gid: int = 0) -> None:
        """Make a symlink at path pointing to target (stored as written)."""
        norm = paths.normalize(path)
        if self.lexists(norm):
            raise _err("EEXIST", path, EEXIST)
        real_parent, name = self._parent_dir(norm, "symlink")
        self._set(paths.join(real_parent, name), Symlink(target, uid=uid, gid=gid, mtime=self._now()))
        self._touch_dir(real_parent)

    def link(self, existing: str, path: str) -> None:
        """Make a hard link; linking a lower file copies it up whole first (rule 11)."""
        src = self.resolve(existing, follow_symlinks=False)
        entry = self._view._entries.get(src)
        if entry is None:
            raise _err("ENOENT", existing, ENOENT)
        if isinstance(entry, Dir):
            raise FilesystemError(f"{existing}: hard link not allowed for directory", existing, "EPERM")
        norm = paths.normalize(path)
        if self.lexists(norm):
            raise _err("EEXIST", path, EEXIST)
        real_parent, name = self._parent_dir(norm, "link")
        real = paths.join(real_parent, name)
        if not isinstance(entry, (File, HardLink)):
            self._set(real, entry)
        else:
            self._copy_up(src, "link")
            self._copy_up_dirs(real_parent)
            view = self._view
            primary = view._entries[src].target if isinstance(view._entries[src], HardLink) else src
            _join_inode(view, real, primary, self._top)
            first = min([primary, real], key=paths.sort_key)
            for p in [first, *view._linked_by.get(first, ())]:
                self._upper[p] = view._entries[p]
            view._sorted = None
        self._touch_dir(real_parent)

    def chmod(self, path: str, mode: int) -> None:
        """Change permission bits: a metadata change, yet a lower file is copied up whole (rule 13)."""
        self._change_meta(path, "chmod", mode=mode & 0o7777)

    def chown(self, path: str, uid: int | None = None, gid: int | None = None, *,
              follow_symlinks: bool = True) -> None:
        """Change owner and group: copies a lower file up whole (rule 13)."""
        changes = {}
        if uid is not None:
            changes["uid"] = uid
        if gid is not None:
            changes["gid"] = gid
        self._change_meta(path, "chown", follow_symlinks=follow_symlinks, **changes)

    def utime(self, path: str, mtime: int | None = None, *, follow_symlinks: bool = True) -> None:
        """Set the modification time (touch): copies a lower file up whole (rule 13)."""
        self._change_meta(path, "touch", follow_symlinks=follow_symlinks,
                          mtime=self._now() if mtime is None else int(mtime))

    def _change_meta(self, path: str, reason: str, *, follow_symlinks: bool = True, **changes) -> None:
        real = self.resolve(path, follow_symlinks=follow_symlinks)
        entry = self._view._entries.get(real)
        if entry is None:
            raise _err("ENOENT", path, ENOENT)
        if isinstance(entry, (File, HardLink)):
            primary, file = self._inode(real, reason)
            self._set_inode(primary, replace(file, **changes))
            return
        self._copy_up(real, reason)
        self._set(real, replace(self._upper[real], **changes))

    def rename(self, src: str, dst: str) -> None:
        """Move a path; a lower file or directory is copied up whole and its old name whited out."""
        real_src = self.resolve(src, follow_symlinks=False)
        entry = self._view._entries.get(real_src)
        if entry is None:
            raise _err("ENOENT", src, ENOENT)
        if real_src == "/":
            raise _err("EBUSY", src, EBUSY)
        norm_dst = paths.normalize(dst)
        if self.is_dir(norm_dst) and not isinstance(self._view._entries.get(
                self.resolve(norm_dst, follow_symlinks=False)), Symlink):
            norm_dst = paths.join(self.resolve(norm_dst), paths.basename(real_src))
        real_parent, name = self._parent_dir(norm_dst, "rename")
        real_dst = paths.join(real_parent, name)
        if real_dst == real_src:
            return
        if paths.is_under(real_dst, real_src):
            raise _err("EINVAL", dst, f"cannot move '{src}' to a subdirectory of itself")
        target = self._view._entries.get(real_dst)
        if target is not None:
            if isinstance(target, Dir) and not isinstance(entry, Dir):
                raise _err("EISDIR", dst, EISDIR)
            if isinstance(entry, Dir) and not isinstance(target, Dir):
                raise _err("ENOTDIR", dst, ENOTDIR)
            if isinstance(target, Dir) and self._view._children[real_dst]:
                raise _err("ENOTEMPTY", dst, ENOTEMPTY)
        subtree = [(real_src, entry)] + list(self._view.walk(real_src)) if isinstance(entry, Dir) \
            else [(real_src, entry)]
        moved = []
        for p, e in subtree:
            if isinstance(e, (File, HardLink)) and p not in self._upper:
                file = self._view.file(p)
                self.copy_ups.append(CopyUp(p, file.size, self.command, "rename"))
                e = file
            elif isinstance(e, HardLink):
                e = self._view.file(p)
            moved.append((real_dst + p[len(real_src):], e))
        if target is not None:
            self._delete(real_dst)
        self._delete(real_src)
        for p, e in moved:
            if isinstance(e, Dir):
                kind = Opaque if isinstance(self._upper.get(p), Whiteout) else Dir
                e = kind(mode=e.mode, uid=e.uid, gid=e.gid, mtime=e.mtime, xattrs=e.xattrs)
            self._set(p, e)
        self._touch_dir(real_parent)
