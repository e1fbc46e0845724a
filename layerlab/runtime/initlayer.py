"""The init layer: what Docker puts between the image and a container's read-write layer (SEMANTICS 21).

moby `daemon/initlayer/setup_unix.go`: directories /dev/pts /dev/shm /proc /sys,
empty files /.dockerenv /etc/resolv.conf /etc/hosts /etc/hostname /dev/console
(created 0755), and the symlink /etc/mtab -> /proc/mounts. The real hosts,
hostname and resolv.conf are bind-mounted over the empty placeholders at start.

>>> sorted(init_layer().entries)
['/.dockerenv', '/dev', '/dev/console', '/dev/pts', '/dev/shm', '/etc', '/etc/hostname', '/etc/hosts', '/etc/mtab', '/etc/resolv.conf', '/proc', '/sys']
"""

from __future__ import annotations

from ..fs.entries import Dir, File, Symlink
from ..fs.layer import Layer

INIT_DIRS = ("/dev/pts", "/dev/shm", "/proc", "/sys")
INIT_FILES = ("/.dockerenv", "/etc/resolv.conf", "/etc/hosts", "/etc/hostname", "/dev/console")
INIT_SYMLINKS = {"/etc/mtab": "/proc/mounts"}
PLACEHOLDERS = ("/etc/resolv.conf", "/etc/hosts", "/etc/hostname")


def init_layer(mtime: int = 0) -> Layer:
    """The `<id>-init` layer of a container, as the daemon creates it in an empty directory."""
    entries = {"/dev": Dir(mtime=mtime), "/etc": Dir(mtime=mtime)}
    for d in INIT_DIRS:
        entries[d] = Dir(mtime=mtime)
    for f in INIT_FILES:
        entries[f] = File(b"", mode=0o755, mtime=mtime)
    for link, target in INIT_SYMLINKS.items():
        entries[link] = Symlink(target, mtime=mtime)
    return Layer(entries, created_by="init layer (moby daemon/initlayer)")
