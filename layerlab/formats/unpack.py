"""Write a merged root filesystem to a directory, safely, for comparison with `umoci unpack`.

Safety rules: the target must be empty (or missing); every path is created
relative to an open descriptor of its parent directory with O_NOFOLLOW, so no
symlink on the host is ever followed and nothing lands outside the target;
hard links become hard links; device nodes are skipped (with a note) unless
running as root with devices=True; ownership is applied only as root.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass

from ..errors import FilesystemError, FormatError
from ..fs import paths
from ..fs.entries import Device, Dir, File, HardLink, Symlink
from ..fs.snapshot import Snapshot
from ..image.model import Image

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Unpacked:
    """What unpack did: how many paths it wrote and what it skipped, with the reason."""

    directory: str
    written: int
    skipped: tuple[tuple[str, str], ...] = ()


def unpack(image_or_snapshot: "Image | Snapshot", directory, *, devices: bool = False,
           owners: bool | None = None) -> Unpacked:
    """Write the merged view of an image (or a Snapshot) into an empty directory; returns an Unpacked report."""
    snap = image_or_snapshot.rootfs if isinstance(image_or_snapshot, Image) else image_or_snapshot
    if not isinstance(snap, Snapshot):
        raise FormatError(f"unpack needs an Image or a Snapshot, not a {type(snap).__name__}")
    root = os.fspath(directory)
    os.makedirs(root, exist_ok=True)
    if os.listdir(root):
        raise FilesystemError(f"{root}: unpack target is not empty: unpack into a new or empty directory so no "
                              "existing file (or symlink) can redirect a write", root, "ENOTEMPTY")
    as_root = os.geteuid() == 0
    owners = as_root if owners is None else owners
    skipped: list[tuple[str, str]] = []
    written = 0
    root_fd = os.open(root, _DIR_FLAGS)
    stack: list[tuple[str, int]] = [("/", root_fd)]
    dirs: list[tuple[str, Dir]] = [("/", snap.get("/"))]
    try:
        for path, entry in snap.walk():
            parent, name = paths.split(path)
            while stack[-1][0] != parent:
                _, fd = stack.pop()
                if fd != root_fd:
                    os.close(fd)
            pfd = stack[-1][1]
            if isinstance(entry, Dir):
                os.mkdir(name, 0o700, dir_fd=pfd)
                stack.append((path, os.open(name, _DIR_FLAGS, dir_fd=pfd)))
                dirs.append((path, entry))
            elif isinstance(entry, File):
                _write_file(pfd, name, entry, owners)
            elif isinstance(entry, Symlink):
                os.symlink(entry.target, name, dir_fd=pfd)
                if owners:
                    os.chown(name, entry.uid, entry.gid, dir_fd=pfd, follow_symlinks=False)
                os.utime(name, (entry.mtime, entry.mtime), dir_fd=pfd, follow_symlinks=False)
            elif isinstance(entry, HardLink):
                tparent, tname = paths.split(entry.target)
                tfd = _open_dir(root_fd, tparent)
                try:
                    os.link(tname, name, src_dir_fd=tfd, dst_dir_fd=pfd, follow_symlinks=False)
                finally:
                    if tfd != root_fd:
                        os.close(tfd)
            elif isinstance(entry, Device):
                if entry.devtype == "fifo":
                    os.mkfifo(name, 0o600, dir_fd=pfd)
                elif devices and as_root:
                    kind = stat.S_IFCHR if entry.devtype == "char" else stat.S_IFBLK
                    os.mknod(name, kind | 0o600, os.makedev(entry.major, entry.minor), dir_fd=pfd)
                else:
                    skipped.append((path, f"{entry.devtype} device {entry.major}:{entry.minor} not created "
                                          "(needs root and devices=True)"))
                    continue
                _set_meta_at(pfd, name, entry, owners)
            written += 1
        while len(stack) > 1:
            os.close(stack.pop()[1])
        for path, entry in reversed(dirs):  # children first, so a directory's mtime is set last
            fd = _open_dir(root_fd, path)
            try:
                if owners:
                    os.chown(fd, entry.uid, entry.gid)
                os.chmod(fd, entry.mode & 0o7777)
                _xattrs(fd, entry, path, skipped)
                os.utime(fd, (entry.mtime, entry.mtime))
            finally:
                if fd != root_fd:
                    os.close(fd)
    finally:
        for _, fd in stack[1:]:
            os.close(fd)
        os.close(root_fd)
    return Unpacked(root, written, tuple(skipped))


def _open_dir(root_fd: int, path: str) -> int:
    """An fd for a directory below the target, walked one component at a time without following links."""
    fd = root_fd
    for part in [p for p in path.split("/") if p]:
        nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
        if fd != root_fd:
            os.close(fd)
        fd = nxt
    return fd


def _write_file(pfd: int, name: str, entry: File, owners: bool) -> None:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600,
                 dir_fd=pfd)
    try:
        with os.fdopen(fd, "wb", closefd=False) as f:
            for chunk in entry.content.chunks():
                f.write(chunk)
        if owners:
            os.chown(fd, entry.uid, entry.gid)
        os.chmod(fd, entry.mode & 0o7777)  # after chown, which clears setuid
        _xattrs(fd, entry, name, [])
        os.utime(fd, (entry.mtime, entry.mtime))
    finally:
        os.close(fd)


def _set_meta_at(pfd: int, name: str, entry, owners: bool) -> None:
    if owners:
        os.chown(name, entry.uid, entry.gid, dir_fd=pfd, follow_symlinks=False)
    os.chmod(name, entry.mode & 0o7777, dir_fd=pfd)
    os.utime(name, (entry.mtime, entry.mtime), dir_fd=pfd, follow_symlinks=False)


def _xattrs(fd: int, entry, path: str, skipped: list) -> None:
    for key, value in entry.xattrs:
        try:
            os.setxattr(fd, key, value)
        except OSError as exc:
            skipped.append((path, f"xattr {key} not set ({exc.strerror})"))
