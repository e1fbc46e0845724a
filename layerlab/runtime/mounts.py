"""A container's mount namespace: its root filesystem plus volumes and bind mounts from the host.

The process inside sees one tree. Under a mount point, reads and writes go to
the mount's source on the (simulated) host - a volume's `_data` directory or a
bind-mounted path - and never to the container's read-write layer. The
namespace offers the same methods as a WorkTree, so the shell runs on it
unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..errors import FilesystemError, SymlinkLoopError
from ..fs import paths
from ..fs.entries import Dir, Entry, Symlink
from ..fs.snapshot import Stat, resolve
from ..fs.worktree import WorkTree

VOLUMES_DIR = "/var/lib/docker/volumes"
CONTAINERS_DIR = "/var/lib/docker/containers"


@dataclass(frozen=True)
class Mount:
    """One entry of a container's mount table.

    type is 'volume' or 'bind'; source is the volume name or the host path;
    host_path is where the bytes live on the host.
    """

    type: str
    source: str
    destination: str
    host_path: str
    read_only: bool = False
    anonymous: bool = False
    internal: bool = False   # the hosts/hostname/resolv.conf bind mounts Docker adds itself

    @property
    def mode(self) -> str:
        return "ro" if self.read_only else "rw"

    def to_json(self) -> dict:
        """The shape of an entry of `docker inspect`'s Mounts."""
        out = {"Type": self.type}
        if self.type == "volume":
            out["Name"] = self.source
        out.update({"Source": self.host_path, "Destination": self.destination, "Mode": "" if self.type == "bind"
                    else "z", "RW": not self.read_only, "Propagation": "rprivate" if self.type == "bind" else ""})
        if self.type == "volume":
            out["Driver"] = "local"
        return out


class _Lookup:
    """A mount table seen as one mapping from a container path to the entry it shows."""

    def __init__(self, raw):
        self.get = raw


def _err(code: str, path: str, text: str) -> FilesystemError:
    return FilesystemError(f"{path}: {text}", path, code)


class MountNamespace:
    """The filesystem a container's processes see: rootfs (a WorkTree) with mounts laid over it."""

    def __init__(self, rootfs: WorkTree, host: WorkTree, mounts: list[Mount]):
        self.rootfs = rootfs
        self.host = host
        self.mounts = sorted(mounts, key=lambda m: len(m.destination), reverse=True)
        self._command = ""

    # -- the WorkTree attributes the shell uses -----------------------------------------------------
    @property
    def command(self) -> str:
        return self._command

    @command.setter
    def command(self, value: str) -> None:
        self._command = value
        self.rootfs.command = value
        self.host.command = value

    @property
    def clock(self):
        return self.rootfs.clock

    @property
    def umask(self) -> int:
        return self.rootfs.umask

    # -- routing ---------------------------------------------------------------------------------------
    def mount_at(self, real: str) -> Mount | None:
        """The mount whose tree holds a real (symlink-free) container path, if any."""
        for m in self.mounts:
            if paths.is_under(real, m.destination):
                return m
        return None

    def route(self, real: str) -> tuple[WorkTree, str, Mount | None]:
        """(tree, path in that tree, mount) for a real container path."""
        m = self.mount_at(real)
        if m is None:
            return self.rootfs, real, None
        rest = real[len(m.destination):].lstrip("/")
        return self.host, paths.join(m.host_path, rest) if rest else m.host_path, m

    def _raw(self, real: str) -> Entry | None:
        tree, tp, _ = self.route(real)
        return tree._view._entries.get(tp)

    def resolve(self, path: str, *, follow_symlinks: bool = True) -> str:
        """Follow symlinks component by component across mounts; absolute targets start at the container's root."""
        return resolve(_Lookup(self._raw), paths.normalize(path), follow_symlinks=follow_symlinks, shortcut=False)

    def _at(self, path: str, follow: bool = True) -> tuple[WorkTree, str, Mount | None, str]:
        real = self.resolve(path, follow_symlinks=follow)
        tree, tp, m = self.route(real)
        return tree, tp, m, real

    def _writable(self, path: str, follow: bool = True) -> tuple[WorkTree, str, Mount | None, str]:
        tree, tp, m, real = self._at(path, follow)
        if m is not None and m.read_only:
            raise _err("EROFS", path, "Read-only file system")
        return tree, tp, m, real

    def _is_mount_point(self, real: str) -> bool:
        return any(m.destination == real for m in self.mounts)

    # -- reading -----------------------------------------------------------------------------------------
    def entry(self, path: str) -> Entry:
        tree, tp, _, _ = self._at(path, follow=False)
        return tree.entry(tp)

    def exists(self, path: str) -> bool:
        try:
            tree, tp, _, _ = self._at(path)
        except (FilesystemError, SymlinkLoopError):
            return False
        return tree.lexists(tp)

    def lexists(self, path: str) -> bool:
        try:
            tree, tp, _, _ = self._at(path, follow=False)
        except (FilesystemError, SymlinkLoopError):
            return False
        return tree.lexists(tp)

    def is_dir(self, path: str) -> bool:
        try:
            tree, tp, _, _ = self._at(path)
        except (FilesystemError, SymlinkLoopError):
            return False
        return tree.is_dir(tp)

    def is_file(self, path: str) -> bool:
        try:
            tree, tp, _, _ = self._at(path)
        except (FilesystemError, SymlinkLoopError):
            return False
        return tree.is_file(tp)

    def read(self, path: str) -> bytes:
        tree, tp, _, _ = self._at(path)
        return tree.read(tp)

    def content(self, path: str):
        tree, tp, _, _ = self._at(path)
        return tree.content(tp)

    def readlink(self, path: str) -> str:
        tree, tp, _, _ = self._at(path, follow=False)
        return tree.readlink(tp)

    def listdir(self, path: str = "/") -> list[str]:
        tree, tp, _, _ = self._at(path)
        return tree.listdir(tp)

    def stat(self, path: str, *, follow_symlinks: bool = True) -> Stat:
        tree, tp, _, real = self._at(path, follow_symlinks)
        st = tree.stat(tp, follow_symlinks=False)
        return Stat(real, st.kind, st.mode, st.uid, st.gid, st.size, st.mtime, st.target, st.origin, st.nlink)

    def lstat(self, path: str) -> Stat:
        return self.stat(path, follow_symlinks=False)

    def walk(self, top: str = "/") -> Iterator[tuple[str, Entry]]:
        """(path, entry) below top as the container sees it, mounts included, sorted."""
        real = self.resolve(top)
        yield from self._walk(real)

    def _walk(self, real: str) -> Iterator[tuple[str, Entry]]:
        tree, tp, _ = self.route(real)
        try:
            names = tree.listdir(tp)
        except FilesystemError:
            return
        for name in names:
            child = paths.join(real, name)
            entry = self._raw(child)
            if entry is None:
                continue
            yield child, entry
            if isinstance(entry, Dir):
                yield from self._walk(child)

    # -- writing -------------------------------------------------------------------------------------------
    def write(self, path: str, data=b"", *, append: bool = False, mode: int = 0o666, uid: int = 0,
              gid: int = 0) -> None:
        tree, tp, _, _ = self._writable(path)
        tree.write(tp, data, append=append, mode=mode, uid=uid, gid=gid)

    def truncate(self, path: str, size: int) -> None:
        tree, tp, _, _ = self._writable(path)
        tree.truncate(tp, size)

    def mkdir(self, path: str, mode: int = 0o777, *, parents: bool = False, uid: int = 0, gid: int = 0,
              exist_ok: bool = False) -> None:
        norm = paths.normalize(path)
        if parents:
            for anc in reversed(paths.ancestors(norm)):
                if anc != "/" and not self.lexists(anc):
                    self.mkdir(anc, mode, uid=uid, gid=gid)
                elif anc != "/" and not self.is_dir(anc):
                    raise _err("ENOTDIR", anc, "Not a directory")
        if self.lexists(norm):
            if (parents or exist_ok) and self.is_dir(norm):
                return
            raise _err("EEXIST", path, "File exists")
        tree, tp, _, _ = self._writable(norm, follow=False)
        tree.mkdir(tp, mode, uid=uid, gid=gid)

    def unlink(self, path: str) -> None:
        tree, tp, _, real = self._writable(path, follow=False)
        if self._is_mount_point(real):
            raise _err("EBUSY", path, "Device or resource busy")
        tree.unlink(tp)

    def rmdir(self, path: str) -> None:
        tree, tp, _, real = self._writable(path, follow=False)
        if self._is_mount_point(real):
            raise _err("EBUSY", path, "Device or resource busy")
        tree.rmdir(tp)

    def rmtree(self, path: str) -> None:
        """rm -rf: mounts below are emptied, but a mount point itself cannot be removed (EBUSY)."""
        tree, tp, m, real = self._writable(path, follow=False)
        if real == "/":
            raise _err("EBUSY", path, "refusing to remove '/': it is the root of the container's filesystem")
        inner = [x for x in self.mounts if x.destination != real and paths.is_under(x.destination, real)]
        if not inner and not self._is_mount_point(real):
            tree.rmtree(tp)
            return
        busy = None
        if isinstance(self._raw(real), Dir):
            for name in self.listdir(real):
                try:
                    self.rmtree(paths.join(real, name))
                except FilesystemError as exc:
                    if exc.code not in ("EBUSY", "EROFS"):
                        raise
                    busy = busy or exc
        if self._is_mount_point(real):
            raise _err("EBUSY", path, "Device or resource busy")
        if busy is not None:
            raise busy
        tree.rmtree(tp)

    def symlink(self, target: str, path: str, *, uid: int = 0, gid: int = 0) -> None:
        tree, tp, _, _ = self._writable(path, follow=False)
        tree.symlink(target, tp, uid=uid, gid=gid)

    def link(self, existing: str, path: str) -> None:
        src_tree, src_tp, src_m, _ = self._at(existing, follow=False)
        tree, tp, m, _ = self._writable(path, follow=False)
        if src_m is not m:
            raise _err("EXDEV", path, "Invalid cross-device link")
        tree.link(src_tp, tp)

    def chmod(self, path: str, mode: int) -> None:
        tree, tp, _, _ = self._writable(path)
        tree.chmod(tp, mode)

    def chown(self, path: str, uid: int | None = None, gid: int | None = None, *,
              follow_symlinks: bool = True) -> None:
        tree, tp, _, _ = self._writable(path, follow_symlinks)
        tree.chown(tp, uid, gid, follow_symlinks=False)

    def utime(self, path: str, mtime: int | None = None, *, follow_symlinks: bool = True) -> None:
        tree, tp, _, _ = self._writable(path, follow_symlinks)
        tree.utime(tp, mtime, follow_symlinks=False)

    def rename(self, src: str, dst: str) -> None:
        src_tree, src_tp, src_m, src_real = self._writable(src, follow=False)
        if self._is_mount_point(src_real):
            raise _err("EBUSY", src, "Device or resource busy")
        target = paths.normalize(dst)
        if self.is_dir(target):
            target = paths.join(self.resolve(target), paths.basename(src_real))
        tree, tp, m, real = self._writable(target, follow=False)
        if self._is_mount_point(real):
            raise _err("EBUSY", dst, "Device or resource busy")
        if src_m is not m:
            raise _err("EXDEV", dst, "Invalid cross-device link")
        src_tree.rename(src_tp, tp)
